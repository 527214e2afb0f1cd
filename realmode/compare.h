// A real run beside the simulated one: where they differ, in words. They
// agree when every intent was charged as many times and got the same last
// answer, and the same invariants were violated. (Retries in between may
// differ in number: the wall clock is not the simulated one.)
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::realmode {

std::vector<std::string> differences(const scenarios::RunReport& simulated, const scenarios::RunReport& real);
std::set<std::string> violated_invariants(const scenarios::RunReport& report);
// "a, b", or "none".
std::string invariants_text(const std::set<std::string>& invariants);

}  // namespace idemlab::realmode
