// Strategies as the command line names them: --strategy NAME, repeatable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "strategies/strategy.h"

namespace idemlab::cli {

// Throws UsageError naming --strategy when `name` is no strategy.
const strategies::StrategyInfo& strategy_named(const std::string& name);
// Every strategy when `names` is empty.
std::vector<const strategies::StrategyInfo*> strategies_named(const std::vector<std::string>& names);

// The seed a run of `scenario` (read from `source`) takes: its recorded
// schedule's, when it has one and no --seed was given, else `seed`. Throws
// UsageError naming $.schedule.strategy when that schedule was recorded
// with another strategy than `strategy`.
std::uint64_t seed_for(const std::string& source, const scenarios::Scenario& scenario,
                       const strategies::StrategyInfo& strategy, std::uint64_t seed, bool seed_given);

}  // namespace idemlab::cli
