#include "sim/latency.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>
#include <sstream>

namespace idemlab::sim {
namespace {

Duration clamp_to_duration(double value, Duration cap) {
  if (!(value >= 0)) return 0;  // also catches NaN
  if (value >= static_cast<double>(cap)) return cap;
  return static_cast<Duration>(value);
}

// The standard normal's 99th percentile.
constexpr double kZ99 = 2.3263478740408408;

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

bool LatencyModel::has_range() const {
  switch (kind_) {
    case Kind::kConstant: return false;
    case Kind::kUniform: return a_ < b_;
    case Kind::kExponential: return a_ > 0;
    case Kind::kLogNormal: return sigma_ > 0;
    case Kind::kEmpirical: return samples_->front() < samples_->back();
  }
  return false;
}

// The ends of a range: a uniform's bounds, an empirical model's smallest and
// largest samples, and for the unbounded distributions their 1st and 99th
// percentiles (the cap above them is there to stop runaways, not a value
// worth testing).
Duration LatencyModel::low_end() const {
  switch (kind_) {
    case Kind::kConstant:
    case Kind::kUniform: return a_;
    case Kind::kExponential: return clamp_to_duration(-std::log1p(-0.01) * static_cast<double>(a_), b_);
    case Kind::kLogNormal: return clamp_to_duration(static_cast<double>(a_) * std::exp(-kZ99 * sigma_), b_);
    case Kind::kEmpirical: return samples_->front();
  }
  assert(false && "unknown latency kind");
  return 0;
}

Duration LatencyModel::high_end() const {
  switch (kind_) {
    case Kind::kConstant: return a_;
    case Kind::kUniform: return b_;
    case Kind::kExponential: return clamp_to_duration(-std::log(0.01) * static_cast<double>(a_), b_);
    case Kind::kLogNormal: return clamp_to_duration(static_cast<double>(a_) * std::exp(kZ99 * sigma_), b_);
    case Kind::kEmpirical: return samples_->back();
  }
  assert(false && "unknown latency kind");
  return 0;
}

Duration LatencyModel::sample(Tape& tape) const {
  if (has_range()) {
    switch (tape.latency_pick()) {
      case LatencyPick::kSample: break;
      case LatencyPick::kLow: return low_end();
      case LatencyPick::kHigh: return high_end();
    }
  }
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

}  // namespace idemlab::sim
