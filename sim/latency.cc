#include "sim/latency.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace idemlab::sim {
namespace {

Duration clamp_to_duration(double value, Duration cap) {
  if (!(value >= 0)) return 0;  // also catches NaN
  if (value >= static_cast<double>(cap)) return cap;
  return static_cast<Duration>(value);
}

}  // namespace

LatencyModel LatencyModel::constant(Duration value) {
  assert(value >= 0);
  LatencyModel m;
  m.kind_ = Kind::kConstant;
  m.a_ = value;
  return m;
}

LatencyModel LatencyModel::uniform(Duration low, Duration high) {
  assert(0 <= low && low <= high);
  LatencyModel m;
  m.kind_ = Kind::kUniform;
  m.a_ = low;
  m.b_ = high;
  return m;
}

LatencyModel LatencyModel::exponential(Duration mean) {
  assert(mean >= 0);
  LatencyModel m;
  m.kind_ = Kind::kExponential;
  m.a_ = mean;
  m.b_ = kTimeNever / 4;
  return m;
}

LatencyModel LatencyModel::log_normal(Duration median, double sigma, Duration cap) {
  assert(median > 0 && sigma >= 0 && cap >= median);
  LatencyModel m;
  m.kind_ = Kind::kLogNormal;
  m.a_ = median;
  m.b_ = cap;
  m.sigma_ = sigma;
  return m;
}

LatencyModel LatencyModel::empirical(std::vector<Duration> samples) {
  assert(!samples.empty());
  std::sort(samples.begin(), samples.end());
  assert(samples.front() >= 0);
  LatencyModel m;
  m.kind_ = Kind::kEmpirical;
  m.samples_ = std::make_shared<const std::vector<Duration>>(std::move(samples));
  return m;
}

Duration LatencyModel::sample(Tape& tape) const {
  switch (kind_) {
    case Kind::kConstant:
      return a_;
    case Kind::kUniform:
      if (a_ == b_) return a_;
      return sim::uniform(tape, a_, b_ + 1, Choice::kLatency);
    case Kind::kExponential: {
      const double u = unit_interval(tape, Choice::kLatency);
      return clamp_to_duration(-std::log1p(-u) * static_cast<double>(a_), b_);
    }
    case Kind::kLogNormal: {
      // Box-Muller; 1 - u lies in (0, 1], so the logarithm is finite.
      const double u1 = 1.0 - unit_interval(tape, Choice::kLatency);
      const double u2 = unit_interval(tape, Choice::kLatency);
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      return clamp_to_duration(static_cast<double>(a_) * std::exp(sigma_ * z), b_);
    }
    case Kind::kEmpirical: {
      const auto& s = *samples_;
      return s[s.size() == 1 ? 0 : tape.draw(s.size(), Choice::kLatency)];
    }
  }
  assert(false && "unknown latency kind");
  return 0;
}

std::string LatencyModel::describe() const {
  std::ostringstream out;
  switch (kind_) {
    case Kind::kConstant: out << "constant " << a_ << " ns"; break;
    case Kind::kUniform: out << "uniform [" << a_ << ", " << b_ << "] ns"; break;
    case Kind::kExponential: out << "exponential mean " << a_ << " ns"; break;
    case Kind::kLogNormal: out << "log-normal median " << a_ << " ns sigma " << sigma_ << " cap " << b_ << " ns"; break;
    case Kind::kEmpirical: out << "empirical " << samples_->size() << " samples"; break;
  }
  return out.str();
}

Calibration parse_calibration(const std::string& text, const std::string& origin) {
  using nlohmann::json;
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::runtime_error(origin + ": not JSON: " + e.what());
  }
  auto fail = [&](const std::string& path, const std::string& problem) {
    throw std::runtime_error(origin + ": " + path + ": " + problem);
  };
  if (!root.is_object()) fail("$", "must be an object");
  for (const auto& [key, value] : root.items()) {
    if (key != "format" && key != "operations" && key != "operations_under_load" && key != "machine" &&
        key != "measured_with") {
      fail("$." + key, "unknown field");
    }
  }
  if (!root.contains("format") || root["format"] != "idemlab-calibration/1") {
    fail("$.format", "must be \"idemlab-calibration/1\"");
  }
  if (!root.contains("operations") || !root["operations"].is_object()) fail("$.operations", "must be an object");
  auto nonnegative_int = [&](const json& v, const std::string& path) {
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) fail(path, "must be a non-negative integer (ns)");
    return v.get<Duration>();
  };
  auto operations = [&](const json& object, const std::string& where) {
    std::map<std::string, LatencyModel> models;
    for (const auto& [name, spec] : object.items()) {
      const std::string path = where + "." + name;
      if (!spec.is_object() || spec.size() != 1) {
        fail(path, "must hold exactly one of samples_ns, constant_ns, uniform_ns, log_normal");
      }
      if (spec.contains("samples_ns")) {
        const json& samples = spec["samples_ns"];
        if (!samples.is_array() || samples.empty()) fail(path + ".samples_ns", "must be a non-empty array");
        std::vector<Duration> values;
        for (std::size_t i = 0; i < samples.size(); ++i) {
          values.push_back(nonnegative_int(samples[i], path + ".samples_ns[" + std::to_string(i) + "]"));
        }
        models[name] = LatencyModel::empirical(std::move(values));
      } else if (spec.contains("constant_ns")) {
        models[name] = LatencyModel::constant(nonnegative_int(spec["constant_ns"], path + ".constant_ns"));
      } else if (spec.contains("uniform_ns")) {
        const json& range = spec["uniform_ns"];
        if (!range.is_array() || range.size() != 2) fail(path + ".uniform_ns", "must be [low, high]");
        const Duration low = nonnegative_int(range[0], path + ".uniform_ns[0]");
        const Duration high = nonnegative_int(range[1], path + ".uniform_ns[1]");
        if (low > high) fail(path + ".uniform_ns", "low must not exceed high");
        models[name] = LatencyModel::uniform(low, high);
      } else if (spec.contains("log_normal")) {
        const json& ln = spec["log_normal"];
        const std::string lp = path + ".log_normal";
        if (!ln.is_object() || !ln.contains("median_ns") || !ln.contains("sigma") || !ln.contains("cap_ns")) {
          fail(lp, "must hold median_ns, sigma and cap_ns");
        }
        const Duration median = nonnegative_int(ln["median_ns"], lp + ".median_ns");
        const Duration cap = nonnegative_int(ln["cap_ns"], lp + ".cap_ns");
        if (!ln["sigma"].is_number() || ln["sigma"].get<double>() < 0) fail(lp + ".sigma", "must be a number >= 0");
        if (median == 0 || cap < median) fail(lp, "needs 0 < median_ns <= cap_ns");
        models[name] = LatencyModel::log_normal(median, ln["sigma"].get<double>(), cap);
      } else {
        fail(path + "." + spec.begin().key(), "unknown field");
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
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open calibration file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_calibration(text.str(), path);
}

}  // namespace idemlab::sim
