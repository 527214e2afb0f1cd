#include "serve/admin_fault.h"

#include <nlohmann/json.hpp>

namespace idemlab::serve {
namespace {

using nlohmann::json;

constexpr std::uint64_t kCountMax = 1000000;
constexpr std::int64_t kSlowdownMax = 1000;
constexpr sim::Duration kLengthMax = 24 * 3600 * sim::kSecond;

ParsedAdminFault failed(std::string error) {
  ParsedAdminFault out;
  out.error = std::move(error);
  return out;
}

}  // namespace

ParsedAdminFault parse_admin_fault(const std::string& body, const std::string& default_strategy) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return failed("$: the body must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "fault" && key != "strategy" && key != "count" && key != "for" && key != "slowdown" && key != "errors") {
      return failed("$." + key + ": unknown field (fault, strategy, count, for, slowdown, errors)");
    }
  }
  ParsedAdminFault out;
  if (!j.contains("fault") || !j["fault"].is_string()) {
    return failed("$.fault: required, one of crash_after_charge, drop_reply, slow_processor");
  }
  out.name = j["fault"].get<std::string>();
  if (out.name == "crash_after_charge") {
    out.fault.kind = AdminFault::Kind::kCrashAfterCharge;
  } else if (out.name == "drop_reply") {
    out.fault.kind = AdminFault::Kind::kDropReply;
  } else if (out.name == "slow_processor") {
    out.fault.kind = AdminFault::Kind::kSlowProcessor;
    out.fault.length = 30 * sim::kSecond;
  } else {
    return failed("$.fault: unknown fault " + out.name + " (crash_after_charge, drop_reply, slow_processor)");
  }
  if (j.contains("strategy")) {
    if (!j["strategy"].is_string()) return failed("$.strategy: must be a strategy's name");
    out.strategy = j["strategy"].get<std::string>();
  } else if (default_strategy.empty()) {
    return failed("$.strategy: required when several strategies are served");
  } else {
    out.strategy = default_strategy;
  }
  if (j.contains("count")) {
    const json& c = j["count"];
    if (!c.is_number_integer() || c.get<std::int64_t>() < 1 || c.get<std::int64_t>() > static_cast<std::int64_t>(kCountMax)) {
      return failed("$.count: must be an integer from 1 to " + std::to_string(kCountMax));
    }
    if (out.fault.kind == AdminFault::Kind::kSlowProcessor) return failed("$.count: slow_processor takes for, not count");
    out.fault.count = c.get<std::uint64_t>();
  }
  if (j.contains("for")) {
    const std::optional<sim::Duration> d =
        j["for"].is_string() ? sim::parse_duration(j["for"].get<std::string>()) : std::nullopt;
    if (!d || *d <= 0 || *d > kLengthMax) return failed("$.for: must be a duration such as \"30s\", up to 24h");
    if (out.fault.kind == AdminFault::Kind::kDropReply) return failed("$.for: drop_reply takes count, not for");
    out.fault.length = *d;
  }
  if (j.contains("slowdown") || j.contains("errors")) {
    if (out.fault.kind != AdminFault::Kind::kSlowProcessor) {
      return failed(std::string(j.contains("slowdown") ? "$.slowdown" : "$.errors") + ": only slow_processor takes it");
    }
  }
  if (j.contains("slowdown")) {
    const json& s = j["slowdown"];
    if (!s.is_number() || !(s.get<double>() >= 0.001) || s.get<double>() > kSlowdownMax) {
      return failed("$.slowdown: must be a factor from 0.001 to " + std::to_string(kSlowdownMax));
    }
    out.fault.slowdown_milli = static_cast<std::int64_t>(s.get<double>() * 1000 + 0.5);
  }
  if (j.contains("errors")) {
    const std::optional<sim::Ratio> r =
        j["errors"].is_string() ? sim::parse_ratio(j["errors"].get<std::string>()) : std::nullopt;
    if (!r) return failed("$.errors: must be a ratio such as \"1/10\"");
    out.fault.errors = *r;
  }
  return out;
}

}  // namespace idemlab::serve
