// The sweep's figures: the strategy x scenario heatmap of violations, and
// the attempt latency CDF per strategy over the sweep's scenarios.
#include <cstdio>

#include "plots/figures.h"

namespace idemlab::plots {

HeatCell heat_cell(const scenarios::SweepResult& r) {
  HeatCell cell;
  if (r.runs > 0 && r.runs_with_violations > 0) {
    cell.state = HeatCell::State::kViolated;
    cell.share = static_cast<double>(r.runs_with_violations) / static_cast<double>(r.runs);
    char text[16];
    std::snprintf(text, sizeof text, "%.0f%%", 100 * cell.share);
    cell.label = text;
  } else if (!r.unjudged.empty()) {
    cell.state = HeatCell::State::kUnjudged;
    cell.label = "no verdict";
  } else if (r.runs_disturbed == 0) {
    cell.state = HeatCell::State::kUntested;
    cell.label = "untested";
  } else {
    cell.label = "safe";
  }
  return cell;
}

Figures sweep_figures(const scenarios::SweepFile& sweep, const std::string& source, const std::string& stem) {
  Figures out;
  Heatmap map;
  map.name = stem + "-violations";
  map.title = "Runs that broke an invariant, per strategy and scenario (" + std::to_string(sweep.seeds) + " seeds a cell)";
  map.caption =
      "Each cell is one strategy under one scenario: red by the share of its runs that broke an invariant, green where "
      "the scenario's faults, duplicates or retries reached the strategy and nothing broke, hatched where nothing the "
      "scenario does reached it (untested, not safe), amber where runs ended without a verdict.";
  map.source = source;
  map.rows = sweep.strategies;
  map.columns = sweep.scenarios;
  const std::size_t strategies = sweep.strategies.size();
  std::vector<scenarios::LatencyHistogram> latencies(strategies);
  for (std::size_t i = 0; i < sweep.cells.size(); ++i) {
    HeatCell cell = heat_cell(sweep.cells[i]);
    cell.row = i % strategies;
    cell.column = i / strategies;
    map.cells.push_back(std::move(cell));
    for (const auto& [bucket, n] : sweep.cells[i].latencies.counts) {
      latencies[i % strategies].counts[bucket] += n;
      latencies[i % strategies].samples += n;
    }
  }
  out.heatmaps.push_back(std::move(map));

  Chart cdf;
  cdf.name = stem + "-latency-cdf";
  cdf.title = "Attempt latency, every scenario of the sweep together";
  cdf.caption =
      "The share of attempts answered (or timed out) within each latency, per strategy, over all the sweep's scenarios "
      "and seeds: faults included, so the right tail is the clients' timeouts.";
  cdf.source = source;
  cdf.x_label = "latency (ms, log scale)";
  cdf.y_label = "share of attempts";
  cdf.log_x = true;
  cdf.steps = true;
  cdf.y_min = 0;
  cdf.y_max = 1;
  for (std::size_t s = 0; s < strategies; ++s) {
    Series series{sweep.strategies[s], {}};
    std::uint64_t seen = 0;
    for (const auto& [bucket, n] : latencies[s].counts) {
      seen += n;
      const double ms = static_cast<double>(scenarios::bucket_lower_bound(bucket + 1)) / 1e6;
      if (ms > 0) series.points.emplace_back(ms, static_cast<double>(seen) / static_cast<double>(latencies[s].samples));
    }
    cdf.series.push_back(std::move(series));
  }
  out.charts.push_back(std::move(cdf));
  return out;
}

}  // namespace idemlab::plots
