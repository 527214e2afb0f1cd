// Strategies as the command line names them: --strategy NAME, repeatable.
#pragma once

#include <string>
#include <vector>

#include "strategies/strategy.h"

namespace idemlab::cli {

// Throws UsageError naming --strategy when `name` is no strategy.
const strategies::StrategyInfo& strategy_named(const std::string& name);
// Every strategy when `names` is empty.
std::vector<const strategies::StrategyInfo*> strategies_named(const std::vector<std::string>& names);

}  // namespace idemlab::cli
