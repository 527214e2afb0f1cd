// A real run beside the simulated one: where they differ, in words. They
// agree when every intent was charged as many times and got the same last
// answer, and the same invariants were violated. (Retries in between may
// differ in number: the wall clock is not the simulated one.) Runs that
// follow a recorded schedule must also both have followed it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::realmode {

std::vector<std::string> differences(const scenarios::RunReport& simulated, const scenarios::RunReport& real);
// The verdict. `drawn`: the scenario's faults are drawn call by call (a
// failure scenario), and the wall clock orders the draws otherwise than
// simulated time, so the runs agree when they violate the same invariants;
// else (targeted faults) when there is no difference at all.
bool agree(const scenarios::RunReport& simulated, const scenarios::RunReport& real, bool drawn);
std::set<std::string> violated_invariants(const scenarios::RunReport& report);
// "a, b", or "none".
std::string invariants_text(const std::set<std::string>& invariants);

}  // namespace idemlab::realmode
