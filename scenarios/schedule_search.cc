#include "scenarios/schedule_search.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <set>
#include <unordered_map>

#include "models/world.h"
#include "scenarios/explore.h"
#include "scenarios/state_graph.h"
#include "sim/distinct_count.h"
#include "sim/prng.h"
#include "sim/simulator.h"
#include "sim/state_writer.h"

namespace idemlab::scenarios {
namespace {

// What a choice point offered: how many options, of which kind.
struct ChoicePoint {
  std::uint64_t bound = 0;
  sim::Choice choice = sim::Choice::kOrder;
};

// The tape of one explored run: seeded draws from `seed`, and at each
// choice point the option an explorer decides (decide()). Records every
// draw it hands out, choices included, so that a ReplayTape plays the run
// back under TieOrder::kTape.
class ChoosingTape : public sim::Tape {
 public:
  explicit ChoosingTape(std::uint64_t seed) : base_(seed) {}

  std::uint64_t draw(std::uint64_t bound, sim::Choice choice) override {
    const std::uint64_t value = base_.draw(bound, choice);
    recorded_.push_back(sim::Draw{bound, value, choice});
    ++base_draws_;
    // What the drawing process got is part of where it stands.
    if (sim_ != nullptr && sim_->tracks_positions()) sim_->observe(value);
    return value;
  }
  void attach(sim::Simulator& simulator) override { sim_ = &simulator; }
  sim::LatencyPick latency_pick() override {
    return static_cast<sim::LatencyPick>(choose(sim::kLatencyPicks, sim::Choice::kExtreme, nullptr));
  }
  std::uint64_t pick_order(const std::vector<std::uint64_t>& owners) override {
    return choose(owners.size(), sim::Choice::kOrder, &owners);
  }

  const std::vector<ChoicePoint>& points() const { return points_; }
  const std::vector<sim::Draw>& recorded() const { return recorded_; }
  // Seeded draws handed out: where the seed's stream stands, which the
  // draws to come depend on.
  std::uint64_t base_draws() const { return base_draws_; }

 protected:
  sim::Simulator* sim_ = nullptr;

  // The option at the `position`th choice point. `owners`: for an order
  // choice, each ready event's process serial.
  virtual std::uint64_t decide(std::uint64_t position, std::uint64_t bound, sim::Choice choice,
                               const std::vector<std::uint64_t>* owners) = 0;

 private:
  std::uint64_t choose(std::uint64_t bound, sim::Choice choice, const std::vector<std::uint64_t>* owners) {
    const std::uint64_t value = decide(points_.size(), bound, choice, owners);
    assert(value < bound);
    if (sim_ != nullptr && sim_->tracks_positions()) sim_->observe(value);
    points_.push_back({bound, choice});
    recorded_.push_back(sim::Draw{bound, value, choice});
    return value;
  }

  sim::RandomTape base_;
  std::uint64_t base_draws_ = 0;
  std::vector<ChoicePoint> points_;
  std::vector<sim::Draw> recorded_;
};

// The default everywhere but at the deviations (sorted by position).
class DeviationTape final : public ChoosingTape {
 public:
  DeviationTape(std::uint64_t seed, std::vector<Deviation> deviations)
      : ChoosingTape(seed), deviations_(std::move(deviations)) {}

 private:
  std::uint64_t decide(std::uint64_t position, std::uint64_t bound, sim::Choice,
                       const std::vector<std::uint64_t>*) override {
    if (next_ < deviations_.size() && deviations_[next_].position == position) {
      // The run up to here is the parent's, which offered this option: the
      // same prefix of a deterministic world offers the same bound.
      const std::uint64_t value = deviations_[next_++].value;
      assert(value < bound);
      return value;
    }
    return 0;
  }

