// The states schedule exploration has reached, as a Boost.Graph
// adjacency_list: one vertex per distinct state hash (plus the start), one
// edge per step between two states some run went through (the events
// between two choices). A violating run's final state is marked; the
// counterexample's length is the shortest path from the start to it; the
// graph writes itself for Graphviz with the violating states in red.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace idemlab::scenarios {

class StateGraph {
 public:
  // At most `vertices_max` vertices (then no more are added, and
  // truncated() says so). REQUIRES: vertices_max >= 1.
  explicit StateGraph(std::size_t vertices_max = std::size_t{1} << 20);

  static constexpr std::size_t kStart = 0;

  // The vertex of `hash`, added if new; nullopt-like npos once full.
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t vertex(std::uint64_t hash);
  // An edge from -> to (once per pair). Either may be kNone: nothing then.
  void step(std::size_t from, std::size_t to);
  void mark_violating(std::size_t vertex, const std::string& invariant);

  std::size_t states() const { return hashes_.size() - 1; }  // without the start
  std::size_t edges() const { return edges_.size(); }
  bool truncated() const { return truncated_; }
  // Steps on the shortest path from the start to `vertex`; kNone if none.
  std::size_t distance(std::size_t vertex) const;
  // Graphviz text: the start as a box, violating states filled red with
  // the invariants they break.
  std::string dot() const;

 private:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Graph graph_;
  std::size_t vertices_max_;
  bool truncated_ = false;
  std::vector<std::uint64_t> hashes_;                 // by vertex
  std::unordered_map<std::uint64_t, std::size_t> by_hash_;  // looked up, never iterated
  std::set<std::pair<std::size_t, std::size_t>> edges_;
  std::map<std::size_t, std::set<std::string>> violating_;
};

}  // namespace idemlab::scenarios
