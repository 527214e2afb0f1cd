// The scenario scripts shipped with idemlab, embedded in the binary:
//   failures/   the seven failure scenarios users know: client retry after a
//               lost response, network timeout, duplicate webhook delivery,
//               concurrent identical requests, partial failure (a crash
//               between two writes), worker retry, message redelivery;
//   catalogue/  specific interleavings, each showing one way a strategy or a
//               textbook variant breaks (or holds);
//   load/       workloads without faults, for what strategies cost (not in
//               the sweep tables: `idemlab calibrate --compare` runs them).
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

struct ShippedScript {
  const char* path;  // relative to scenarios/, e.g. "failures/5-partial_failure.json"
  const char* text;
};
// Generated at build time from the scripts in the source tree.
const std::vector<ShippedScript>& shipped_scripts();

// Parsed once, each in the order of its file names' numbers.
const std::vector<Scenario>& failure_scenarios();
const std::vector<Scenario>& catalogue_scenarios();
const std::vector<Scenario>& load_scenarios();
// The failures and the catalogue, failures first (the interleavings the
// sweep tables and validate cover).
std::vector<Scenario> shipped_scenarios();

// A shipped scenario (of any folder) by name, or a script file by path (anything ending in
// .json). Throws ScenarioError naming the known scenarios when neither.
Scenario find_scenario(const std::string& name_or_path);

}  // namespace idemlab::scenarios
