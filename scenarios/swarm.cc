#include "scenarios/swarm.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"
#include "sim/distinct_count.h"
#include "sim/prng.h"

namespace idemlab::scenarios {
namespace {

using nlohmann::ordered_json;
using Action = TargetedFault::Action;

constexpr Action kActions[] = {Action::kCrash,        Action::kDropReply,     Action::kDropRequest,
                               Action::kDuplicate,    Action::kDelay,         Action::kRestartRedis,
                               Action::kFailoverRedis, Action::kRestartPostgres, Action::kRestartBroker};

// Log-uniform in [low, high], on a grid of a million steps.
sim::Duration log_uniform(sim::Prng& prng, sim::Duration low, sim::Duration high) {
  const double u = static_cast<double>(prng.below(1000001)) / 1e6;
  const double d = static_cast<double>(low) * std::pow(static_cast<double>(high) / static_cast<double>(low), u);
  return static_cast<sim::Duration>(d);
}

// Rounded to the millisecond, so that a written script reads well.
std::string ms_text(sim::Duration d) {
  return sim::duration_text(std::max<sim::Duration>(sim::kMillisecond, d / sim::kMillisecond * sim::kMillisecond));
}

// Redraws some of the world's parameters in `root`; says which.
std::vector<std::string> redraw(ordered_json& root, sim::Prng& prng) {
  std::vector<std::string> drawn;
  const auto coin = [&prng] { return prng.below(2) == 0; };
  if (coin()) {
    const std::string ttl = ms_text(log_uniform(prng, 500 * sim::kMillisecond, 60 * sim::kSecond));
    root["strategy_options"]["lock_ttl"] = ttl;
    drawn.push_back("lock_ttl=" + ttl);
  }
  if (coin()) {
    const std::string timeout = ms_text(log_uniform(prng, 200 * sim::kMillisecond, 5 * sim::kSecond));
    root["client"]["request_timeout"] = timeout;
    drawn.push_back("request_timeout=" + timeout);
  }
  if (coin()) {
    const int attempts = 1 + static_cast<int>(prng.below(20));
    root["client"]["retry"]["attempts_max"] = attempts;
    drawn.push_back("attempts_max=" + std::to_string(attempts));
  }
  if (coin()) {
    const sim::Duration median = log_uniform(prng, 10 * sim::kMillisecond, 5 * sim::kSecond);
    root["processor"]["processing_time"] = {
        {"log_normal", {{"median", ms_text(median)}, {"sigma", 0.4}, {"cap", ms_text(4 * median)}}}};
    drawn.push_back("processor_median=" + ms_text(median));
  }
  if (coin()) {
    static const char* const kClicks[] = {"0", "1/2", "1"};
    const char* click = kClicks[prng.below(3)];
    root["workload"]["double_click"] = click;
    drawn.push_back(std::string("double_click=") + click);
  }
  if (coin()) {
    const int workers = 1 + static_cast<int>(prng.below(8));
    root["service"]["workers"] = workers;
    drawn.push_back("workers=" + std::to_string(workers));
  }
  return drawn;
}

std::string pair_key(const TargetedFault& f) {
  return f.point + "#" + std::to_string(f.nth) + "=" + action_name(f.action) + "/" + std::to_string(f.delay);
}

}  // namespace

SwarmResult swarm(const Scenario& scenario, const strategies::StrategyInfo& strategy, const SwarmOptions& options) {
  assert(!scenario.source.empty() && options.runs_max >= 1 && options.faults_max >= 0);
  SwarmResult result;
  sim::Prng prng(options.seed);
  ordered_json base = ordered_json::parse(scenario.source);
  base.erase("schedule");

  // Every (site, action) pair any run could have placed, in the order seen,
  // and whether a run has placed it.
  std::vector<TargetedFault> pool;
  std::vector<char> placed;                    // per pool entry
  std::map<std::string, std::size_t> indexed;  // pair -> its pool entry
  const ExploreOptions every_action;
  sim::DistinctCount interleavings;
  std::uint64_t covered = 0;  // pool entries placed
  ProgressCurve progress;
  const auto point = [&] { return SearchProgress{result.runs, covered, pool.size(), interleavings.count()}; };
  while (result.runs < options.runs_max) {
    if (options.out_of_time && options.out_of_time()) {
      result.cut = true;
      break;
    }
    ordered_json root = base;
    std::vector<std::string> drawn = redraw(root, prng);
    std::set<Action> enabled;
    for (Action a : kActions) {
      if (prng.below(2) == 0) enabled.insert(a);
    }
    std::vector<std::size_t> eligible, fresh;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      if (!enabled.count(pool[i].action)) continue;
      eligible.push_back(i);
      if (!placed[i]) fresh.push_back(i);
    }
    std::vector<TargetedFault> faults;
    std::vector<std::size_t> chosen;
    const std::uint64_t count = eligible.empty() ? 0 : prng.below(static_cast<std::uint64_t>(options.faults_max) + 1);
    for (std::uint64_t k = 0; k < count; ++k) {
      // Three times in four a pair no run has placed yet, while there is one.
      const bool prefer_fresh = !fresh.empty() && prng.below(4) != 0;
      const std::vector<std::size_t>& from = prefer_fresh ? fresh : eligible;
      chosen.push_back(from[prng.below(from.size())]);
      faults.push_back(pool[chosen.back()]);
    }
    const std::string script = script_with_faults(root.dump(), faults);
    const std::uint64_t run_seed = prng.next();
    ++result.runs;
    Scenario world;
    try {
      world = parse_scenario(script, scenario.name + " (swarm run " + std::to_string(result.runs) + ")");
    } catch (const ScenarioError&) {
      ++result.unjudged["refused by the loader"];  // a draw the ranges should not make
      continue;
    }
    RunReport report;
    try {
      report = run_once(world, strategy, run_seed, sim::TraceLevel::kHash, RunMode::kSites);
    } catch (const std::exception&) {
      ++result.unjudged["error"];
      continue;
    }
    interleavings.add(report.order_hash);
    for (std::size_t i : chosen) {
      covered += placed[i] == 0 ? 1 : 0;
      placed[i] = 1;
    }
    for (TargetedFault& f : fault_candidates(report, world.world, every_action)) {
      if (indexed.emplace(pair_key(f), pool.size()).second) {
        pool.push_back(std::move(f));
        placed.push_back(0);
      }
    }
    if (progress.due(result.runs)) progress.add(point());
    if (report.outcome != RunOutcome::kJudged) ++result.unjudged[outcome_name(report.outcome)];
    // A client whose attempts were redrawn may give up before its intent
    // resolves: its choice, not the strategy's fault.
    const bool attempts_redrawn =
        std::any_of(drawn.begin(), drawn.end(), [](const std::string& d) { return d.rfind("attempts_max=", 0) == 0; });
    std::set<std::string> violated;
    for (const checks::Violation& v : report.violations) {
      if (attempts_redrawn && v.invariant == checks::kEveryIntentResolved) continue;
      if (!violated.insert(v.invariant).second) continue;
      ++result.violating_runs[v.invariant];
      if (result.first.count(v.invariant)) continue;
      SwarmFinding& found = result.first[v.invariant];
      found.invariant = v.invariant;
      found.run = result.runs;
      found.seed = run_seed;
      found.script = script;
      found.drawn = drawn;
      found.faults = faults;
      found.intent = v.intent;
      found.evidence = v.evidence;
      found.seconds = options.elapsed ? options.elapsed() : 0;
    }
  }
  result.pairs_seen = pool.size();
  for (char was_placed : placed) result.pairs_covered += was_placed != 0;
  result.interleavings = interleavings.count();
  result.interleavings_exact = interleavings.exact();
  assert(result.pairs_covered == covered);
  progress.finish(point());
  result.progress = progress.points();
  return result;
}

}  // namespace idemlab::scenarios
