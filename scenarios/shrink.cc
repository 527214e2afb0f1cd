#include "scenarios/shrink.h"

#include <cassert>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"

namespace idemlab::scenarios {
namespace {

using nlohmann::ordered_json;

// A latency distribution that is not a constant, as the loader reads one:
// an object with exactly one of uniform, exponential, log_normal.
bool is_random_latency(const ordered_json& value) {
  return value.is_object() && value.size() == 1 &&
         (value.contains("uniform") || value.contains("exponential") || value.contains("log_normal"));
}

// Where each random latency of the script is (schedules hold none).
void random_latencies(const ordered_json& value, const ordered_json::json_pointer& at,
                      std::vector<ordered_json::json_pointer>& out) {
  if (is_random_latency(value)) {
    out.push_back(at);
    return;
  }
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) random_latencies(member, at / key, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) random_latencies(value[i], at / i, out);
  }
}

std::optional<sim::Duration> duration_of(const ordered_json& value) {
  return value.is_string() ? sim::parse_duration(value.get<std::string>()) : std::nullopt;
}

// The distribution's median as a constant, or nothing if the script's value
// is malformed (the loader would have refused it; kept as it is).
std::optional<ordered_json> median_constant(const ordered_json& latency) {
  std::optional<sim::Duration> median;
  if (latency.contains("log_normal") && latency["log_normal"].is_object() && latency["log_normal"].contains("median")) {
    median = duration_of(latency["log_normal"]["median"]);
  } else if (latency.contains("exponential")) {
    // The median of an exponential distribution is its mean times ln 2.
    if (const auto mean = duration_of(latency["exponential"])) median = *mean / 1000 * 693 + *mean % 1000 * 693 / 1000;
  } else if (latency.contains("uniform") && latency["uniform"].is_array() && latency["uniform"].size() == 2) {
    const auto low = duration_of(latency["uniform"][0]);
    const auto high = duration_of(latency["uniform"][1]);
    if (low && high) median = *low + (*high - *low) / 2;
  }
  if (!median) return std::nullopt;
  return ordered_json{{"constant", sim::duration_text(*median)}};
}

ScriptSize size_of(const Scenario& s, const ordered_json& root) {
  ScriptSize size;
  size.faults = s.faults.size();
  size.clients = s.world.clients;
  size.intents = s.world.client.intents;
  size.attempts = s.world.client.retry.attempts_max;
  std::vector<ordered_json::json_pointer> latencies;
  random_latencies(root, ordered_json::json_pointer(), latencies);
  size.random_latencies = latencies.size();
  return size;
}

class Shrinker {
 public:
  Shrinker(const strategies::StrategyInfo& strategy, const ShrinkOptions& options, std::string invariant)
      : strategy_(strategy), options_(options), invariant_(std::move(invariant)) {}

  std::uint64_t runs() const { return runs_; }
  bool cut() const { return cut_; }

  // Whether `candidate` still fails. A candidate the loader refuses (an
  // integer below its minimum, say) does not.
  bool fails(const ordered_json& candidate) {
    if (cut_ || (options_.out_of_time && options_.out_of_time())) {
      cut_ = true;
      return false;
    }
    ++runs_;
    try {
      const Scenario s = parse_scenario(candidate.dump(), "the shrunk script");
      return violates(run_once(s, strategy_, options_.seed), invariant_);
    } catch (const ScenarioError&) {
      return false;
    }
  }

  // Each step keeps `root` failing; true if it changed it.
  bool drop_faults(ordered_json& root) {
    bool changed = false;
    if (!root.contains("faults") || !root["faults"].is_array()) return false;
    for (std::size_t i = root["faults"].size(); i-- > 0;) {
      ordered_json candidate = root;
      candidate["faults"].erase(i);
      if (fails(candidate)) {
        root = std::move(candidate);
        changed = true;
      }
    }
    return changed;
  }

  // The smallest value from 1 up that still fails, at `pointer`, when it is
  // below `current`.
  bool lower(ordered_json& root, const ordered_json::json_pointer& pointer, int current) {
    for (int value = 1; value < current; ++value) {
      ordered_json candidate = root;
      candidate[pointer] = value;
      if (fails(candidate)) {
        root = std::move(candidate);
        return true;
      }
    }
    return false;
  }

  bool flatten_latencies(ordered_json& root) {
    std::vector<ordered_json::json_pointer> latencies;
    random_latencies(root, ordered_json::json_pointer(), latencies);
    bool changed = false;
    for (const auto& at : latencies) {
      const std::optional<ordered_json> constant = median_constant(root[at]);
      if (!constant) continue;
      ordered_json candidate = root;
      candidate[at] = *constant;
      if (fails(candidate)) {
        root = std::move(candidate);
        changed = true;
      }
    }
    return changed;
  }

 private:
  const strategies::StrategyInfo& strategy_;
  const ShrinkOptions& options_;
  std::string invariant_;
  std::uint64_t runs_ = 0;
  bool cut_ = false;
};

}  // namespace

ScriptSize script_size(const Scenario& scenario) {
  ordered_json root = ordered_json::parse(scenario.source);
  root.erase("schedule");
  return size_of(scenario, root);
}

ShrinkResult shrink(const Scenario& scenario, const strategies::StrategyInfo& strategy, const ShrinkOptions& options) {
  assert(!scenario.source.empty());
  ShrinkResult result;
  Scenario input = scenario;
  input.schedule.reset();
  const RunReport first = run_once(input, strategy, options.seed);
  result.runs = 1;
  if (first.violations.empty()) return result;
  result.invariant = options.invariant.empty() ? first.violations.front().invariant : options.invariant;
  if (!violates(first, result.invariant)) return result;
  result.reproduced = true;

  ordered_json root = ordered_json::parse(scenario.source);
  root.erase("schedule");
  result.before = size_of(input, root);
  Shrinker shrinker(strategy, options, result.invariant);
  // Greedy passes until none helps: each change kept only if the run from
  // the same seed still breaks the same invariant.
  for (bool changed = true; changed && !shrinker.cut();) {
    changed = shrinker.drop_faults(root);
    const Scenario now = parse_scenario(root.dump(), "the shrunk script");
    changed |= shrinker.lower(root, ordered_json::json_pointer("/clients"), now.world.clients);
    changed |= shrinker.lower(root, ordered_json::json_pointer("/workload/intents"), now.world.client.intents);
    changed |= shrinker.lower(root, ordered_json::json_pointer("/client/retry/attempts_max"),
                              now.world.client.retry.attempts_max);
    changed |= shrinker.flatten_latencies(root);
  }
  result.runs += shrinker.runs();
  result.cut = shrinker.cut();

  const Scenario shrunk = parse_scenario(root.dump(), "the shrunk script");
  result.after = size_of(shrunk, root);
  result.shrunk_run = run_once(shrunk, strategy, options.seed, sim::TraceLevel::kHash, RunMode::kRecord);
  ++result.runs;
  // Kept through every step, so the recorded run fails too.
  assert(violates(result.shrunk_run, result.invariant));
  result.script = script_with_schedule(shrunk, result.shrunk_run.schedule);
  const Scenario replay = parse_scenario(result.script, "the shrunk script");
  result.replays = violates(run_once(replay, strategy, options.seed, sim::TraceLevel::kHash, RunMode::kReplay),
                            result.invariant);
  ++result.runs;
  return result;
}

}  // namespace idemlab::scenarios
