#include <catch2/catch.hpp>

#include "scenarios/search_progress.h"

namespace idemlab::scenarios {
namespace {

// Feeds runs 1..n, keeping a point whenever one is due, then finishes.
std::vector<SearchProgress> curve_of(std::uint64_t n) {
  ProgressCurve curve;
  for (std::uint64_t runs = 1; runs <= n; ++runs) {
    if (curve.due(runs)) curve.add({runs, 0, 0, runs});
  }
  curve.finish({n, 0, 0, n});
  return curve.points();
}

TEST_CASE("a search's growth keeps every one of its first 20 runs, then points about 5% apart") {
  const std::vector<SearchProgress> points = curve_of(100000);
  REQUIRE(points.size() > 20);
  for (std::uint64_t i = 0; i < 20; ++i) CHECK(points[i].runs == i + 1);
  for (std::size_t i = 21; i + 1 < points.size(); ++i) {
    CHECK(points[i].runs > points[i - 1].runs);
    CHECK(points[i].runs <= points[i - 1].runs + points[i - 1].runs / 20 + 1);
  }
  CHECK(points.size() < 250);  // a million-run search keeps a few hundred
}

TEST_CASE("the growth always ends at the last run, once") {
  CHECK(curve_of(1).size() == 1);
  const std::vector<SearchProgress> points = curve_of(1000);
  CHECK(points.back().runs == 1000);
  CHECK(points[points.size() - 2].runs < 1000);
  CHECK(curve_of(20).size() == 20);
}

}  // namespace
}  // namespace idemlab::scenarios
