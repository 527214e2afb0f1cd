// `idemlab load --json` results, read back strictly for the figures: each
// point's strategy, settings and the figures drawn from it. A file that is
// not one (another format, a field missing or of the wrong type) is a
// PlotError naming the file and the JSON path.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace idemlab::plots {

inline constexpr const char* kLoadFormat = "idemlab-load/1";

struct LoadPoint {
  std::string strategy;
  std::map<std::string, std::string> settings;  // the grid's values at this point ("retry": "exponential")
  std::uint64_t runs = 0;
  std::uint64_t intents = 0;
  double success_rate = 0;
  double offered_per_s = 0;
  double goodput_per_s = 0;
  double attempts_per_intent = 0;
  std::uint64_t attempts = 0;
  double latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0;
  double completion_p50_ns = 0;
  std::int64_t redis_bytes = 0, postgres_bytes = 0;
  std::uint64_t broker_messages = 0;
  std::map<std::string, std::uint64_t> violations;  // invariant -> runs
  std::map<std::string, double> round_trips_per_intent;  // backend -> calls an intent
  std::int64_t bucket_ns = 0;
  std::vector<std::uint64_t> arrivals, successes;  // per bucket
  std::optional<std::pair<std::int64_t, std::int64_t>> trigger;  // from, until (ns)
};

struct LoadResults {
  std::string path;
  std::string scenario;
  std::string version;
  std::uint64_t seeds = 0;
  std::uint64_t first_seed = 1;
  std::vector<std::string> parameters;  // the grid's axes, in order
  std::vector<LoadPoint> points;
};

// `where` names the file in errors. Throws PlotError.
LoadResults parse_load_results(const std::string& text, const std::string& where);

}  // namespace idemlab::plots
