#include "cli/load_table.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "sim/strict_json.h"

namespace idemlab::cli {
namespace {

using scenarios::LoadResult;

constexpr const char* kMetrics[] = {"success", "goodput", "offered", "p50", "p99", "p999", "amplification",
                                    "calls", "completion", "charged", "charge_p50", "charge_p99", "shed",
                                    "violations", "recovery"};

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string percent(double rate) { return printed("%.1f%%", 100 * rate); }
std::string per_second(double rate) { return printed(rate < 10 ? "%.1f/s" : "%.0f/s", rate); }

std::string violations_text(const LoadResult& r) {
  // Runs without a verdict (did not converge, never started) first: their
  // figures are not the whole story.
  std::string out = r.unjudged == 0 ? "" : "no verdict " + std::to_string(r.unjudged) + "/" + std::to_string(r.runs);
  if (r.violated.empty()) return out.empty() ? "-" : out;
  for (const auto& [invariant, runs] : r.violated) {
    out += (out.empty() ? "" : ", ") + invariant + " " + std::to_string(runs) + "/" + std::to_string(r.runs);
  }
  return out;
}

std::string recovery_text(const LoadResult& r) {
  if (!r.trigger) return "-";
  if (!r.recovered_after) return "never";
  return printed("%.0f s", static_cast<double>(*r.recovered_after) / 1e9);
}

std::string metric(const LoadResult& r, const std::string& name) {
  if (name == "success") return percent(r.success_rate());
  if (name == "goodput") return per_second(r.goodput_per_s());
  if (name == "offered") return per_second(r.offered_per_s());
  if (name == "p50") return latency_text(r.latency(0.5));
  if (name == "p99") return latency_text(r.latency(0.99));
  if (name == "p999") return latency_text(r.latency(0.999));
  if (name == "amplification") return printed("%.2fx", r.attempts_per_intent());
  if (name == "calls") return printed("%.1f", r.attempts_per_intent());
  if (name == "completion") return latency_text(r.completion(0.5));
  if (name == "charged") return percent(r.charged_rate());
  if (name == "charge_p50") return latency_text(r.charge_delay(0.5));
  if (name == "charge_p99") return latency_text(r.charge_delay(0.99));
  if (name == "shed") return std::to_string(r.shed);
  if (name == "violations") return violations_text(r);
  if (name == "recovery") return recovery_text(r);
  return "?";
}

// The point without one parameter: a row of a pivoted table.
scenarios::LoadPoint without(const scenarios::LoadPoint& point, const std::string& name) {
  scenarios::LoadPoint out;
  for (const auto& setting : point) {
    if (setting.first != name) out.push_back(setting);
  }
  return out;
}

std::string value_of(const scenarios::LoadPoint& point, const std::string& name) {
  for (const auto& [n, v] : point) {
    if (n == name) return v;
  }
  return {};
}

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += " " + c + " |";
  return out + "\n";
}

std::string rule(std::size_t columns) {
  std::string out = "|";
  for (std::size_t i = 0; i < columns; ++i) out += "---|";
  return out + "\n";
}

}  // namespace

std::string latency_text(sim::Duration d) {
  if (d >= sim::kSecond) return printed("%.2f s", static_cast<double>(d) / 1e9);
  if (d >= sim::kMillisecond) return printed(d >= 100 * sim::kMillisecond ? "%.0f ms" : "%.1f ms", static_cast<double>(d) / 1e6);
  return printed("%.0f us", static_cast<double>(d) / 1e3);
}

LoadTableShape table_shape(const std::vector<scenarios::LoadParameter>& parameters, const std::string& pivot,
                           const std::string& metrics) {
  LoadTableShape shape;
  shape.pivot = pivot;
  if (!pivot.empty()) {
    const auto it = std::find_if(parameters.begin(), parameters.end(), [&](const auto& p) { return p.name == pivot; });
    if (it == parameters.end()) throw UsageError("--pivot: " + sim::shown(pivot, 40) + " is no --param of this run");
    shape.pivot_values = it->values;
  }
  for (const std::string& m : scenarios::split_list(metrics, ',')) {
    if (std::find(std::begin(kMetrics), std::end(kMetrics), m) == std::end(kMetrics)) {
      std::string known;
      for (const char* k : kMetrics) known += (known.empty() ? "" : ", ") + std::string(k);
      throw UsageError("--metric: unknown metric " + sim::shown(m, 40) + " (one of " + known + ")");
    }
    shape.metrics.push_back(m);
  }
  return shape;
}

