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

// A tape that answers every latency pick with `pick` and draws nothing else.
class PickingTape final : public Tape {
 public:
  explicit PickingTape(LatencyPick pick) : pick_(pick) {}
  std::uint64_t draw(std::uint64_t, Choice) override {
    ++draws;
    return 0;
  }
  LatencyPick latency_pick() override {
    ++picks;
    return pick_;
  }
  int draws = 0;
  int picks = 0;

 private:
  LatencyPick pick_;
};

TEST_CASE("a latency's range ends are the bounds, the extreme samples or the 1st and 99th percentiles") {
  CHECK(LatencyModel::uniform(10, 12).low_end() == 10);
  CHECK(LatencyModel::uniform(10, 12).high_end() == 12);
  CHECK(LatencyModel::empirical({30, 10, 20}).low_end() == 10);
  CHECK(LatencyModel::empirical({30, 10, 20}).high_end() == 30);
  CHECK(LatencyModel::exponential(1000).low_end() == 10);    // -ln(0.99) * 1000
  CHECK(LatencyModel::exponential(1000).high_end() == 4605);  // -ln(0.01) * 1000
  const LatencyModel log_normal = LatencyModel::log_normal(1000, 0.5, 10000);
  CHECK(log_normal.low_end() == 312);    // 1000 * exp(-2.326 * 0.5)
  CHECK(log_normal.high_end() == 3200);  // 1000 * exp(2.326 * 0.5)
  CHECK(LatencyModel::log_normal(1000, 1.0, 5000).high_end() == 5000);  // capped
  // Against the empirical distribution: about 1% of samples lie below the
  // low end and about 1% above the high end.
  const auto s = samples(log_normal, 20000);
  const auto below = std::count_if(s.begin(), s.end(), [&](Duration d) { return d < log_normal.low_end(); });
  const auto above = std::count_if(s.begin(), s.end(), [&](Duration d) { return d > log_normal.high_end(); });
  CHECK(below > 100);
  CHECK(below < 300);
  CHECK(above > 100);
  CHECK(above < 300);
}

TEST_CASE("a tape's latency pick takes the range's end without a draw, and constants ask for none") {
  PickingTape high(LatencyPick::kHigh);
  CHECK(LatencyModel::uniform(10, 12).sample(high) == 12);
  CHECK(LatencyModel::constant(7).sample(high) == 7);
  CHECK(LatencyModel::uniform(5, 5).sample(high) == 5);
  CHECK(high.picks == 1);
  CHECK(high.draws == 0);
  PickingTape low(LatencyPick::kLow);
  CHECK(LatencyModel::exponential(1000).sample(low) == 10);
  PickingTape sampled(LatencyPick::kSample);
  CHECK(LatencyModel::uniform(10, 12).sample(sampled) == 10);  // the tape's draw, 0
  CHECK(sampled.draws == 1);
}

TEST_CASE("a replayed tape takes the recorded extremes and samples where none was recorded") {
  const std::vector<Draw> draws = {{kLatencyPicks, 2, Choice::kExtreme}, {3, 1, Choice::kLatency},
                                   {kLatencyPicks, 1, Choice::kExtreme}};
  ReplayTape tape(draws);
  const LatencyModel model = LatencyModel::uniform(10, 12);
  CHECK(model.sample(tape) == 12);
  CHECK(model.sample(tape) == 11);  // no extreme recorded: sampled from the next draw
  CHECK(model.sample(tape) == 10);
  CHECK(tape.exhausted());
  CHECK(tape.divergence().empty());
  CHECK(model.sample(tape) == 10);  // past the end: sampled, draw 0
}

}  // namespace
}  // namespace idemlab::sim