  std::vector<Deviation> deviations_;
  std::size_t next_ = 0;
};

// PCT: priorities per process, change points among the choice points.
class PctTape final : public ChoosingTape {
 public:
  // `points`: the choice points of the seed's run, among which the
  // change points fall. REQUIRES: depth >= 1.
  PctTape(std::uint64_t seed, std::uint64_t run, int depth, std::uint64_t points)
      : ChoosingTape(seed), prng_(seed ^ (run * 0x9e3779b97f4a7c15ULL)), depth_(static_cast<std::uint64_t>(depth)) {
    assert(depth >= 1);
    for (int i = 1; i < depth; ++i) change_points_[prng_.below(std::max<std::uint64_t>(points, 1))] = static_cast<std::uint64_t>(i);
  }

 private:
  // Fresh priorities lie in [depth, depth + 2^62); a change point sets one
  // below depth, under every fresh one.
  static constexpr std::uint64_t kSpan = std::uint64_t{1} << 62;

  std::uint64_t priority(std::uint64_t owner) {
    auto [it, fresh] = priorities_.try_emplace(owner, 0);
    if (fresh) it->second = depth_ + prng_.below(kSpan);
    return it->second;
  }
  std::size_t highest(const std::vector<std::uint64_t>& owners) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < owners.size(); ++i) {
      if (priority(owners[i]) > priority(owners[best])) best = i;
    }
    return best;
  }

  std::uint64_t decide(std::uint64_t position, std::uint64_t, sim::Choice choice,
                       const std::vector<std::uint64_t>* owners) override {
    const auto change = change_points_.find(position);
    if (choice == sim::Choice::kOrder) {
      std::size_t pick = highest(*owners);
      if (change != change_points_.end()) {
        priorities_[(*owners)[pick]] = depth_ - change->second;
        pick = highest(*owners);
      }
      return pick;
    }
    const std::uint64_t owner = sim_ != nullptr && sim_->current() != nullptr ? sim_->current()->serial : 0;
    if (change != change_points_.end()) priorities_[owner] = depth_ - change->second;
    const bool fast = priority(owner) >= depth_ + kSpan / 2;
    return static_cast<std::uint64_t>(fast ? sim::LatencyPick::kLow : sim::LatencyPick::kHigh);
  }

  sim::Prng prng_;
  std::uint64_t depth_;
  std::map<std::uint64_t, std::uint64_t> change_points_;  // position -> its index, from 1
  std::map<std::uint64_t, std::uint64_t> priorities_;     // by process serial
};

std::string ordinal(std::uint64_t n) {
  const std::uint64_t tens = n % 100;
  const char* suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return std::to_string(n) + suffix;
}

}  // namespace

std::string deviation_text(const Deviation& d) {
  const std::string at = " at choice " + std::to_string(d.position);
  if (d.choice == sim::Choice::kExtreme) {
    return std::string("latency at its ") + (d.value == static_cast<std::uint64_t>(sim::LatencyPick::kLow) ? "low" : "high") +
           " end" + at;
  }
  return "the " + ordinal(d.value + 1) + " ready event first" + at;
}

namespace {

// Hashes the world after every event in which the tape made a choice: the
// state from which the choices still to come play out. Its parts: the
// world's models, processes and pending events, the fault plan, and where
// the seed's stream of draws stands.
class StateTracker final : public WorldProbe {
 public:
  struct Point {
    std::uint64_t position = 0;     // choices made before it: the next choice's index
    std::uint64_t hash = 0;
    std::uint64_t trace_count = 0;  // trace records before it
    std::string bytes;              // kept when verifying
  };

  using WriteWorld = std::function<void(models::World&, sim::StateWriter&)>;
  StateTracker(const ChoosingTape& tape, bool keep_bytes, const WriteWorld& write_world)
      : tape_(tape), keep_bytes_(keep_bytes), write_world_(write_world) {}

  void attach(models::World& world, const FaultPlan& plan) override {
    world_ = &world;
    plan_ = &plan;
  }
  void after_event() override {
    if (tape_.points().size() == last_points_) return;
    last_points_ = tape_.points().size();
    Point p;
    p.position = last_points_;
    p.trace_count = world_->sim().trace().count();
    p.hash = hash_now(keep_bytes_ ? &p.bytes : nullptr);
    points_.push_back(std::move(p));
  }
  void finished() override { final_hash_ = hash_now(nullptr); }

