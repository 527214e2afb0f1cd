// Writing scenario scripts: with a recorded schedule (`idemlab run
// --record`): the original script, its fields in their order, with a
// "schedule" object holding the strategy, the seed, the faults taken, the
// steps and the tape; or with other faults (`idemlab explore`).
#pragma once

#include <string>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// REQUIRES: scenario.source holds the script's JSON text.
std::string script_with_schedule(const Scenario& scenario, const Schedule& schedule);

// The script with its "faults" replaced by `faults` and any schedule
// removed (explore's counterexamples). REQUIRES: as above.
std::string script_with_faults(const Scenario& scenario, const std::vector<TargetedFault>& faults);
// The same from a script's JSON text (a world that swarm redrew).
std::string script_with_faults(const std::string& source, const std::vector<TargetedFault>& faults);

}  // namespace idemlab::scenarios
