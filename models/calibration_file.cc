#include "models/calibration_file.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "sim/strict_json.h"
#include "sim/text_file.h"

namespace idemlab::models {

Calibration parse_calibration(const std::string& text, const std::string& origin) {
  using nlohmann::json;
  json root;
  try {
    root = sim::parse_strict_json(text);
  } catch (const sim::JsonError& e) {
    throw CalibrationError(origin + ": " + e.what());
  }
  auto fail = [&](const std::string& path, const std::string& problem) {
    throw CalibrationError(origin + ": " + path + ": " + problem);
  };
  if (!root.is_object()) fail("$", "must be an object");
  for (const auto& [key, value] : root.items()) {
    if (key != "format" && key != "operations" && key != "operations_under_load" && key != "machine" &&
        key != "measured_with") {
      fail(sim::member_path("$", key), "unknown field");
    }
  }
  if (!root.contains("format") || root["format"] != "idemlab-calibration/1") {
    fail("$.format", "must be \"idemlab-calibration/1\"");
  }
  if (!root.contains("operations") || !root["operations"].is_object()) fail("$.operations", "must be an object");
  auto nonnegative_int = [&](const json& v, const std::string& path) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) fail(path, "must be a non-negative integer (ns)");
    return v.get<sim::Duration>();
  };
  auto operations = [&](const json& object, const std::string& where) {
    std::map<std::string, sim::LatencyModel> models;
    for (const auto& [name, spec] : object.items()) {
      const std::string path = sim::member_path(where, name);
      if (!spec.is_object() || spec.size() != 1) {
        fail(path, "must hold exactly one of samples_ns, constant_ns, uniform_ns, log_normal");
      }
      if (spec.contains("samples_ns")) {
        const json& samples = spec["samples_ns"];
        if (!samples.is_array() || samples.empty()) fail(path + ".samples_ns", "must be a non-empty array");
        std::vector<sim::Duration> values;
        for (std::size_t i = 0; i < samples.size(); ++i) {
          values.push_back(nonnegative_int(samples[i], path + ".samples_ns[" + std::to_string(i) + "]"));
        }
        models[name] = sim::LatencyModel::empirical(std::move(values));
      } else if (spec.contains("constant_ns")) {
        models[name] = sim::LatencyModel::constant(nonnegative_int(spec["constant_ns"], path + ".constant_ns"));
      } else if (spec.contains("uniform_ns")) {
        const json& range = spec["uniform_ns"];
        if (!range.is_array() || range.size() != 2) fail(path + ".uniform_ns", "must be [low, high]");
        const sim::Duration low = nonnegative_int(range[0], path + ".uniform_ns[0]");
        const sim::Duration high = nonnegative_int(range[1], path + ".uniform_ns[1]");
        if (low > high) fail(path + ".uniform_ns", "low must not exceed high");
        models[name] = sim::LatencyModel::uniform(low, high);
      } else if (spec.contains("log_normal")) {
        const json& ln = spec["log_normal"];
        const std::string lp = path + ".log_normal";
        if (!ln.is_object() || !ln.contains("median_ns") || !ln.contains("sigma") || !ln.contains("cap_ns")) {
          fail(lp, "must hold median_ns, sigma and cap_ns");
        }
        const sim::Duration median = nonnegative_int(ln["median_ns"], lp + ".median_ns");
        const sim::Duration cap = nonnegative_int(ln["cap_ns"], lp + ".cap_ns");
        if (!ln["sigma"].is_number() || ln["sigma"].get<double>() < 0) fail(lp + ".sigma", "must be a number >= 0");
        if (median == 0 || cap < median) fail(lp, "needs 0 < median_ns <= cap_ns");
        models[name] = sim::LatencyModel::log_normal(median, ln["sigma"].get<double>(), cap);
      } else {
        fail(sim::member_path(path, spec.begin().key()), "unknown field");
      }
    }
    return models;
  };
  Calibration out;
  out.operations = operations(root["operations"], "$.operations");
  if (root.contains("operations_under_load")) {
    if (!root["operations_under_load"].is_object()) fail("$.operations_under_load", "must be an object");
    out.under_load = operations(root["operations_under_load"], "$.operations_under_load");
  }
  return out;
}

Calibration load_calibration(const std::string& path) {
  std::string text;
  if (const std::optional<std::string> problem = sim::read_text_file(path, text)) {
    throw CalibrationError(path + ": cannot read the calibration file: " + *problem);
  }
  return parse_calibration(text, path);
}

}  // namespace idemlab::models
