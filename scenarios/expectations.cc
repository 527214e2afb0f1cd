#include "scenarios/expectations.h"

namespace idemlab::scenarios {

std::optional<std::set<std::string>> expected_breaks(const Scenario& scenario, const strategies::StrategyInfo& strategy) {
  if (const auto stated = scenario.expect.find(strategy.name); stated != scenario.expect.end()) return stated->second;
  if (!scenario.shipped || !strategy.breaks) return std::nullopt;
  const auto named = strategy.breaks->find(scenario.name);
  return named == strategy.breaks->end() ? std::set<std::string>{} : named->second;
}

}  // namespace idemlab::scenarios
