// Scenario scripts: the JSON form of a Scenario (format "idemlab-scenario/1",
// described by scenarios/schema.json). Every field but the format and the
// name is optional and defaults to the model's default; unknown fields are
// errors, so that a misspelt setting never passes silently.
#pragma once

#include <stdexcept>
#include <string>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// Bounds that keep every legal script runnable. A duration is at most 400
// days, so that any sum of up to 256 of them stays far from the 64-bit
// nanosecond clock's end (292 years): a run never schedules past it. A
// world holds at most kPaymentsMax payments (clients x intents):
// bench/world measures about 1 KB a payment.
inline constexpr sim::Duration kScriptDurationMax = 400 * 24 * 3600 * sim::kSecond;
inline constexpr std::uint64_t kPaymentsMax = 1000000;
inline constexpr std::uint64_t kBytesPerPaymentEstimate = 1024;
inline constexpr std::size_t kFaultsMax = 1000;

// A scenario script that cannot be used; what() is one line naming the
// origin (a file, or "shipped:<name>"), the JSON path and the problem.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ScenarioError. Strategy and invariant names in "expect" must be
// known; node names in fault points must exist in the world described.
Scenario parse_scenario(const std::string& text, const std::string& origin);

// Reads a scenario script from a file. Throws ScenarioError.
Scenario load_scenario_file(const std::string& path);

}  // namespace idemlab::scenarios
