#include "scenarios/state_graph.h"

#include <boost/graph/breadth_first_search.hpp>
#include <cassert>
#include <sstream>

#include "sim/trace.h"

namespace idemlab::scenarios {

StateGraph::StateGraph(std::size_t vertices_max) : vertices_max_(vertices_max) {
  assert(vertices_max >= 1);
  boost::add_vertex(graph_);
  hashes_.push_back(0);
}

std::size_t StateGraph::vertex(std::uint64_t hash) {
  const auto found = by_hash_.find(hash);
  if (found != by_hash_.end()) return found->second;
  if (hashes_.size() > vertices_max_) {
    truncated_ = true;
    return kNone;
  }
  const std::size_t v = boost::add_vertex(graph_);
  assert(v == hashes_.size());
  hashes_.push_back(hash);
  by_hash_.emplace(hash, v);
  return v;
}

void StateGraph::step(std::size_t from, std::size_t to) {
  if (from == kNone || to == kNone) return;
  if (edges_.emplace(from, to).second) boost::add_edge(from, to, graph_);
}

void StateGraph::mark_violating(std::size_t vertex, const std::string& invariant) {
  if (vertex != kNone) violating_[vertex].insert(invariant);
}

std::size_t StateGraph::distance(std::size_t vertex) const {
  if (vertex == kNone) return kNone;
  std::vector<std::size_t> distances(boost::num_vertices(graph_), kNone);
  if (distances.empty()) return kNone;  // never: the start is always there
  distances.front() = 0;
  boost::breadth_first_search(
      graph_, boost::vertex(kStart, graph_),
      boost::visitor(boost::make_bfs_visitor(boost::record_distances(distances.data(), boost::on_tree_edge()))));
  return distances[vertex];
}

std::string StateGraph::dot() const {
  std::ostringstream out;
  out << "digraph states {\n";
  for (std::size_t v = 0; v < hashes_.size(); ++v) {
    out << "  " << v;
    if (v == kStart) {
      out << " [label=\"start\", shape=box];\n";
      continue;
    }
    const std::string hash = sim::hash_hex(hashes_[v]).substr(0, 8);
    const auto bad = violating_.find(v);
    if (bad == violating_.end()) {
      out << " [label=\"" << hash << "\"];\n";
      continue;
    }
    std::string invariants;
    for (const std::string& name : bad->second) invariants += "\\n" + name;
    out << " [label=\"" << hash << invariants << "\", style=filled, fillcolor=\"#e0474c\", fontcolor=white];\n";
  }
  for (const auto& [from, to] : edges_) out << "  " << from << " -> " << to << ";\n";
  out << "}\n";
  return out.str();
}

}  // namespace idemlab::scenarios