  const std::vector<Point>& points() const { return points_; }
  std::uint64_t final_hash() const { return final_hash_; }

 private:
  std::uint64_t hash_now(std::string* bytes) {
    sim::StateWriter out;
    if (write_world_) {
      write_world_(*world_, out);
    } else {
      world_->write_state(out);
    }
    plan_->write_state(out);
    out.tag("tape");
    out.u64(tape_.base_draws());
    if (bytes != nullptr) *bytes = out.bytes();
    return out.hash();
  }

  const ChoosingTape& tape_;
  bool keep_bytes_;
  const WriteWorld& write_world_;
  models::World* world_ = nullptr;
  const FaultPlan* plan_ = nullptr;
  std::size_t last_points_ = 0;
  std::vector<Point> points_;
  std::uint64_t final_hash_ = 0;
};

// Who first reached a state, and with how many deviations: its children
// past that state cover every schedule through it with as many or fewer.
struct Claim {
  std::size_t deviations = 0;
  std::vector<Deviation> path;
  std::uint64_t trace_count = 0;
  std::string bytes;  // verify_hashes, for the first claims only
};

// The first difference between two runs' traces from two points on, in
// words; empty when they are the same.
std::string first_difference(const std::vector<sim::TraceRecord>& a, std::size_t from_a,
                             const std::vector<sim::TraceRecord>& b, std::size_t from_b) {
  const auto text = [](const sim::TraceRecord& r) {
    return sim::format_time(r.at) + " " + r.node + " " + r.kind + " " + r.detail;
  };
  for (std::size_t i = 0;; ++i) {
    const bool end_a = from_a + i >= a.size(), end_b = from_b + i >= b.size();
    if (end_a && end_b) return {};
    if (end_a || end_b) {
      return "record " + std::to_string(i) + " after the state: one run ended, the other went on with " +
             text(end_a ? b[from_b + i] : a[from_a + i]);
    }
    const sim::TraceRecord& x = a[from_a + i];
    const sim::TraceRecord& y = b[from_b + i];
    if (x.at != y.at || x.node != y.node || x.kind != y.kind || x.detail != y.detail) {
      return "record " + std::to_string(i) + " after the state: " + text(x) + " | " + text(y);
    }
  }
}

std::string path_text(const std::vector<Deviation>& path) {
  if (path.empty()) return "the seed's schedule";
  std::string out;
  for (const Deviation& d : path) out += (out.empty() ? "" : "; ") + deviation_text(d);
  return out;
}

}  // namespace

