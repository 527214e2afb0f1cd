// Open-loop arrivals: intents start at a rate whatever the answers, as the
// requests of many independent users do (a closed loop of clients that wait
// for each answer slows down with the service and hides overload). The
// arrivals are a Poisson process whose rate follows a piecewise-linear
// profile: a constant rate, steps (two points at one instant) and ramps.
// They are drawn by thinning (Lewis and Shedler, 1979): candidates at a
// segment's top rate, each kept with probability rate(t) / top, which is
// exact for any piecewise-linear profile and needs integer choices only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::models::clients {

// The rate from `at` on, in thousandths of an intent per second; between
// two points it moves linearly, after the last it stays.
struct RatePoint {
  sim::Time at = 0;
  std::int64_t milli_per_s = 0;
  bool operator==(const RatePoint&) const = default;
};

class ArrivalProfile {
 public:
  // No profile: a closed loop (each client waits for an answer, then thinks).
  ArrivalProfile() = default;
  // REQUIRES: points in order of time, rates >= 0. All zero: no arrivals.
  explicit ArrivalProfile(std::vector<RatePoint> points);

  bool open_loop() const { return !points_.empty(); }
  const std::vector<RatePoint>& points() const { return points_; }
  std::int64_t peak_milli_per_s() const { return peak_; }
  std::int64_t rate_at(sim::Time t) const;
  // The profile with every rate times numerator / denominator (rounded
  // down, so a share may be no arrivals): one client's share, or an
  // offered-load multiple.
  // REQUIRES: numerator > 0, denominator > 0.
  ArrivalProfile scaled(std::int64_t numerator, std::int64_t denominator) const;
  // The next arrival after `now`; nullopt once the rate stays zero.
  std::optional<sim::Time> next_after(sim::Time now, sim::Tape& tape) const;

 private:
  std::vector<RatePoint> points_;
  std::int64_t peak_ = 0;
};

}  // namespace idemlab::models::clients
