// Delay distributions, sampled through the tape (Choice::kLatency). Constant
// draws nothing; the others draw 53-bit uniforms (or an index, for empirical)
// and shape them with <cmath> only: no <random> distributions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::sim {

class LatencyModel {
 public:
  enum class Kind : std::uint8_t { kConstant, kUniform, kExponential, kLogNormal, kEmpirical };

  // Zero delay.
  LatencyModel() = default;
  static LatencyModel constant(Duration value);
  // Uniform in [low, high]. REQUIRES: 0 <= low <= high.
  static LatencyModel uniform(Duration low, Duration high);
  static LatencyModel exponential(Duration mean);
  // exp(N(ln median, sigma^2)), capped at `cap` (a bound on every delay).
  static LatencyModel log_normal(Duration median, double sigma, Duration cap);
  // One of the measured samples, each equally likely. REQUIRES: non-empty.
  static LatencyModel empirical(std::vector<Duration> samples);

  // A draw, or the end of the range that tape.latency_pick() asks for.
  Duration sample(Tape& tape) const;
  // The ends of the range (see latency.cc for the unbounded kinds).
  Duration low_end() const;
  Duration high_end() const;
  // Whether samples can differ (the ends are then a choice worth making).
  bool has_range() const;

  Kind kind() const { return kind_; }
  std::string describe() const;
  // Whether every sample is 0 (the default model): callers skip the wait, so
  // that a model nobody set adds no event.
  bool is_zero() const { return kind_ == Kind::kConstant && a_ == 0; }
  // An empirical model's samples, sorted; nullptr for the other kinds.
  const std::vector<Duration>* samples() const { return samples_.get(); }

 private:
  Kind kind_ = Kind::kConstant;
  Duration a_ = 0;  // constant value, low, mean or median
  Duration b_ = 0;  // high or cap
  double sigma_ = 0;
  std::shared_ptr<const std::vector<Duration>> samples_;  // shared: models are copied freely
};

}  // namespace idemlab::sim
