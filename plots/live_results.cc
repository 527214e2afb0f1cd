#include "plots/live_results.h"

#include <cassert>
#include <algorithm>
#include <cmath>

#include "plots/json_reader.h"

namespace idemlab::plots {
namespace {

using json = nlohmann::json;

Percentiles percentiles(const JsonReader& r, const json& object, const std::string& path, const char* key) {
  const json& p = r.member(object, path, key);
  const std::string at = path + "." + key;
  Percentiles out;
  out.samples = r.count(p, at, "samples");
  out.p5 = static_cast<double>(r.count(p, at, "p5"));
  out.p50 = static_cast<double>(r.count(p, at, "p50"));
  out.p95 = static_cast<double>(r.count(p, at, "p95"));
  out.p99 = static_cast<double>(r.count(p, at, "p99"));
  if (!(out.p5 <= out.p50 && out.p50 <= out.p95 && out.p95 <= out.p99)) r.fail(at, "percentiles out of order");
  return out;
}

}  // namespace

ValidateResults parse_validate_results(const std::string& text, const std::string& where) {
  const JsonReader r(where);
  const json root = r.root(text, kValidateFormat, "the --json results of idemlab validate");
  ValidateResults out;
  out.path = where;
  out.version = r.text(root, "$", "version");
  out.command = r.text(root, "$", "command");
  out.calibration = r.text(root, "$", "calibration");
  const json& strategies = r.list(root, "$", "strategies", true);
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    const std::string at = JsonReader::at("$.strategies", i);
    const json& s = strategies[i];
    ValidateStrategy v;
    v.latency.strategy = r.text(s, at, "strategy");
    v.runs = r.count(s, at, "runs");
    v.agreeing = r.count(s, at, "agreeing");
    v.simulated_violating = r.count(s, at, "simulated_violating");
    v.real_violating = r.count(s, at, "real_violating");
    if (v.agreeing > v.runs) r.fail(at + ".agreeing", "more than its runs");
    v.latency.simulated = percentiles(r, s, at, "simulated_latency_ns");
    v.latency.real = percentiles(r, s, at, "real_latency_ns");
    out.strategies.push_back(std::move(v));
  }
  const json& runs = r.list(root, "$", "runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string at = JsonReader::at("$.runs", i);
    ValidateRun run;
    run.scenario = r.text(runs[i], at, "scenario");
    run.strategy = r.text(runs[i], at, "strategy");
    run.seed = r.count(runs[i], at, "seed");
    run.drawn = r.boolean(runs[i], at, "drawn");
    run.agree = r.boolean(runs[i], at, "agree");
    run.simulated_violated = r.texts(r.member(runs[i], at, "simulated"), at + ".simulated", "violated");
    run.real_violated = r.texts(r.member(runs[i], at, "real"), at + ".real", "violated");
    out.runs.push_back(std::move(run));
  }
  const json& not_run = r.list(root, "$", "not_run");
  for (std::size_t i = 0; i < not_run.size(); ++i) {
    const std::string at = JsonReader::at("$.not_run", i);
    out.not_run.emplace_back(r.text(not_run[i], at, "scenario"), r.text(not_run[i], at, "reason"));
  }
  return out;
}

CalibrateResults parse_calibrate_results(const std::string& text, const std::string& where) {
  const JsonReader r(where);
  const json root = r.root(text, kCalibrateFormat, "the --json results of idemlab calibrate");
  CalibrateResults out;
  out.path = where;
  out.version = r.text(root, "$", "version");
  out.command = r.text(root, "$", "command");
  out.machine = r.text(root, "$", "machine");
  out.samples = r.count(root, "$", "samples");
  out.concurrency = r.count(root, "$", "concurrency");
  const json& operations = r.list(root, "$", "operations", true);
  for (std::size_t i = 0; i < operations.size(); ++i) {
    const std::string at = JsonReader::at("$.operations", i);
    CalibratedOperation op;
    op.operation = r.text(operations[i], at, "operation");
    op.alone = percentiles(r, operations[i], at, "alone_ns");
    if (!r.member(operations[i], at, "under_load_ns").is_null()) {
      op.under_load = percentiles(r, operations[i], at, "under_load_ns");
    }
    out.operations.push_back(std::move(op));
  }
  const json& compare = r.member(root, "$", "compare");
  if (!compare.is_null()) {
    CalibrateComparison c;
    c.scenario = r.text(compare, "$.compare", "scenario");
    c.p50_tolerance = r.real(compare, "$.compare", "p50_tolerance");
    c.p99_tolerance = r.real(compare, "$.compare", "p99_tolerance");
    const json& strategies = r.list(compare, "$.compare", "strategies", true);
    for (std::size_t i = 0; i < strategies.size(); ++i) {
      const std::string at = JsonReader::at("$.compare.strategies", i);
      SimVsLive s;
      s.strategy = r.text(strategies[i], at, "strategy");
      s.simulated = percentiles(r, strategies[i], at, "simulated_latency_ns");
      s.real = percentiles(r, strategies[i], at, "real_latency_ns");
      c.strategies.push_back(std::move(s));
    }
    out.compare = std::move(c);
  }
  return out;
}

std::pair<double, double> wilson_interval(std::uint64_t successes, std::uint64_t trials) {
  assert(successes <= trials);
  if (trials == 0) return {0, 1};
  constexpr double z = 1.959963984540054;  // the normal's 97.5% quantile
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace idemlab::plots
