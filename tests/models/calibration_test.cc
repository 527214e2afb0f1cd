#include <catch2/catch.hpp>

#include "checks/latency.h"
#include "models/calibration.h"
#include "models/clients/history.h"
#include "sim/tape.h"

namespace idemlab::models {
namespace {

std::map<std::string, sim::LatencyModel> every_operation(sim::Duration each) {
  std::map<std::string, sim::LatencyModel> ops;
  for (const std::string& name : calibrated_operations()) ops[name] = sim::LatencyModel::empirical({each});
  return ops;
}

TEST_CASE("a calibration's operations become the models' service times, less a loopback round trip") {
  std::map<std::string, sim::LatencyModel> ops = every_operation(100 * sim::kMicrosecond);
  ops["loopback.rtt"] = sim::LatencyModel::empirical({40 * sim::kMicrosecond});
  ops["pg.commit"] = sim::LatencyModel::empirical({340 * sim::kMicrosecond});
  ops["processor.charge"] = sim::LatencyModel::empirical({1040 * sim::kMicrosecond});
  ops["redis.get"] = sim::LatencyModel::empirical({20 * sim::kMicrosecond});  // under a round trip: 0
  WorldConfig config;
  apply_calibration(ops, "cal.json", config);
  sim::RandomTape tape(1);
  CHECK(config.network.latency.sample(tape) == 20 * sim::kMicrosecond);  // one way: half the round trip
  CHECK(config.postgres.commit_time.sample(tape) == 300 * sim::kMicrosecond);
  CHECK(config.postgres.statement_time.sample(tape) == 60 * sim::kMicrosecond);
  CHECK(config.processor.ledger_time.sample(tape) == 1000 * sim::kMicrosecond);
  CHECK(config.rabbitmq.publish_time.sample(tape) == 60 * sim::kMicrosecond);
  CHECK(config.rabbitmq.fsync_delay == 0);
  // Redis pools SET NX, GET and compare-and-delete: 60, 0 and 60 us.
  const std::vector<sim::Duration>* redis = config.redis.command_time.samples();
  REQUIRE(redis != nullptr);
  CHECK(*redis == std::vector<sim::Duration>{0, 60 * sim::kMicrosecond, 60 * sim::kMicrosecond});
}

TEST_CASE("a calibration without an operation, or without samples, names the file and the operation") {
  std::map<std::string, sim::LatencyModel> ops = every_operation(100 * sim::kMicrosecond);
  ops.erase("pg.commit");
  WorldConfig config;
  CHECK_THROWS_WITH(apply_calibration(ops, "cal.json", config), "cal.json: $.operations.pg.commit: missing");
  ops = every_operation(100 * sim::kMicrosecond);
  ops["redis.get"] = sim::LatencyModel::constant(5);
  CHECK_THROWS_WITH(apply_calibration(ops, "cal.json", config),
                    "cal.json: $.operations.redis.get: needs samples_ns to calibrate a world");
}

TEST_CASE("attempt latencies run from each invoke to its answer or timeout; double clicks are apart") {
  using clients::HistoryEvent;
  clients::History history;
  history.add({.at = 0, .intent = 0, .attempt = 1, .kind = HistoryEvent::Kind::kInvoke});
  history.add({.at = 5, .intent = 0, .attempt = 1, .sender = 1, .kind = HistoryEvent::Kind::kInvoke});
  history.add({.at = 30, .intent = 0, .attempt = 1, .sender = 1, .kind = HistoryEvent::Kind::kOk});
  history.add({.at = 100, .intent = 0, .attempt = 1, .kind = HistoryEvent::Kind::kUnknown});
  history.add({.at = 200, .intent = 0, .attempt = 2, .kind = HistoryEvent::Kind::kInvoke});
  history.add({.at = 207, .intent = 0, .attempt = 2, .kind = HistoryEvent::Kind::kFail});
  history.add({.at = 300, .intent = 0, .attempt = 3, .kind = HistoryEvent::Kind::kInvoke});  // never answered
  CHECK(checks::attempt_latencies(history) == std::vector<sim::Duration>{25, 100, 7});
}

TEST_CASE("percentiles by nearest rank") {
  std::vector<sim::Duration> samples;
  for (sim::Duration d = 100; d >= 1; --d) samples.push_back(d);
  CHECK(checks::percentile(samples, 0.5) == 50);
  CHECK(checks::percentile(samples, 0.99) == 99);
  CHECK(checks::percentile(samples, 1.0) == 100);
  CHECK(checks::percentile({}, 0.5) == 0);
  CHECK(checks::percentile({7}, 0.01) == 7);
}

}  // namespace
}  // namespace idemlab::models
