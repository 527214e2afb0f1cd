#include <catch2/catch.hpp>

#include <cstdint>

#include "sim/distinct_count.h"

namespace idemlab::sim {
namespace {

TEST_CASE("distinct values are counted exactly up to the bound, repeats once") {
  DistinctCount count(1000);
  for (std::uint64_t round = 0; round < 3; ++round) {
    for (std::uint64_t v = 0; v < 700; ++v) count.add(v * 7919);
  }
  CHECK(count.exact());
  CHECK(count.count() == 700);
}

TEST_CASE("past the bound the count is a HyperLogLog estimate within a few percent") {
  DistinctCount count(1000);
  const std::uint64_t n = 200000;
  for (std::uint64_t v = 1; v <= n; ++v) count.add(v);
  for (std::uint64_t v = 1; v <= n; v += 3) count.add(v);  // repeats change nothing
  CHECK_FALSE(count.exact());
  const double error = (static_cast<double>(count.count()) - static_cast<double>(n)) / static_cast<double>(n);
  CHECK(error < 0.05);
  CHECK(error > -0.05);
}

TEST_CASE("the estimate is close while the count is still exact") {
  DistinctCount count;
  for (std::uint64_t v = 0; v < 5000; ++v) count.add(v);
  CHECK(count.count() == 5000);
  CHECK(count.estimate() > 4750);
  CHECK(count.estimate() < 5250);
}

TEST_CASE("merged counts count the union") {
  DistinctCount a(100), b(100);
  for (std::uint64_t v = 0; v < 60; ++v) a.add(v);
  for (std::uint64_t v = 30; v < 90; ++v) b.add(v);
  DistinctCount both = a;
  both.merge(b);
  CHECK(both.exact());
  CHECK(both.count() == 90);
  DistinctCount c(100);
  for (std::uint64_t v = 1000; v < 1050; ++v) c.add(v);
  both.merge(c);  // 140 values: past the bound
  CHECK_FALSE(both.exact());
  CHECK(both.count() > 125);
  CHECK(both.count() < 155);
}

}  // namespace
}  // namespace idemlab::sim
