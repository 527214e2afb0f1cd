// --calibration FILE: a world calibrated from `idemlab calibrate --real`
// (models/calibration.h), for the commands that run scenarios.
#pragma once

#include <string>

#include "scenarios/scenario.h"

namespace idemlab::cli {

// Applies the file to the scenario's world. A file that does not load, or
// lacks an operation, is a UsageError naming the file and the JSON path.
void apply_calibration_file(const std::string& path, scenarios::Scenario& scenario);

}  // namespace idemlab::cli
