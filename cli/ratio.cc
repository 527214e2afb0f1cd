#include "cli/commands.h"

namespace idemlab::cli {

sim::Ratio parse_ratio(const std::string& text, const std::string& option) {
  const std::optional<sim::Ratio> ratio = sim::parse_ratio(text);
  if (!ratio) throw UsageError(option + ": \"" + text + "\" is not a probability: write N/D with N <= D, or 0, or 1");
  return *ratio;
}

}  // namespace idemlab::cli
