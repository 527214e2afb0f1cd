// The report's cost model: per strategy what it survives (the sweep's
// scenarios broken, and those that never reached it) beside what it costs
// without faults (a load run with one point a strategy, a baseline among
// them: latency over the baseline's, round trips an intent to each backend,
// the storage's high water a payment), ranked by the scenarios broken, then
// by p99. Shown only when both kinds of results were given.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "plots/figures.h"
#include "plots/report.h"
#include "plots/report_sections.h"

namespace idemlab::plots {
namespace {

// A load run the cost model can use: one point a strategy, the baseline's among them.
const LoadResults* steady_run(const std::vector<LoadResults>& loads) {
  for (const LoadResults& l : loads) {
    std::map<std::string, int> points;
    for (const LoadPoint& p : l.points) ++points[p.strategy];
    const bool one_each = std::all_of(points.begin(), points.end(), [](const auto& kv) { return kv.second == 1; });
    if (one_each && points.count("baseline") && points.size() > 1) return &l;
  }
  return nullptr;
}

struct Row {
  std::string strategy;
  int broken = 0;    // scenarios with a run that broke an invariant
  int untested = 0;  // scenarios that never reached it
  int scenarios = 0;
  const LoadPoint* steady = nullptr;
};

std::string per_payment(double bytes, std::uint64_t intents) {
  return intents == 0 ? "-" : formatted(bytes / static_cast<double>(intents), "%.0f");
}

}  // namespace

std::string cost_section(const std::vector<SweepInput>& sweeps, const std::vector<LoadResults>& loads) {
  const LoadResults* steady = steady_run(loads);
  if (sweeps.empty() || steady == nullptr) return "";
  const scenarios::SweepFile& sweep = sweeps.front().file;
  const LoadPoint* baseline = nullptr;
  std::vector<Row> rows;
  std::set<std::string> backends;
  for (const LoadPoint& p : steady->points) {
    if (p.strategy == "baseline") baseline = &p;
    for (const auto& [backend, trips] : p.round_trips_per_intent) backends.insert(backend);
  }
  for (std::size_t t = 0; t < sweep.strategies.size(); ++t) {
    Row row{sweep.strategies[t]};
    for (std::size_t s = 0; s < sweep.scenarios.size(); ++s) {
      const HeatCell cell = heat_cell(sweep.cells[s * sweep.strategies.size() + t]);
      row.broken += cell.state == HeatCell::State::kViolated ? 1 : 0;
      row.untested += cell.state == HeatCell::State::kUntested ? 1 : 0;
      ++row.scenarios;
    }
    for (const LoadPoint& p : steady->points) {
      if (p.strategy == row.strategy) row.steady = &p;
    }
    if (row.steady != nullptr) rows.push_back(row);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.broken != b.broken) return a.broken < b.broken;
    return a.steady->latency_p99_ns < b.steady->latency_p99_ns;
  });
  std::ostringstream out;
  out << "<section id=\"cost\">\n<h2>The cost model</h2>\n<p>What each strategy survives, from the sweep <code>"
      << html_escaped(sweeps.front().path) << "</code> (" << sweep.scenarios.size() << " scenarios, " << sweep.seeds
      << " seeds each), beside what it costs with no fault, from <code>" << html_escaped(steady->path) << "</code> ("
      << html_escaped(steady->scenario) << ", simulated). Ranked by the scenarios it breaks, then by p99. Latency is "
      << "each intent's answer; a queued strategy answers 202 before it charges, so its answer is not what a payer "
      << "waits for. Storage is the high water of the run, a payment.</p>\n<div class=\"scroll\"><table><caption>"
      << "The cost model per strategy</caption><thead><tr><th scope=\"col\">rank</th><th scope=\"col\">strategy</th>"
      << "<th scope=\"col\">scenarios broken</th><th scope=\"col\">untested</th><th scope=\"col\">p50 ms</th>"
      << "<th scope=\"col\">p99 ms</th><th scope=\"col\">p50 over baseline</th><th scope=\"col\">p99 over baseline</th>";
  for (const std::string& b : backends) out << "<th scope=\"col\">" << html_escaped(b) << " round trips an intent</th>";
  out << "<th scope=\"col\">Redis bytes a payment</th><th scope=\"col\">PostgreSQL bytes a payment</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const LoadPoint& p = *r.steady;
    const auto over = [&](double mine, double base) {
      return baseline == nullptr ? std::string("-") : formatted((mine - base) / 1e6, "%+.2f");
    };
    out << "<tr><td>" << i + 1 << "</td><th scope=\"row\">" << html_escaped(r.strategy) << "</th><td"
        << (r.broken > 0 ? " class=\"violated\"" : "") << ">" << r.broken << " of " << r.scenarios << "</td><td"
        << (r.untested > 0 ? " class=\"untested\"" : "") << ">" << r.untested << "</td><td>"
        << formatted(p.latency_p50_ns / 1e6, "%.2f") << "</td><td>" << formatted(p.latency_p99_ns / 1e6, "%.2f")
        << "</td><td>" << over(p.latency_p50_ns, baseline ? baseline->latency_p50_ns : 0) << "</td><td>"
        << over(p.latency_p99_ns, baseline ? baseline->latency_p99_ns : 0) << "</td>";
    for (const std::string& b : backends) {
      const auto trips = p.round_trips_per_intent.find(b);
      out << "<td>" << (trips == p.round_trips_per_intent.end() ? "0" : formatted(trips->second, "%.2f")) << "</td>";
    }
    const std::uint64_t intents = p.intents;
    out << "<td>" << per_payment(static_cast<double>(p.redis_bytes), intents) << "</td><td>"
        << per_payment(static_cast<double>(p.postgres_bytes), intents) << "</td></tr>";
  }
  out << "</tbody></table></div>\n</section>\n";
  return out.str();
}

}  // namespace idemlab::plots
