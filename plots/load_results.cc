#include "plots/load_results.h"

#include <nlohmann/json.hpp>

#include "plots/figure.h"
#include "plots/json_reader.h"
#include "sim/strict_json.h"

namespace idemlab::plots {
namespace {

using nlohmann::json;

using Reader = JsonReader;

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
  const json& round_trips = r.member(p, at, "round_trips_per_intent");
  if (!round_trips.is_object()) r.fail(at + ".round_trips_per_intent", "not an object");
  for (const auto& [backend, calls] : round_trips.items()) {
    out.round_trips_per_intent[backend] = r.real(round_trips, at + ".round_trips_per_intent", backend.c_str());
  }
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
  const Reader r(where);
  const json root = r.root(text, kLoadFormat, "the --json results of idemlab load");
  LoadResults out;
  out.path = where;
  out.scenario = r.text(root, "$", "scenario");
  out.version = r.text(root, "$", "version");
  out.seeds = r.count(root, "$", "seeds");
  out.first_seed = r.count(root, "$", "first_seed");
  const json& parameters = r.list(root, "$", "parameters");
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    out.parameters.push_back(r.text(parameters[i], "$.parameters[" + std::to_string(i) + "]", "name"));
  }
  const json& points = r.list(root, "$", "points", true);
  for (std::size_t i = 0; i < points.size(); ++i) out.points.push_back(point(r, points[i], "$.points[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace idemlab::plots
