#include "sim/latency.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

namespace idemlab::sim {
namespace {

std::vector<Duration> samples(const LatencyModel& model, int n, std::uint64_t seed = 3) {
  RandomTape tape(seed);
  std::vector<Duration> out;
  for (int i = 0; i < n; ++i) out.push_back(model.sample(tape));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("constant latency draws nothing") {
  RandomTape tape(1, /*record=*/true);
  CHECK(LatencyModel::constant(7).sample(tape) == 7);
  CHECK(tape.recorded().empty());
}

TEST_CASE("uniform latency stays within its closed range") {
  const auto s = samples(LatencyModel::uniform(10, 12), 1000);
  CHECK(s.front() == 10);
  CHECK(s.back() == 12);
}

TEST_CASE("exponential latency has about its mean") {
  const auto s = samples(LatencyModel::exponential(1000), 20000);
  double sum = 0;
  for (Duration d : s) sum += static_cast<double>(d);
  CHECK(sum / 20000 == Approx(1000).epsilon(0.05));
}

TEST_CASE("log-normal latency has about its median and respects its cap") {
  const auto s = samples(LatencyModel::log_normal(1000, 1.0, 5000), 20001);
  CHECK(static_cast<double>(s[10000]) == Approx(1000).epsilon(0.05));
  CHECK(s.back() == 5000);  // the cap is reached with sigma 1
}

TEST_CASE("empirical latency returns measured samples only") {
  const auto s = samples(LatencyModel::empirical({30, 10, 20}), 300);
  CHECK(s.front() == 10);
  CHECK(s.back() == 30);
  CHECK(std::count(s.begin(), s.end(), 20) > 50);
}

}  // namespace
}  // namespace idemlab::sim