std::string load_markdown(const LoadReportHeader& header, const LoadTableShape& shape,
                          const std::vector<LoadResult>& results) {
  std::string out = "idemlab load " + header.scenario + ": " + std::to_string(header.seeds) + " seed" +
                    (header.seeds == 1 ? "" : "s") + " per strategy and point, from seed " +
                    std::to_string(header.first_seed) + (header.calibration.empty() ? "" : ", calibrated by " + header.calibration) +
                    ". Success: intents answered 2xx (a 202 only accepts: charged says whether the payment was made by the "
                    "run's end, charge p99 how long after the first attempt); goodput: successes a second of the "
                    "arrivals' span; latency: an intent's first attempt to its first 2xx; amplification: attempts an "
                    "intent.\n";
  std::vector<std::string> strategies;
  for (const LoadResult& r : results) {
    if (std::find(strategies.begin(), strategies.end(), r.strategy) == strategies.end()) strategies.push_back(r.strategy);
  }
  for (const std::string& strategy : strategies) {
    out += "\n### " + strategy + "\n\n";
    if (shape.pivot.empty()) {
      out += row({"point", "offered", "success", "goodput", "p50", "p99", "p99.9", "charged", "charge p99",
                  "attempts/intent", "shed", "breaker", "violated", "recovery"});
      out += rule(14);
      for (const LoadResult& r : results) {
        if (r.strategy != strategy) continue;
        out += row({scenarios::point_label(r.point), metric(r, "offered"), metric(r, "success"), metric(r, "goodput"),
                    metric(r, "p50"), metric(r, "p99"), metric(r, "p999"), metric(r, "charged"), metric(r, "charge_p99"),
                    metric(r, "amplification"),
                    std::to_string(r.shed), std::to_string(r.short_circuited), violations_text(r), recovery_text(r)});
      }
      continue;
    }
    // Rows: the points without the pivot, in grid order; columns: its values.
    std::vector<scenarios::LoadPoint> rows;
    for (const LoadResult& r : results) {
      const scenarios::LoadPoint rest = without(r.point, shape.pivot);
      if (r.strategy == strategy && std::find(rows.begin(), rows.end(), rest) == rows.end()) rows.push_back(rest);
    }
    std::vector<std::string> head{"point"};
    for (const std::string& v : shape.pivot_values) head.push_back(shape.pivot + "=" + v);
    out += row(head);
    out += rule(head.size());
    for (const scenarios::LoadPoint& rest : rows) {
      std::vector<std::string> cells{scenarios::point_label(rest)};
      for (const std::string& v : shape.pivot_values) {
        std::string cell = "?";
        for (const LoadResult& r : results) {
          if (r.strategy != strategy || without(r.point, shape.pivot) != rest || value_of(r.point, shape.pivot) != v) continue;
          cell.clear();
          for (const std::string& m : shape.metrics) cell += (cell.empty() ? "" : " / ") + metric(r, m);
        }
        cells.push_back(cell);
      }
      out += row(cells);
    }
  }
  return out;
}

