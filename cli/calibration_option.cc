#include "cli/calibration_option.h"

#include <stdexcept>

#include "cli/commands.h"
#include "models/calibration.h"
#include "sim/latency.h"

namespace idemlab::cli {

void apply_calibration_file(const std::string& path, scenarios::Scenario& scenario) {
  try {
    models::apply_calibration(models::load_calibration(path), path, scenario.world);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

}  // namespace idemlab::cli
