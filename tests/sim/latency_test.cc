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

TEST_CASE("a calibration file yields one model per operation") {
  const Calibration calibration = parse_calibration(R"({
    "format": "idemlab-calibration/1",
    "operations": {
      "redis.set_nx": {"samples_ns": [40000, 42000]},
      "loopback.rtt": {"constant_ns": 30000},
      "pg.commit": {"log_normal": {"median_ns": 90000, "sigma": 0.4, "cap_ns": 900000}},
      "amqp.publish": {"uniform_ns": [1, 2]}
    }})", "test.json");
  const auto& models = calibration.operations;
  CHECK(calibration.under_load.empty());
  REQUIRE(models.size() == 4);
  CHECK(models.at("redis.set_nx").kind() == LatencyModel::Kind::kEmpirical);
  CHECK(models.at("loopback.rtt").kind() == LatencyModel::Kind::kConstant);
  CHECK(models.at("pg.commit").kind() == LatencyModel::Kind::kLogNormal);
  CHECK(models.at("amqp.publish").kind() == LatencyModel::Kind::kUniform);
}

TEST_CASE("a bad calibration file names the file and the JSON path") {
  CHECK_THROWS_WITH(parse_calibration(R"({"format": "idemlab-calibration/1", "operations": {
      "pg.commit": {"samples_ns": [1, -2]}}})", "cal.json"),
                    "cal.json: $.operations.pg.commit.samples_ns[1]: must be a non-negative integer (ns)");
  CHECK_THROWS_WITH(parse_calibration(R"({"format": "v0", "operations": {}})", "cal.json"),
                    "cal.json: $.format: must be \"idemlab-calibration/1\"");
  CHECK_THROWS_WITH(parse_calibration(R"({"format": "idemlab-calibration/1", "operations": {}, "extra": 1})",
                                      "cal.json"),
                    "cal.json: $.extra: unknown field");
  CHECK_THROWS_WITH(parse_calibration(R"({"format": "idemlab-calibration/1", "operations": {},
      "operations_under_load": {"pg.commit": {"samples_ns": []}}})", "cal.json"),
                    "cal.json: $.operations_under_load.pg.commit.samples_ns: must be a non-empty array");
  CHECK_THROWS_WITH(load_calibration("/nonexistent/cal.json"), "/nonexistent/cal.json: cannot open calibration file");
}

}  // namespace
}  // namespace idemlab::sim
