#include "scenarios/load_json.h"

#include <cmath>

namespace idemlab::scenarios {

using nlohmann::json;

std::int64_t read_rate(const Reader& r, const json& value, const std::string& path) {
  return static_cast<std::int64_t>(std::llround(r.number(value, path, 0, 1000000) * 1000));
}

models::clients::ArrivalProfile read_arrivals(const Reader& r, const json& value, const std::string& path) {
  r.object(value, path, {"rate_per_s", "profile"});
  if (value.contains("rate_per_s") == value.contains("profile")) {
    r.fail(path, "give either rate_per_s (a constant rate) or profile (rates over time)");
  }
  std::vector<models::clients::RatePoint> points;
  if (value.contains("rate_per_s")) {
    points.push_back({0, read_rate(r, value["rate_per_s"], path + ".rate_per_s")});
  } else {
    const json& profile = value["profile"];
    const std::string p = path + ".profile";
    if (!profile.is_array() || profile.empty()) r.fail(p, "must be a non-empty array of {\"at\", \"rate_per_s\"}");
    if (profile.size() > 1000) r.fail(p, "at most 1000 points");
    for (std::size_t i = 0; i < profile.size(); ++i) {
      const std::string item = p + "[" + std::to_string(i) + "]";
      const json& point = r.object(profile[i], item, {"at", "rate_per_s"});
      for (const char* required : {"at", "rate_per_s"}) {
        if (!point.contains(required)) r.fail(item + "." + required, "missing");
      }
      models::clients::RatePoint rate{r.duration(point["at"], item + ".at"), read_rate(r, point["rate_per_s"], item + ".rate_per_s")};
      if (!points.empty() && rate.at < points.back().at) r.fail(item + ".at", "is before the point above (points go in order of time)");
      points.push_back(rate);
    }
  }
  const bool any = std::any_of(points.begin(), points.end(), [](const auto& p) { return p.milli_per_s > 0; });
  if (!any) r.fail(path, "no rate above 0: no intent would ever arrive");
  return models::clients::ArrivalProfile(std::move(points));
}

models::clients::BreakerConfig read_breaker(const Reader& r, const json& value, const std::string& path) {
  r.object(value, path, {"failures_to_open", "open_for", "half_open_probes"});
  if (!value.contains("failures_to_open")) r.fail(path + ".failures_to_open", "missing");
  models::clients::BreakerConfig b;
  b.failures_to_open = static_cast<int>(r.integer(value["failures_to_open"], path + ".failures_to_open", 1, 1000000));
  if (value.contains("open_for")) {
    b.open_for = r.duration(value["open_for"], path + ".open_for");
    if (b.open_for <= 0) r.fail(path + ".open_for", "must be positive");
  }
  if (value.contains("half_open_probes")) {
    b.half_open_probes = static_cast<int>(r.integer(value["half_open_probes"], path + ".half_open_probes", 1, 1000000));
  }
  return b;
}

std::vector<models::processor::ProcessorEpisode> read_episodes(const Reader& r, const json& value) {
  if (!value.is_array()) r.fail("$.episodes", "must be an array of {\"at\", \"for\", \"processor\"}");
  if (value.size() > 1000) r.fail("$.episodes", "at most 1000 episodes");
  std::vector<models::processor::ProcessorEpisode> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string path = "$.episodes[" + std::to_string(i) + "]";
    const json& e = r.object(value[i], path, {"at", "for", "processor"});
    for (const char* required : {"at", "for", "processor"}) {
      if (!e.contains(required)) r.fail(path + "." + required, "missing");
    }
    models::processor::ProcessorEpisode episode;
    episode.from = r.duration(e["at"], path + ".at");
    const sim::Duration length = r.duration(e["for"], path + ".for");
    if (length <= 0) r.fail(path + ".for", "must be positive");
    episode.until = episode.from + length;
    if (!out.empty() && episode.from < out.back().until) {
      r.fail(path + ".at", "begins before the episode above ends (episodes go in order and do not overlap)");
    }
    const std::string p = path + ".processor";
    const json& what = r.object(e["processor"], p, {"slowdown", "errors"});
    if (what.empty()) r.fail(p, "give slowdown (a factor on the processing time), errors (a ratio of charges), or both");
    if (what.contains("slowdown")) {
      episode.slowdown_milli =
          static_cast<std::int64_t>(std::llround(r.number(what["slowdown"], p + ".slowdown", 0.001, 1000) * 1000));
    }
    if (what.contains("errors")) episode.errors = r.ratio(what["errors"], p + ".errors");
    out.push_back(episode);
  }
  return out;
}

}  // namespace idemlab::scenarios
