// The results of `idemlab validate --real --json` and `idemlab calibrate
// --real --json`, as idemlab plot reads them: the simulation beside the
// live servers, run by run and strategy by strategy (validate), and the
// live operations' latencies with the calibrated simulation's error
// (calibrate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idemlab::plots {

inline constexpr const char* kValidateFormat = "idemlab-validate/1";
inline constexpr const char* kCalibrateFormat = "idemlab-calibrate/1";

struct Percentiles {  // of latency samples, in ns
  std::uint64_t samples = 0;
  double p5 = 0, p50 = 0, p95 = 0, p99 = 0;
};

// One strategy's simulated and live latencies on the same scenarios and seeds.
struct SimVsLive {
  std::string strategy;
  Percentiles simulated;
  Percentiles real;
};

struct ValidateRun {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 0;
  bool drawn = false;  // faults drawn call by call: agreement is on the invariants
  bool agree = false;
  std::vector<std::string> simulated_violated;
  std::vector<std::string> real_violated;
};

struct ValidateStrategy {
  SimVsLive latency;
  std::uint64_t runs = 0;
  std::uint64_t agreeing = 0;
  std::uint64_t simulated_violating = 0;
  std::uint64_t real_violating = 0;
};

struct ValidateResults {
  std::string path;
  std::string version;
  std::string command;
  std::string calibration;  // the file the simulation was calibrated with; "" if none
  std::vector<ValidateStrategy> strategies;
  std::vector<ValidateRun> runs;
  std::vector<std::pair<std::string, std::string>> not_run;  // scenario, why
};

struct CalibratedOperation {
  std::string operation;
  Percentiles alone;
  std::optional<Percentiles> under_load;
};

struct CalibrateComparison {
  std::string scenario;
  double p50_tolerance = 0;
  double p99_tolerance = 0;
  std::vector<SimVsLive> strategies;
};

struct CalibrateResults {
  std::string path;
  std::string version;
  std::string command;
  std::string machine;
  std::uint64_t samples = 0;
  std::uint64_t concurrency = 0;
  std::vector<CalibratedOperation> operations;
  std::optional<CalibrateComparison> compare;  // with --compare
};

// `where` names the file in errors. Throw PlotError.
ValidateResults parse_validate_results(const std::string& text, const std::string& where);
CalibrateResults parse_calibrate_results(const std::string& text, const std::string& where);

// The 95% Wilson score interval of `successes` in `trials`, as shares.
// REQUIRES: successes <= trials.
std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials);

}  // namespace idemlab::plots
