// What `idemlab load` prints and writes: per strategy a table of the grid's
// points (or, with --pivot, the points down and one parameter's values
// across), a CSV row per strategy and point, and the JSON for plots.
#pragma once

#include <string>
#include <vector>

#include "scenarios/load.h"

namespace idemlab::cli {

struct LoadReportHeader {
  std::string scenario;
  std::uint64_t seeds = 1;
  std::uint64_t first_seed = 1;
  std::vector<scenarios::LoadParameter> parameters;
  std::string calibration;  // the file, if any
};

struct LoadTableShape {
  std::string pivot;  // empty: one row per point
  std::vector<std::string> pivot_values;
  std::vector<std::string> metrics;  // what a pivoted cell shows
};
// Throws UsageError when the pivot is no --param or a metric is unknown.
LoadTableShape table_shape(const std::vector<scenarios::LoadParameter>& parameters, const std::string& pivot,
                           const std::string& metrics);

std::string load_markdown(const LoadReportHeader& header, const LoadTableShape& shape,
                          const std::vector<scenarios::LoadResult>& results);
std::string load_csv(const std::vector<scenarios::LoadResult>& results);
std::string load_json(const LoadReportHeader& header, const std::vector<scenarios::LoadResult>& results);

// "12.3 ms", "1.24 s", "850 us".
std::string latency_text(sim::Duration d);

}  // namespace idemlab::cli