ScheduleSearchResult search_schedules(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                                      const ScheduleSearchOptions& options) {
  assert(options.deviations_max >= 0 && options.runs_max >= 1 && options.pct_depth >= 0);
  const Scenario world = with_faults(scenario, {}, options.keep_script_faults);
  ScheduleSearchResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  result.seed = options.seed;
  result.deviations_max = options.deviations_max;
  result.pct_depth = options.pct_depth;
  sim::DistinctCount interleavings;
  ProgressCurve progress;  // no faults placed: no pairs to cover
  const auto point = [&] { return SearchProgress{result.runs, 0, 0, interleavings.count()}; };
  StateGraph graph(options.graph_states_max);
  std::unordered_map<std::uint64_t, Claim> claims;  // looked up, never iterated
  constexpr std::size_t kBytesKept = 4096;          // claims whose bytes verify_hashes keeps

  // Judges one run; `final_vertex`: its last state in the graph (kNone
  // without state hashing).
  std::set<std::string> to_record;
  const auto judge = [&](const RunReport& report, std::size_t final_vertex) {
    ++result.runs;
    interleavings.add(report.order_hash);
    if (progress.due(result.runs)) progress.add(point());
    if (report.outcome != RunOutcome::kJudged) ++result.unjudged[outcome_name(report.outcome)];
    std::set<std::string> violated;
    for (const checks::Violation& v : report.violations) {
      if (!violated.insert(v.invariant).second) continue;
      ++result.violating_runs[v.invariant];
      graph.mark_violating(final_vertex, v.invariant);
      if (result.first.count(v.invariant)) continue;
      ScheduleCounterexample& c = result.first[v.invariant];
      c.invariant = v.invariant;
      c.intent = v.intent;
      c.evidence = v.evidence;
      c.run = result.runs;
      c.seconds = options.elapsed ? options.elapsed() : 0;
      const std::size_t steps = graph.distance(final_vertex);
      c.path_steps = steps == StateGraph::kNone ? 0 : steps;
      to_record.insert(v.invariant);
    }
    if (!violated.empty()) ++result.runs_with_violations;
  };
  // The counterexample's schedule, from a second run of the same tape with
  // its steps kept (only for the few runs that found something new).
  const auto record = [&](ChoosingTape& again, const std::vector<Deviation>& deviations, std::uint64_t pct_run) {
    RunReport replay = run_on_tape(world, strategy, options.seed, again, sim::TraceLevel::kHash, true);
    replay.schedule.tape = again.recorded();
    for (const std::string& invariant : to_record) {
      ScheduleCounterexample& c = result.first[invariant];
      c.deviations = deviations;
      c.pct_run = pct_run;
      c.schedule = replay.schedule;
    }
    to_record.clear();
  };
  // Two paths to one state must go on alike with the same later choices
  // (every one the default: both are past their deviations).
  const auto verify = [&](const Claim& claim, const std::vector<Deviation>& path, const StateTracker::Point& here) {
    ++result.hash_checks;
    if (!claim.bytes.empty() && !here.bytes.empty() && claim.bytes != here.bytes) {
      throw StateHashMismatch("state hash " + sim::hash_hex(here.hash) + " stands for two states (" +
                              path_text(claim.path) + " | " + path_text(path) + "): a collision");
    }
    DeviationTape first(options.seed, claim.path), second(options.seed, path);
    const RunReport a = run_on_tape(world, strategy, options.seed, first, sim::TraceLevel::kFull, false);
    const RunReport b = run_on_tape(world, strategy, options.seed, second, sim::TraceLevel::kFull, false);
    std::string difference = first_difference(a.trace, claim.trace_count, b.trace, here.trace_count);
    std::set<std::string> va, vb;
    for (const checks::Violation& v : a.violations) va.insert(v.invariant);
    for (const checks::Violation& v : b.violations) vb.insert(v.invariant);
    if (difference.empty() && va != vb) difference = "the same steps, another verdict";
    if (!difference.empty()) {
      throw StateHashMismatch("state hash " + sim::hash_hex(here.hash) + " was reached by " + path_text(claim.path) +
                              " and by " + path_text(path) + ", which then went different ways: " + difference +
                              " (the state hash misses part of the state)");
    }
  };
  // One run: judged, its states added to the graph and claimed; returns
  // the choice position from which its schedule need not be extended (its
  // choice count when no state of it had been explored before).
  const auto run = [&](const std::vector<Deviation>& deviations, std::vector<ChoicePoint>& points_out) {
    DeviationTape tape(options.seed, deviations);
    StateTracker tracker(tape, options.verify_hashes, options.write_world);
    const RunReport report = run_on_tape(world, strategy, options.seed, tape, sim::TraceLevel::kHash, false,
                                         options.hash_states ? &tracker : nullptr);
    points_out = tape.points();
    std::uint64_t extend_until = points_out.size();
    std::size_t final_vertex = StateGraph::kNone;
    if (options.hash_states) {
      std::size_t previous = StateGraph::kStart;
      for (const StateTracker::Point& p : tracker.points()) {
        const std::size_t v = graph.vertex(p.hash);
        graph.step(previous, v);
        previous = v;
      }
      final_vertex = graph.vertex(tracker.final_hash());
      graph.step(previous, final_vertex);
      // Past its last deviation, a state this run reached first is its claim;
      // one reached before ends what its schedule needs extending.
      const std::uint64_t fresh_from = deviations.empty() ? 0 : deviations.back().position + 1;
      for (const StateTracker::Point& p : tracker.points()) {
        if (p.position < fresh_from) continue;
        auto [it, first_time] = claims.try_emplace(p.hash);
        if (first_time) {
          it->second.deviations = deviations.size();
          it->second.path = deviations;
          it->second.trace_count = p.trace_count;
          if (options.verify_hashes && claims.size() <= kBytesKept) it->second.bytes = p.bytes;
          continue;
        }
        assert(it->second.deviations <= deviations.size());  // breadth first
        if (options.verify_hashes && result.hash_checks < options.verify_max) verify(it->second, deviations, p);
        extend_until = p.position;
        ++result.merged;
        break;
      }
    }
    judge(report, final_vertex);
    if (!to_record.empty()) {
      DeviationTape again(options.seed, deviations);
      record(again, deviations, 0);
    }
    return extend_until;
  };

  const auto cut_now = [&] {
    return result.runs >= options.runs_max || (options.out_of_time && options.out_of_time());
  };

  // The seed's own run: its choice points are the PCT runs' and the first
  // level's.
  std::vector<ChoicePoint> root_points;
  const std::uint64_t root_until = run({}, root_points);
  for (const ChoicePoint& p : root_points) {
    (p.choice == sim::Choice::kOrder ? result.order_points : result.latency_points) += 1;
  }

  bool cut = false;
  if (options.pct_depth > 0) {
    // PCT samples; it never exhausts anything.
    for (std::uint64_t pct_run = 1; !(cut = cut_now()); ++pct_run) {
      PctTape tape(options.seed, pct_run, options.pct_depth, root_points.size());
      judge(run_on_tape(world, strategy, options.seed, tape, sim::TraceLevel::kHash, false), StateGraph::kNone);
      if (!to_record.empty()) {
        PctTape again(options.seed, pct_run, options.pct_depth, root_points.size());
        record(again, {}, pct_run);
      }
    }
  } else {
    // Breadth first over the number of deviations; a schedule's children
    // deviate once more, after its last deviation (and before any state
    // explored before), so each is made once.
    std::deque<std::vector<Deviation>> frontier;
    const auto expand = [&](const std::vector<Deviation>& parent, const std::vector<ChoicePoint>& points,
                            std::uint64_t until) {
      if (static_cast<int>(parent.size()) >= options.deviations_max) return;
      const std::uint64_t from = parent.empty() ? 0 : parent.back().position + 1;
      for (std::uint64_t position = from; position < std::min<std::uint64_t>(until, points.size()); ++position) {
        for (std::uint64_t value = 1; value < points[position].bound; ++value) {
          if (result.runs + frontier.size() >= options.runs_max) {
            cut = true;  // beyond the budget: the space is not exhausted
            return;
          }
          std::vector<Deviation> child = parent;
          child.push_back({position, value, points[position].choice});
          frontier.push_back(std::move(child));
        }
      }
    };
    expand({}, root_points, root_until);
    std::vector<ChoicePoint> points;
    while (!frontier.empty()) {
      if (cut_now()) {
        cut = true;
        break;
      }
      const std::vector<Deviation> deviations = std::move(frontier.front());
      frontier.pop_front();
      const std::uint64_t until = run(deviations, points);
      expand(deviations, points, until);
    }
    if (!frontier.empty()) cut = true;
  }
  result.exhausted = options.pct_depth == 0 && !cut;
  result.interleavings = interleavings.count();
  result.interleavings_exact = interleavings.exact();
  progress.finish(point());
  result.progress = progress.points();
  if (options.hash_states) {
    result.states = graph.states();
    result.state_edges = graph.edges();
    result.graph_truncated = graph.truncated();
    if (options.want_dot) result.dot = graph.dot();
  }
  return result;
}

}  // namespace idemlab::scenarios
