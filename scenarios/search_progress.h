// How a search grew, run by run: what `idemlab explore --json` records and
// `idemlab plot` draws as coverage and distinct interleavings against runs.
// Points come densely at first, then about 5% of runs apart, so a search of
// a million runs keeps a few hundred.
#pragma once

#include <cstdint>
#include <vector>

namespace idemlab::scenarios {

struct SearchProgress {
  std::uint64_t runs = 0;
  // (site, action) pairs placed in some run, of those some run offered; 0
  // and 0 for a search that places no faults (--schedules).
  std::uint64_t pairs_covered = 0;
  std::uint64_t pairs_seen = 0;
  std::uint64_t interleavings = 0;  // distinct step orders so far (estimated past the exact bound)
};

class ProgressCurve {
 public:
  // Whether the run count just reached is one to keep a point at.
  bool due(std::uint64_t runs) const { return runs >= next_; }
  // Keeps `point` and moves the next one on.
  void add(const SearchProgress& point) {
    points_.push_back(point);
    next_ = point.runs < 20 ? point.runs + 1 : point.runs + point.runs / 20;
  }
  // The last point, unless it is the one kept already.
  void finish(const SearchProgress& point) {
    if (points_.empty() || points_.back().runs != point.runs) points_.push_back(point);
  }
  const std::vector<SearchProgress>& points() const { return points_; }

 private:
  std::uint64_t next_ = 1;
  std::vector<SearchProgress> points_;
};

}  // namespace idemlab::scenarios
