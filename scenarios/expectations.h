// What a strategy is expected to do in a scenario, when anything is: the
// script's own expectation for it ($.expect) if it states one; else, for a
// scenario shipped with idemlab, the strategy's statement of what it is
// known to break (StrategyInfo::breaks): those invariants where it names
// the scenario, none where it does not. A strategy without a statement,
// and a script of the user's without $.expect, have no expectation: such a
// strategy is swept and reported, never held to one.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "scenarios/scenario.h"
#include "strategies/strategy.h"

namespace idemlab::scenarios {

std::optional<std::set<std::string>> expected_breaks(const Scenario& scenario, const strategies::StrategyInfo& strategy);

}  // namespace idemlab::scenarios
