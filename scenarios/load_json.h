// The parts of a script that shape load: open-loop arrivals
// ($.workload.arrivals), the client's circuit breaker ($.client.breaker)
// and windows of downstream trouble ($.episodes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "models/clients/arrivals.h"
#include "models/clients/circuit_breaker.h"
#include "models/processor/processor.h"
#include "scenarios/script_reader.h"

namespace idemlab::scenarios {

// {"rate_per_s": R} or {"profile": [{"at": "0s", "rate_per_s": R}, ...]}.
models::clients::ArrivalProfile read_arrivals(const Reader& r, const nlohmann::json& value, const std::string& path);
// {"failures_to_open": N, "open_for": "5s", "half_open_probes": 1}.
models::clients::BreakerConfig read_breaker(const Reader& r, const nlohmann::json& value, const std::string& path);
// [{"at": "30s", "for": "30s", "processor": {"slowdown": 10, "errors": "1/5"}}, ...].
std::vector<models::processor::ProcessorEpisode> read_episodes(const Reader& r, const nlohmann::json& value);

// Intents a second as thousandths (the arrivals' unit); at most a million a second.
std::int64_t read_rate(const Reader& r, const nlohmann::json& value, const std::string& path);

}  // namespace idemlab::scenarios
