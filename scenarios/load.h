// Load runs: one scenario at every point of a parameter grid (offered load,
// retry policy, timeout, TTL...), each run by many open-loop intents, and
// what each point cost: success rate, goodput, latency percentiles, retry
// amplification, what admission control shed, storage, the invariants
// violated, goodput over time and, after a trigger, how long it took to
// recover (the metastable failure pattern: Bronson et al., HotOS 2021).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// A value that does not fit: an unknown parameter, an empty grid, load=
// on a script without arrivals. The command line reports it (exit 2).
struct LoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "a,b,,c" split at `separator`: {"a", "b", "", "c"} (empty parts kept,
// for the caller to refuse).
std::vector<std::string> split_list(const std::string& text, char separator);

// One parameter and its values: "retry=none,exponential".
struct LoadParameter {
  std::string name;
  std::vector<std::string> values;
};
// What each parameter means, one line each, for --help and errors.
const std::vector<std::pair<std::string, std::string>>& load_parameter_help();
LoadParameter parse_load_parameter(const std::string& text);

// A point of the grid: one value of each parameter, in the parameters' order.
using LoadPoint = std::vector<std::pair<std::string, std::string>>;
// Every combination, the first parameter varying slowest; one empty point
// for no parameters. Throws LoadError for a parameter given twice or a grid
// of more than kLoadPointsMax points.
inline constexpr std::uint64_t kLoadPointsMax = 10000;
std::vector<LoadPoint> load_grid(const std::vector<LoadParameter>& parameters);
std::string point_label(const LoadPoint& point);  // "load=0.5 retry=none"; "-" for none
// The scenario with the point's values applied. Throws LoadError.
Scenario at_point(const Scenario& base, const LoadPoint& point);

// What runs of one strategy at one point came to, summed over seeds.
struct LoadResult {
  std::string strategy;
  LoadPoint point;
  std::uint64_t runs = 0;
  std::uint64_t unjudged = 0;      // runs that did not converge (or set up)
  std::uint64_t intents = 0;
  std::uint64_t succeeded = 0;     // a 2xx reached the client
  std::uint64_t charged = 0;       // the processor's ledger holds its charge (by the run's end)
  std::uint64_t attempts = 0;
  std::uint64_t shed = 0;
  std::uint64_t short_circuited = 0;
  std::uint64_t charges = 0;
  sim::Duration window = 0;        // sum over runs of first to last arrival
  std::vector<sim::Duration> latencies;  // of each succeeded intent: first attempt to first 2xx
  std::vector<sim::Duration> completions;  // of each intent: first attempt to its last sender's end
  std::vector<sim::Duration> charge_delays;  // of each charged intent: first attempt to its first charge
  std::map<std::string, std::uint64_t> violated;  // invariant -> runs
  StoragePeak storage;             // the most any run held
  std::map<std::string, std::uint64_t> backend_calls;  // all runs' calls to each backend (RunReport's)
  // Per bucket from time 0: intents arrived and intents that succeeded,
  // over the first kTimelineBucketsMax buckets (a day at 1 s).
  sim::Duration bucket = 1 * sim::kSecond;
  std::vector<std::uint64_t> arrivals;
  std::vector<std::uint64_t> successes;
  // The trigger (the scenario's episodes), and when goodput came back.
  std::optional<std::pair<sim::Time, sim::Time>> trigger;
  std::optional<sim::Duration> recovered_after;  // after the trigger's end; nullopt: not within the arrivals

  double success_rate() const;
  double offered_per_s() const;
  double goodput_per_s() const;
  double attempts_per_intent() const;
  sim::Duration latency(double q) const;     // nearest rank; 0 without successes
  sim::Duration completion(double q) const;  // nearest rank; 0 without intents
  sim::Duration charge_delay(double q) const;  // nearest rank; 0 without charges
  double charged_rate() const;
};

inline constexpr std::size_t kTimelineBucketsMax = 86400;

// Adds one run's report (REQUIRES: of this strategy and point).
void add_run(LoadResult& into, const Scenario& scenario, const RunReport& report);
// Adds the runs of other seeds at the same strategy and point.
void merge_into(LoadResult& into, const LoadResult& other);
// Once every run is in: sorts the latencies, finds the recovery.
void finish(LoadResult& result);

// Recovery: goodput has come back once, for kRecoveryBuckets buckets in a
// row from the first one ending after the trigger, successes reach 90% of
// arrivals.
inline constexpr std::size_t kRecoveryBuckets = 5;
std::optional<sim::Duration> recovery_after(const std::vector<std::uint64_t>& arrivals,
                                            const std::vector<std::uint64_t>& successes, sim::Duration bucket,
                                            sim::Time trigger_end);

}  // namespace idemlab::scenarios
