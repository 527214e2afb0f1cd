#include "models/clients/arrivals.h"

#include <algorithm>
#include <cassert>

#include "sim/latency.h"

namespace idemlab::models::clients {
namespace {

// 128 bits for a rate times a span of up to 400 days in ns (GCC and
// Clang; __extension__ says so to -pedantic).
__extension__ using Wide = __int128;

}  // namespace

ArrivalProfile::ArrivalProfile(std::vector<RatePoint> points) : points_(std::move(points)) {
  assert(!points_.empty());
  for (std::size_t i = 0; i < points_.size(); ++i) {
    assert(points_[i].milli_per_s >= 0);
    assert(i == 0 || points_[i - 1].at <= points_[i].at);
    peak_ = std::max(peak_, points_[i].milli_per_s);
  }
}

std::int64_t ArrivalProfile::rate_at(sim::Time t) const {
  assert(open_loop());
  if (t < points_.front().at) return points_.front().milli_per_s;
  // The last point at or before t (a step's second point wins).
  std::size_t i = 0;
  while (i + 1 < points_.size() && points_[i + 1].at <= t) ++i;
  if (i + 1 == points_.size()) return points_[i].milli_per_s;
  const RatePoint& a = points_[i];
  const RatePoint& b = points_[i + 1];
  const Wide moved = static_cast<Wide>(b.milli_per_s - a.milli_per_s) * (t - a.at) / (b.at - a.at);
  return a.milli_per_s + static_cast<std::int64_t>(moved);
}

bool ArrivalProfile::ended_at(sim::Time t) const {
  // Linear between points: zero now and at every later point is zero for ever.
  if (rate_at(t) > 0) return false;
  for (const RatePoint& p : points_) {
    if (p.at > t && p.milli_per_s > 0) return false;
  }
  return true;
}

ArrivalProfile ArrivalProfile::scaled(std::int64_t numerator, std::int64_t denominator) const {
  assert(numerator > 0 && denominator > 0);
  std::vector<RatePoint> points = points_;
  for (RatePoint& p : points) {
    p.milli_per_s = static_cast<std::int64_t>(static_cast<Wide>(p.milli_per_s) * numerator / denominator);
  }
  return ArrivalProfile(std::move(points));
}

std::optional<sim::Time> ArrivalProfile::next_after(sim::Time now, sim::Tape& tape) const {
  assert(open_loop());
  if (peak_ == 0) return std::nullopt;
  // The mean gap at the peak rate: 1000 / peak seconds.
  const sim::Duration mean = std::max<sim::Duration>(1, 1000 * sim::kSecond / peak_);
  const sim::LatencyModel gap = sim::LatencyModel::exponential(mean);
  sim::Time t = now;
  for (;;) {
    if (ended_at(t)) return std::nullopt;
    t += std::max<sim::Duration>(1, gap.sample(tape));
    const std::int64_t rate = rate_at(t);
    if (chance(tape, sim::Ratio{static_cast<std::uint64_t>(rate), static_cast<std::uint64_t>(peak_)},
               sim::Choice::kWorkload)) {
      return t;
    }
  }
}

}  // namespace idemlab::models::clients
