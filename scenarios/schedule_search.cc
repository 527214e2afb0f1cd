#include "scenarios/schedule_search.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <set>

#include "scenarios/explore.h"
#include "sim/distinct_count.h"
#include "sim/prng.h"
#include "sim/simulator.h"

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
    return value;
  }
  sim::LatencyPick latency_pick() override {
    return static_cast<sim::LatencyPick>(choose(sim::kLatencyPicks, sim::Choice::kExtreme, nullptr));
  }
  std::uint64_t pick_order(const std::vector<std::uint64_t>& owners) override {
    return choose(owners.size(), sim::Choice::kOrder, &owners);
  }

  const std::vector<ChoicePoint>& points() const { return points_; }
  const std::vector<sim::Draw>& recorded() const { return recorded_; }

 protected:
  // The option at the `position`th choice point. `owners`: for an order
  // choice, each ready event's process serial.
  virtual std::uint64_t decide(std::uint64_t position, std::uint64_t bound, sim::Choice choice,
                               const std::vector<std::uint64_t>* owners) = 0;

 private:
  std::uint64_t choose(std::uint64_t bound, sim::Choice choice, const std::vector<std::uint64_t>* owners) {
    const std::uint64_t value = decide(points_.size(), bound, choice, owners);
    assert(value < bound);
    points_.push_back({bound, choice});
    recorded_.push_back(sim::Draw{bound, value, choice});
    return value;
  }

  sim::RandomTape base_;
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
  void attach(const sim::Simulator& simulator) override { sim_ = &simulator; }

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
  const sim::Simulator* sim_ = nullptr;
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

  // Judges one run; true when it broke an invariant not seen broken before
  // (its counterexample is then to be recorded).
  std::set<std::string> to_record;
  const auto judge = [&](const RunReport& report) {
    ++result.runs;
    interleavings.add(report.order_hash);
    if (report.outcome != RunOutcome::kJudged) ++result.unjudged[outcome_name(report.outcome)];
    std::set<std::string> violated;
    for (const checks::Violation& v : report.violations) {
      if (!violated.insert(v.invariant).second) continue;
      ++result.violating_runs[v.invariant];
      if (result.first.count(v.invariant)) continue;
      ScheduleCounterexample& c = result.first[v.invariant];
      c.invariant = v.invariant;
      c.intent = v.intent;
      c.evidence = v.evidence;
      c.run = result.runs;
      c.seconds = options.elapsed ? options.elapsed() : 0;
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

  const auto cut_now = [&] {
    return result.runs >= options.runs_max || (options.out_of_time && options.out_of_time());
  };

  // The seed's own run: its choice points are the PCT runs' and the first
  // level's.
  std::vector<ChoicePoint> root_points;
  {
    DeviationTape tape(options.seed, {});
    judge(run_on_tape(world, strategy, options.seed, tape, sim::TraceLevel::kHash, false));
    root_points = tape.points();
    if (!to_record.empty()) {
      DeviationTape again(options.seed, {});
      record(again, {}, 0);
    }
  }
  for (const ChoicePoint& p : root_points) {
    (p.choice == sim::Choice::kOrder ? result.order_points : result.latency_points) += 1;
  }

  bool cut = false;
  if (options.pct_depth > 0) {
    // PCT samples; it never exhausts anything.
    for (std::uint64_t run = 1; !(cut = cut_now()); ++run) {
      PctTape tape(options.seed, run, options.pct_depth, root_points.size());
      judge(run_on_tape(world, strategy, options.seed, tape, sim::TraceLevel::kHash, false));
      if (!to_record.empty()) {
        PctTape again(options.seed, run, options.pct_depth, root_points.size());
        record(again, {}, run);
      }
    }
  } else {
    // Breadth first over the number of deviations; a schedule's children
    // deviate once more, after its last deviation, so each is made once.
    std::deque<std::vector<Deviation>> frontier;
    const auto expand = [&](const std::vector<Deviation>& parent, const std::vector<ChoicePoint>& points) {
      if (static_cast<int>(parent.size()) >= options.deviations_max) return;
      const std::uint64_t from = parent.empty() ? 0 : parent.back().position + 1;
      for (std::uint64_t position = from; position < points.size(); ++position) {
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
    expand({}, root_points);
    while (!frontier.empty()) {
      if (cut_now()) {
        cut = true;
        break;
      }
      const std::vector<Deviation> deviations = std::move(frontier.front());
      frontier.pop_front();
      DeviationTape tape(options.seed, deviations);
      judge(run_on_tape(world, strategy, options.seed, tape, sim::TraceLevel::kHash, false));
      if (!to_record.empty()) {
        DeviationTape again(options.seed, deviations);
        record(again, deviations, 0);
      }
      expand(deviations, tape.points());
    }
    if (!frontier.empty()) cut = true;
  }
  result.exhausted = options.pct_depth == 0 && !cut;
  result.interleavings = interleavings.count();
  result.interleavings_exact = interleavings.exact();
  return result;
}

}  // namespace idemlab::scenarios
