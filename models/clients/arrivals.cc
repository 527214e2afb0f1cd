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
  // Thinning segment by segment, at the segment's own top rate: a profile
  // that falls far below its peak costs no more candidates than arrivals
  // (a ramp: at most twice as many). The exponential gap is memoryless, so
  // a gap that crosses the segment's end starts again from there.
  sim::Time t = now;
  for (;;) {
    std::size_t next = 0;  // the first point after t: the segment's end
    while (next < points_.size() && points_[next].at <= t) ++next;
    const bool last = next == points_.size();
    const sim::Time until = last ? sim::kTimeNever : points_[next].at;
    const std::int64_t top = std::max(rate_at(t), last ? 0 : points_[next].milli_per_s);
    if (top == 0) {
      if (last) return std::nullopt;  // zero for ever
      t = until;
      continue;
    }
    const sim::Duration mean = std::max<sim::Duration>(1, 1000 * sim::kSecond / top);
    const sim::Duration gap = std::max<sim::Duration>(1, sim::LatencyModel::exponential(mean).sample(tape));
    if (!last && gap >= until - t) {
      t = until;
      continue;
    }
    t += gap;
    const std::int64_t rate = rate_at(t);
    if (chance(tape, sim::Ratio{static_cast<std::uint64_t>(rate), static_cast<std::uint64_t>(top)},
               sim::Choice::kWorkload)) {
      return t;
    }
  }
}

}  // namespace idemlab::models::clients
