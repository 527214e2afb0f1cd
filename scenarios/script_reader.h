// Reading a scenario script's JSON: every value checked against its kind
// and bounds, every error naming the script and the JSON path.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/scenario_json.h"
#include "sim/latency.h"
#include "sim/network.h"
#include "sim/strict_json.h"
#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::scenarios {

// Reads one script, remembering where it came from so that every error
// names the origin and the JSON path ("$.client.retry.base").
class Reader {
  using json = nlohmann::json;

 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  const std::string& origin() const { return origin_; }

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ScenarioError(origin_ + ": " + path + ": " + problem);
  }

  // The object at `path`, whose fields must all be among `known`.
  const json& object(const json& value, const std::string& path, std::initializer_list<const char*> known) const {
    if (!value.is_object()) fail(path, "must be an object");
    for (const auto& item : value.items()) {
      const std::string& key = item.key();
      const bool is_known = std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
      if (!is_known) {
        std::string list;
        for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
        fail(sim::member_path(path, key), "unknown field (known here: " + list + ")");
      }
    }
    return value;
  }

  std::string string(const json& value, const std::string& path) const {
    if (!value.is_string()) fail(path, "must be a string");
    return value.get<std::string>();
  }

  bool boolean(const json& value, const std::string& path) const {
    if (!value.is_boolean()) fail(path, "must be true or false");
    return value.get<bool>();
  }

  std::int64_t integer(const json& value, const std::string& path, std::int64_t low, std::int64_t high) const {
    if (!value.is_number_integer()) fail(path, "must be an integer");
    const std::int64_t n = value.get<std::int64_t>();
    if (n < low || n > high) fail(path, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    return n;
  }

  double number(const json& value, const std::string& path, double low, double high) const {
    if (!value.is_number()) fail(path, "must be a number");
    const double x = value.get<double>();
    if (!(x >= low && x <= high)) fail(path, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    return x;
  }

  sim::Duration duration(const json& value, const std::string& path) const {
    const std::optional<sim::Duration> d = value.is_string() ? sim::parse_duration(value.get<std::string>()) : std::nullopt;
    if (!d) fail(path, "must be a duration such as \"150ms\", \"2s\" or \"24h\" (units ns, us, ms, s, m, h)");
    if (*d > kScriptDurationMax) {
      fail(path, "must be at most " + sim::duration_text(kScriptDurationMax) +
                     " (400 days), so that sums of durations cannot overflow the clock");
    }
    return *d;
  }

  sim::Ratio ratio(const json& value, const std::string& path) const {
    const std::optional<sim::Ratio> r = value.is_string() ? sim::parse_ratio(value.get<std::string>()) : std::nullopt;
    if (!r) fail(path, "must be a probability written \"N/D\" with N <= D, or \"0\", or \"1\"");
    return *r;
  }

  // {"constant": "1ms"} | {"uniform": ["1ms", "5ms"]} | {"exponential": "10ms"} |
  // {"log_normal": {"median": "150ms", "sigma": 0.4, "cap": "900ms"}}
  sim::LatencyModel latency(const json& value, const std::string& path) const {
    object(value, path, {"constant", "uniform", "exponential", "log_normal"});
    if (value.size() != 1) fail(path, "must hold exactly one of constant, uniform, exponential, log_normal");
    if (value.contains("constant")) return sim::LatencyModel::constant(duration(value["constant"], path + ".constant"));
    if (value.contains("exponential")) {
      return sim::LatencyModel::exponential(duration(value["exponential"], path + ".exponential"));
    }
    if (value.contains("uniform")) {
      const json& range = value["uniform"];
      if (!range.is_array() || range.size() != 2) fail(path + ".uniform", "must be [low, high]");
      const sim::Duration low = duration(range[0], path + ".uniform[0]");
      const sim::Duration high = duration(range[1], path + ".uniform[1]");
      if (high < low) fail(path + ".uniform", "high must not be below low");
      return sim::LatencyModel::uniform(low, high);
    }
    const std::string p = path + ".log_normal";
    const json& ln = object(value["log_normal"], p, {"median", "sigma", "cap"});
    for (const char* required : {"median", "sigma", "cap"}) {
      if (!ln.contains(required)) fail(p + "." + required, "missing");
    }
    const sim::Duration median = duration(ln["median"], p + ".median");
    const double sigma = number(ln["sigma"], p + ".sigma", 0, 10);
    const sim::Duration cap = duration(ln["cap"], p + ".cap");
    if (median <= 0) fail(p + ".median", "must be positive");
    if (cap < median) fail(p + ".cap", "must not be below the median");
    return sim::LatencyModel::log_normal(median, sigma, cap);
  }

  void link(const json& value, const std::string& path, sim::LinkConfig& out) const {
    object(value, path, {"latency", "drop_request", "drop_reply", "duplicate", "delay", "extra_delay"});
    if (value.contains("latency")) out.latency = latency(value["latency"], path + ".latency");
    if (value.contains("drop_request")) out.drop_request = ratio(value["drop_request"], path + ".drop_request");
    if (value.contains("drop_reply")) out.drop_reply = ratio(value["drop_reply"], path + ".drop_reply");
    if (value.contains("duplicate")) out.duplicate = ratio(value["duplicate"], path + ".duplicate");
    if (value.contains("delay")) out.delay = ratio(value["delay"], path + ".delay");
    if (value.contains("extra_delay")) out.extra_delay = latency(value["extra_delay"], path + ".extra_delay");
  }

  // One of `names`, as an index.
  template <class Enum>
  Enum choice(const json& value, const std::string& path, std::initializer_list<const char*> names) const {
    const std::string text = string(value, path);
    int index = 0;
    for (const char* name : names) {
      if (text == name) return static_cast<Enum>(index);
      ++index;
    }
    std::string list;
    for (const char* name : names) list += std::string(list.empty() ? "" : ", ") + name;
    fail(path, "unknown value " + sim::shown(text) + " (one of " + list + ")");
  }

 private:
  std::string origin_;
};

}  // namespace idemlab::scenarios