std::string load_csv(const std::vector<LoadResult>& results) {
  std::string out =
      "strategy,point,runs,unjudged,intents,succeeded,charged,success_rate,offered_per_s,goodput_per_s,p50_ms,p99_ms,p999_ms,"
      "attempts,attempts_per_intent,shed,short_circuited,charges,redis_bytes,postgres_bytes,broker_messages,"
      "violations,recovered_after_s\n";
  for (const LoadResult& r : results) {
    const auto ms = [&r](double q) { return printed("%.3f", static_cast<double>(r.latency(q)) / 1e6); };
    std::string violations;
    for (const auto& [invariant, runs] : r.violated) violations += (violations.empty() ? "" : ";") + invariant + "=" + std::to_string(runs);
    out += r.strategy + ",\"" + scenarios::point_label(r.point) + "\"," + std::to_string(r.runs) + "," +
           std::to_string(r.unjudged) + "," + std::to_string(r.intents) + "," + std::to_string(r.succeeded) + "," + std::to_string(r.charged) + "," +
           printed("%.6f", r.success_rate()) + "," + printed("%.3f", r.offered_per_s()) + "," +
           printed("%.3f", r.goodput_per_s()) + "," + ms(0.5) + "," + ms(0.99) + "," + ms(0.999) + "," +
           std::to_string(r.attempts) + "," + printed("%.4f", r.attempts_per_intent()) + "," + std::to_string(r.shed) +
           "," + std::to_string(r.short_circuited) + "," + std::to_string(r.charges) + "," +
           std::to_string(r.storage.redis_bytes) + "," + std::to_string(r.storage.postgres_bytes) + "," +
           std::to_string(r.storage.broker_messages) + ",\"" + violations + "\"," +
           (r.recovered_after ? printed("%.3f", static_cast<double>(*r.recovered_after) / 1e9) : std::string()) + "\n";
  }
  return out;
}

std::string load_json(const LoadReportHeader& header, const std::vector<LoadResult>& results) {
  using nlohmann::json;
  json root;
  root["format"] = "idemlab-load/1";
  root["version"] = kVersion;
  root["scenario"] = header.scenario;
  root["seeds"] = header.seeds;
  root["first_seed"] = header.first_seed;
  if (!header.calibration.empty()) root["calibration"] = header.calibration;
  root["parameters"] = json::array();
  for (const scenarios::LoadParameter& p : header.parameters) root["parameters"].push_back({{"name", p.name}, {"values", p.values}});
  root["points"] = json::array();
  for (const LoadResult& r : results) {
    json point;
    point["strategy"] = r.strategy;
    point["settings"] = json::object();
    for (const auto& [name, value] : r.point) point["settings"][name] = value;
    point["runs"] = r.runs;
    point["unjudged"] = r.unjudged;
    point["intents"] = r.intents;
    point["succeeded"] = r.succeeded;
    point["charged"] = r.charged;
    point["success_rate"] = r.success_rate();
    point["offered_per_s"] = r.offered_per_s();
    point["goodput_per_s"] = r.goodput_per_s();
    point["latency_ns"] = {{"p50", r.latency(0.5)}, {"p99", r.latency(0.99)}, {"p999", r.latency(0.999)}};
    point["charge_delay_ns"] = {{"p50", r.charge_delay(0.5)}, {"p99", r.charge_delay(0.99)}};
    point["completion_ns"] = {{"p50", r.completion(0.5)}, {"p99", r.completion(0.99)}, {"max", r.completion(1)}};
    point["attempts"] = r.attempts;
    point["attempts_per_intent"] = r.attempts_per_intent();
    point["shed"] = r.shed;
    point["short_circuited"] = r.short_circuited;
    point["charges"] = r.charges;
    point["violations"] = json::object();
    for (const auto& [invariant, runs] : r.violated) point["violations"][invariant] = runs;
    point["storage"] = {{"redis_bytes", r.storage.redis_bytes},
                        {"postgres_bytes", r.storage.postgres_bytes},
                        {"broker_messages", r.storage.broker_messages}};
    // Round trips an intent cost each backend: every call after set-up, over the intents.
    point["round_trips_per_intent"] = json::object();
    for (const auto& [backend, calls] : r.backend_calls) {
      point["round_trips_per_intent"][backend] =
          r.intents == 0 ? 0.0 : static_cast<double>(calls) / static_cast<double>(r.intents);
    }
    point["timeline"] = {{"bucket_ns", r.bucket}, {"arrivals", r.arrivals}, {"successes", r.successes}};
    if (r.trigger) {
      point["trigger"] = {{"from_ns", r.trigger->first}, {"until_ns", r.trigger->second}};
      point["recovered_after_ns"] = r.recovered_after ? json(*r.recovered_after) : json(nullptr);
    }
    root["points"].push_back(std::move(point));
  }
  return root.dump(1) + "\n";
}

}  // namespace idemlab::cli
