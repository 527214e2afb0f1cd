// libFuzzer over the scenario loader alone, fast enough for tens of millions
// of executions (scenario_fuzz adds a bounded run, and runs far slower).
// Every input must end as a ScenarioError or as a scenario; an accepted
// script rewritten the way explore and shrink write their counterexamples
// must load again, with the same faults. Anything else (a crash, an
// assertion, a sanitizer report, a leak, an exception escaping) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace idemlab;
  const std::string text(reinterpret_cast<const char*>(data), size);
  scenarios::Scenario scenario;
  try {
    scenario = scenarios::parse_scenario(text, "fuzz");
  } catch (const scenarios::ScenarioError&) {
    return 0;  // an error naming the path: what bad input must get
  }
  const std::string rewritten = scenarios::script_with_faults(scenario, scenario.faults);
  const scenarios::Scenario again = scenarios::parse_scenario(rewritten, "fuzz, rewritten");
  if (again.faults.size() != scenario.faults.size() || again.world.clients != scenario.world.clients) __builtin_trap();
  for (std::size_t i = 0; i < again.faults.size(); ++i) {
    const scenarios::TargetedFault& a = scenario.faults[i];
    const scenarios::TargetedFault& b = again.faults[i];
    if (a.point != b.point || a.nth != b.nth || a.action != b.action || a.downtime != b.downtime ||
        a.downtime_max != b.downtime_max || a.delay != b.delay) {
      __builtin_trap();
    }
  }
  return 0;
}
