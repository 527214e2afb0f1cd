// libFuzzer over the scenario loader and one bounded run of each script it
// loads. Any crash, assertion, sanitizer report, leak or hang is a bug:
// every input must end as a ScenarioError or as a run report.
//
// The run is bounded so that an execution takes milliseconds: at most 3
// clients of 4 intents each and kFuzzEventsMax events. The strategy and the
// seed come from a hash of the input, so that each input is reproducible
// on its own (`build/asan/fuzz/scenario_fuzz crash-<sha1>`).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/scenario.h"
#include "scenarios/scenario_json.h"
#include "sim/hash.h"
#include "strategies/strategy.h"

namespace {

constexpr std::uint64_t kFuzzEventsMax = 20000;

void bound(idemlab::scenarios::Scenario& s) {
  s.world.clients = std::min(s.world.clients, 3);
  s.world.client.intents = std::min(s.world.client.intents, 4);
  s.event_limit = std::min<std::uint64_t>(s.event_limit.value_or(kFuzzEventsMax), kFuzzEventsMax);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemlab;
  const std::string text(reinterpret_cast<const char*>(data), size);
  scenarios::Scenario scenario;
  try {
    scenario = scenarios::parse_scenario(text, "fuzz");
  } catch (const scenarios::ScenarioError&) {
    return 0;  // an error naming the path: what bad input must get
  }
  bound(scenario);
  const std::uint64_t h = sim::fnv1a(text);
  const auto& all = strategies::all_strategies();
  const strategies::StrategyInfo* strategy = &all[h % all.size()];
  scenarios::RunMode mode = scenarios::RunMode::kSeed;
  std::uint64_t seed = h >> 8;
  if (scenario.schedule) {
    strategy = strategies::find_strategy(scenario.schedule->strategy);
    seed = scenario.schedule->seed;
    mode = scenarios::RunMode::kReplay;
  }
  const scenarios::RunReport report = scenarios::run_once(scenario, *strategy, seed, sim::TraceLevel::kHash, mode);
  // Every run ends with an outcome; a judged run has its strategy's name.
  if (report.strategy != strategy->name) __builtin_trap();
  return 0;
}
