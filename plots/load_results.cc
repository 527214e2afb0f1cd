#include "plots/load_results.h"

#include <nlohmann/json.hpp>

#include "plots/figure.h"
#include "sim/strict_json.h"

namespace idemlab::plots {
namespace {

using nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw PlotError(where_ + ": " + path + ": " + what);
  }
  const json& member(const json& object, const std::string& path, const char* key) const {
    if (!object.is_object()) fail(path, "not an object");
    const auto found = object.find(key);
    if (found == object.end()) fail(path + "." + key, "missing");
    return *found;
  }
  std::uint64_t count(const json& v, const std::string& path) const {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) fail(path, "not a count");
    return v.get<std::uint64_t>();
  }
  std::uint64_t count(const json& object, const std::string& path, const char* key) const {
    return count(member(object, path, key), path + "." + key);
  }
  std::int64_t integer(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_number_integer()) fail(path + "." + key, "not an integer");
    return v.get<std::int64_t>();
  }
  double real(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_number()) fail(path + "." + key, "not a number");
    return v.get<double>();
  }
  std::string text(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_string()) fail(path + "." + key, "not a string");
    return v.get<std::string>();
  }
  std::vector<std::uint64_t> counts(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_array()) fail(path + "." + key, "not a list");
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(count(v[i], path + "." + key + "[" + std::to_string(i) + "]"));
    return out;
  }

 private:
  std::string where_;
};

LoadPoint point(const Reader& r, const json& p, const std::string& at) {
  LoadPoint out;
  out.strategy = r.text(p, at, "strategy");
  const json& settings = r.member(p, at, "settings");
  if (!settings.is_object()) r.fail(at + ".settings", "not an object");
  for (const auto& [name, value] : settings.items()) {
    if (!value.is_string()) r.fail(at + ".settings." + name, "not a string");
    out.settings[name] = value.get<std::string>();
  }
  out.runs = r.count(p, at, "runs");
  out.intents = r.count(p, at, "intents");
  out.success_rate = r.real(p, at, "success_rate");
  out.offered_per_s = r.real(p, at, "offered_per_s");
  out.goodput_per_s = r.real(p, at, "goodput_per_s");
  out.attempts_per_intent = r.real(p, at, "attempts_per_intent");
  out.attempts = r.count(p, at, "attempts");
  const json& latency = r.member(p, at, "latency_ns");
  out.latency_p50_ns = r.real(latency, at + ".latency_ns", "p50");
  out.latency_p99_ns = r.real(latency, at + ".latency_ns", "p99");
  out.latency_p999_ns = r.real(latency, at + ".latency_ns", "p999");
  out.completion_p50_ns = r.real(r.member(p, at, "completion_ns"), at + ".completion_ns", "p50");
  const json& storage = r.member(p, at, "storage");
  out.redis_bytes = r.integer(storage, at + ".storage", "redis_bytes");
  out.postgres_bytes = r.integer(storage, at + ".storage", "postgres_bytes");
  out.broker_messages = r.count(storage, at + ".storage", "broker_messages");
  const json& violations = r.member(p, at, "violations");
  if (!violations.is_object()) r.fail(at + ".violations", "not an object");
  for (const auto& [invariant, runs] : violations.items()) out.violations[invariant] = r.count(runs, at + ".violations." + invariant);
  const json& timeline = r.member(p, at, "timeline");
  out.bucket_ns = r.integer(timeline, at + ".timeline", "bucket_ns");
  if (out.bucket_ns <= 0) r.fail(at + ".timeline.bucket_ns", "not a positive width");
  out.arrivals = r.counts(timeline, at + ".timeline", "arrivals");
  out.successes = r.counts(timeline, at + ".timeline", "successes");
  if (out.arrivals.size() != out.successes.size()) {
    r.fail(at + ".timeline", "arrivals and successes have different lengths");
  }
  if (p.contains("trigger")) {
    const json& t = p["trigger"];
    out.trigger = {r.integer(t, at + ".trigger", "from_ns"), r.integer(t, at + ".trigger", "until_ns")};
  }
  return out;
}

}  // namespace

LoadResults parse_load_results(const std::string& text, const std::string& where) {
  json root;
  try {
    root = sim::parse_strict_json(text);
  } catch (const sim::JsonError& e) {
    throw PlotError(where + ": " + e.what());
  }
  const Reader r(where);
  if (r.text(root, "$", "format") != kLoadFormat) {
    r.fail("$.format", std::string("not ") + kLoadFormat + " (not the --json results of idemlab load)");
  }
  LoadResults out;
  out.path = where;
  out.scenario = r.text(root, "$", "scenario");
  out.version = r.text(root, "$", "version");
  out.seeds = r.count(root, "$", "seeds");
  out.first_seed = r.count(root, "$", "first_seed");
  const json& parameters = r.member(root, "$", "parameters");
  if (!parameters.is_array()) r.fail("$.parameters", "not a list");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    out.parameters.push_back(r.text(parameters[i], "$.parameters[" + std::to_string(i) + "]", "name"));
  }
  const json& points = r.member(root, "$", "points");
  if (!points.is_array()) r.fail("$.points", "not a list");
  if (points.empty()) r.fail("$.points", "empty: nothing to plot");
  for (std::size_t i = 0; i < points.size(); ++i) out.points.push_back(point(r, points[i], "$.points[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace idemlab::plots
