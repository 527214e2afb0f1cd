// The latency percentiles a results file records of a set of samples, as
// idemlab plot reads them back (plots/live_results.h):
// {"samples": N, "p5": ns, "p50": ns, "p95": ns, "p99": ns}.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "checks/latency.h"

namespace idemlab::cli {

inline nlohmann::ordered_json latency_json(const std::vector<sim::Duration>& samples) {
  nlohmann::ordered_json out = {{"samples", samples.size()}};
  for (const auto& [name, q] : {std::pair{"p5", 0.05}, {"p50", 0.50}, {"p95", 0.95}, {"p99", 0.99}}) {
    out[name] = samples.empty() ? 0 : checks::percentile(samples, q);
  }
  return out;
}

}  // namespace idemlab::cli
