#include "cli/strategy_choice.h"

#include "cli/commands.h"

namespace idemlab::cli {

const strategies::StrategyInfo& strategy_named(const std::string& name) {
  const strategies::StrategyInfo* info = strategies::find_strategy(name);
  if (info == nullptr) throw UsageError("--strategy: unknown strategy '" + name + "'");
  return *info;
}

std::vector<const strategies::StrategyInfo*> strategies_named(const std::vector<std::string>& names) {
  std::vector<const strategies::StrategyInfo*> out;
  for (const std::string& name : names) out.push_back(&strategy_named(name));
  if (out.empty()) {
    for (const strategies::StrategyInfo& info : strategies::all_strategies()) out.push_back(&info);
  }
  return out;
}

std::uint64_t seed_for(const std::string& source, const scenarios::Scenario& scenario,
                       const strategies::StrategyInfo& strategy, std::uint64_t seed, bool seed_given) {
  if (!scenario.schedule || seed_given) return seed;
  if (scenario.schedule->strategy != strategy.name) {
    throw UsageError(source + ": $.schedule.strategy: recorded with " + scenario.schedule->strategy + ", not " +
                     strategy.name + " (pass --seed to run it afresh)");
  }
  return scenario.schedule->seed;
}

}  // namespace idemlab::cli
