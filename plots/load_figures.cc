// The load figures (see figures.h for which a grid gives).
#include <algorithm>
#include <cstdlib>
#include <optional>

#include "plots/figures.h"
#include "sim/time.h"

namespace idemlab::plots {
namespace {

// A grid value on an axis: a number ("0.75"), or a duration in seconds ("10s").
std::optional<double> numeric(const std::string& value) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (!value.empty() && end == value.c_str() + value.size()) return v;
  if (const std::optional<sim::Duration> d = sim::parse_duration(value)) return static_cast<double>(*d) / 1e9;
  return std::nullopt;
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> strategies_of(const LoadResults& load) {
  std::vector<std::string> out;
  for (const LoadPoint& p : load.points) {
    if (!has(out, p.strategy)) out.push_back(p.strategy);
  }
  return out;
}

// The first value each axis takes in the file: where a figure over one
// axis holds the others.
std::map<std::string, std::string> first_values(const LoadResults& load) {
  std::map<std::string, std::string> out;
  for (const LoadPoint& p : load.points) {
    for (const auto& [name, value] : p.settings) out.emplace(name, value);
  }
  return out;
}

// Whether `p` holds every axis but `free` at its first value.
bool on_slice(const LoadPoint& p, const std::map<std::string, std::string>& first, const std::vector<std::string>& free) {
  for (const auto& [name, value] : p.settings) {
    if (!has(free, name) && first.at(name) != value) return false;
  }
  return true;
}

std::string held_text(const std::map<std::string, std::string>& first, const std::vector<std::string>& free) {
  std::string out;
  for (const auto& [name, value] : first) {
    if (has(free, name)) continue;
    out += (out.empty() ? "" : ", ") + name + "=" + value;
  }
  return out.empty() ? "" : " (" + out + ")";
}

std::string source_of(const LoadResults& load) {
  return load.path + " (idemlab load " + load.scenario + ", " + std::to_string(load.seeds) + " seed" +
         (load.seeds == 1 ? "" : "s") + " from " + std::to_string(load.first_seed) + ", " + load.version + ")";
}

Chart chart(const LoadResults& load, std::string name, std::string title, std::string caption, std::string x,
            std::string y) {
  Chart c;
  c.name = std::move(name);
  c.title = std::move(title);
  c.caption = std::move(caption);
  c.source = source_of(load);
  c.x_label = std::move(x);
  c.y_label = std::move(y);
  return c;
}

// One series per value of `series_axis` ("" : one series), x from `x_axis`.
template <class Y>
void add_series(Chart& c, const LoadResults& load, const std::string& strategy, const std::string& x_axis,
                const std::string& series_axis, const std::map<std::string, std::string>& first, Y y) {
  std::map<std::string, std::size_t> index;
  for (const LoadPoint& p : load.points) {
    if (p.strategy != strategy || !on_slice(p, first, {x_axis, series_axis})) continue;
    const auto at = p.settings.find(x_axis);
    if (at == p.settings.end()) continue;
    const std::optional<double> x = numeric(at->second);
    if (!x) continue;
    const auto named = series_axis.empty() ? p.settings.end() : p.settings.find(series_axis);
    if (!series_axis.empty() && named == p.settings.end()) continue;  // a point off the grid's axes
    const std::string title = series_axis.empty() ? strategy : named->second;
    auto [it, added] = index.emplace(title, c.series.size());
    if (added) c.series.push_back(Series{title, {}});
    c.series[it->second].points.emplace_back(*x, y(p));
  }
  for (Series& s : c.series) std::sort(s.points.begin(), s.points.end());
}

void offered_load(const LoadResults& load, const std::string& stem, Figures& out) {
  const std::string x_axis = has(load.parameters, "load") ? "load" : has(load.parameters, "rate") ? "rate" : "";
  if (x_axis.empty()) return;
  const std::string series_axis = has(load.parameters, "retry") ? "retry" : "";
  const auto first = first_values(load);
  const std::string x_label = x_axis == "load" ? "offered load (x the script's arrival rate)" : "offered rate (intents/s)";
  const std::string held = held_text(first, {x_axis, series_axis});
  for (const std::string& strategy : strategies_of(load)) {
    Chart success = chart(load, stem + "-success-" + strategy, strategy + ": success rate against offered load" + held,
                          "The share of intents answered 2xx, per retry policy, as the offered load grows: where a "
                          "policy's curve falls below no retry, its retries amplify the overload.",
                          x_label, "intents answered 2xx (%)");
    success.y_min = 0;
    success.y_max = 100;
    add_series(success, load, strategy, x_axis, series_axis, first, [](const LoadPoint& p) { return 100 * p.success_rate; });
    Chart goodput = chart(load, stem + "-goodput-" + strategy, strategy + ": goodput against offered load" + held,
                          "Intents answered 2xx a second of the arrivals' span, per retry policy.", x_label,
                          "goodput (intents/s)");
    goodput.y_min = 0;
    add_series(goodput, load, strategy, x_axis, series_axis, first, [](const LoadPoint& p) { return p.goodput_per_s; });
    Chart amplification = chart(load, stem + "-amplification-" + strategy,
                                strategy + ": retry amplification against offered load" + held,
                                "Attempts an intent, per retry policy: 1 is no retry at all.", x_label,
                                "attempts an intent");
    amplification.y_min = 0;
    add_series(amplification, load, strategy, x_axis, series_axis, first,
               [](const LoadPoint& p) { return p.attempts_per_intent; });
    for (Chart* c : {&success, &goodput, &amplification}) out.charts.push_back(std::move(*c));
  }
}

std::string settings_text(const LoadPoint& p) {
  std::string out;
  for (const auto& [name, value] : p.settings) out += (out.empty() ? "" : ", ") + name + "=" + value;
  return out.empty() ? p.strategy : out;
}

void recovery(const LoadResults& load, const std::string& stem, Figures& out) {
  for (const std::string& strategy : strategies_of(load)) {
    Chart c = chart(load, stem + "-recovery-" + strategy, strategy + ": goodput over time around the trigger",
                    "Intents answered 2xx per second, by the second they arrived in, per grid point; the shaded "
                    "window is the trigger. A curve that stays low after it is a metastable failure.",
                    "time (s)", "goodput (intents/s)");
    c.y_min = 0;
    for (const LoadPoint& p : load.points) {
      if (p.strategy != strategy || !p.trigger || p.successes.empty()) continue;
      const double bucket_s = static_cast<double>(p.bucket_ns) / 1e9;
      c.shaded = {static_cast<double>(p.trigger->first) / 1e9, static_cast<double>(p.trigger->second) / 1e9};
      Series s{settings_text(p), {}};
      for (std::size_t i = 0; i < p.successes.size(); ++i) {
        const double runs = static_cast<double>(std::max<std::uint64_t>(p.runs, 1));
        s.points.emplace_back(bucket_s * static_cast<double>(i), static_cast<double>(p.successes[i]) / bucket_s / runs);
      }
      c.series.push_back(std::move(s));
    }
    if (!c.series.empty()) out.charts.push_back(std::move(c));
  }
}

void ttl(const LoadResults& load, const std::string& stem, Figures& out) {
  if (!has(load.parameters, "ttl")) return;
  const auto first = first_values(load);
  const std::string held = held_text(first, {"ttl"});
  Chart broke = chart(load, stem + "-ttl-double-charges", "Runs that charged an intent twice, against the key TTL" + held,
                      "The share of runs breaking at_most_one_charge, per strategy, as the key's TTL grows past the "
                      "clients' longest retry horizon.",
                      "key TTL (s, log scale)", "runs charging twice (%)");
  broke.log_x = true;
  broke.y_min = 0;
  broke.y_max = 100;
  Chart storage = chart(load, stem + "-ttl-storage", "Storage held against the key TTL" + held,
                        "The most Redis and PostgreSQL bytes a run held, per strategy (the model's accounting).",
                        "key TTL (s, log scale)", "storage (KiB)");
  storage.log_x = true;
  storage.y_min = 0;
  for (const std::string& strategy : strategies_of(load)) {
    add_series(broke, load, strategy, "ttl", "", first, [](const LoadPoint& p) {
      const auto found = p.violations.find("at_most_one_charge");
      const double runs = static_cast<double>(std::max<std::uint64_t>(p.runs, 1));
      return found == p.violations.end() ? 0.0 : 100 * static_cast<double>(found->second) / runs;
    });
    add_series(storage, load, strategy, "ttl", "", first,
               [](const LoadPoint& p) { return static_cast<double>(p.redis_bytes + p.postgres_bytes) / 1024; });
  }
  out.charts.push_back(std::move(broke));
  out.charts.push_back(std::move(storage));
}

void contention(const LoadResults& load, const std::string& stem, Figures& out) {
  if (!has(load.parameters, "copies")) return;
  const std::string series_axis = has(load.parameters, "retry") ? "retry" : "";
  const auto first = first_values(load);
  for (const std::string& strategy : strategies_of(load)) {
    Chart calls = chart(load, stem + "-contention-calls-" + strategy,
                        strategy + ": calls of N senders on one key, per backoff",
                        "Attempts of all the senders of one intent, per run, against the number of senders, per "
                        "backoff and jitter (the AWS Architecture Blog's comparison).",
                        "senders on one key", "calls (attempts a run)");
    calls.y_min = 0;
    add_series(calls, load, strategy, "copies", series_axis, first, [](const LoadPoint& p) {
      return static_cast<double>(p.attempts) / static_cast<double>(std::max<std::uint64_t>(p.runs, 1));
    });
    Chart done = chart(load, stem + "-contention-completion-" + strategy,
                       strategy + ": time until every sender of one key had its answer",
                       "The median time from the first attempt to the last sender's answer, per backoff and jitter.",
                       "senders on one key", "completion p50 (ms)");
    done.y_min = 0;
    add_series(done, load, strategy, "copies", series_axis, first,
               [](const LoadPoint& p) { return p.completion_p50_ns / 1e6; });
    out.charts.push_back(std::move(calls));
    out.charts.push_back(std::move(done));
  }
}

void overhead(const LoadResults& load, const std::string& stem, Figures& out) {
  const LoadPoint* base = nullptr;
  for (const LoadPoint& p : load.points) {
    if (p.strategy == "baseline") {
      base = &p;
      break;
    }
  }
  if (base == nullptr) return;
  Chart c = chart(load, stem + "-overhead", "Latency overhead over the baseline" +
                                                (base->settings.empty() ? std::string() : " (" + settings_text(*base) + ")"),
                  "Each strategy's intent latency (first attempt to its 2xx) minus the baseline's, at the median and "
                  "at the 99th percentile, at the same grid point.",
                  "strategy", "latency over the baseline (ms)");
  Series p50{"p50", {}}, p99{"p99", {}};
  for (const LoadPoint& p : load.points) {
    if (p.strategy == "baseline" || p.settings != base->settings) continue;
    const double x = static_cast<double>(c.categories.size());
    c.categories.push_back(p.strategy);
    p50.points.emplace_back(x, (p.latency_p50_ns - base->latency_p50_ns) / 1e6);
    p99.points.emplace_back(x, (p.latency_p99_ns - base->latency_p99_ns) / 1e6);
  }
  if (c.categories.empty()) return;
  c.series = {std::move(p50), std::move(p99)};
  out.charts.push_back(std::move(c));
}

}  // namespace

Figures load_figures(const LoadResults& load, const std::string& stem) {
  Figures out;
  offered_load(load, stem, out);
  recovery(load, stem, out);
  ttl(load, stem, out);
  contention(load, stem, out);
  overhead(load, stem, out);
  return out;
}

}  // namespace idemlab::plots
