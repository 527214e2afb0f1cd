// Writing a scenario script with a recorded schedule (`idemlab run --record`):
// the original script, its fields in their order, with a "schedule" object
// holding the strategy, the seed, the faults taken, the steps and the tape.
#pragma once

#include <string>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// REQUIRES: scenario.source holds the script's JSON text.
std::string script_with_schedule(const Scenario& scenario, const Schedule& schedule);

}  // namespace idemlab::scenarios
