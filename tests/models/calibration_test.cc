#include <catch2/catch.hpp>

#include "checks/latency.h"
#include "models/calibration.h"
#include "models/clients/history.h"
#include "models/machine_load.h"
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
  apply_calibration(Calibration{ops, {}}, "cal.json", config);
  CHECK_FALSE(config.redis.command_time_loaded.has_value());  // none measured under load
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
  CHECK_THROWS_WITH(apply_calibration(Calibration{ops, {}}, "cal.json", config),
                    "cal.json: $.operations.pg.commit: missing");
  CHECK_THROWS_WITH(apply_calibration(Calibration{every_operation(100 * sim::kMicrosecond), ops}, "cal.json", config),
                    "cal.json: $.operations_under_load.pg.commit: missing");
  ops = every_operation(100 * sim::kMicrosecond);
  ops["redis.get"] = sim::LatencyModel::constant(5);
  CHECK_THROWS_WITH(apply_calibration(Calibration{ops, {}}, "cal.json", config),
                    "cal.json: $.operations.redis.get: needs samples_ns to calibrate a world");
}

TEST_CASE("operations measured under load become the loaded service times, less the round trip measured alone") {
  std::map<std::string, sim::LatencyModel> alone = every_operation(100 * sim::kMicrosecond);
  alone["loopback.rtt"] = sim::LatencyModel::empirical({40 * sim::kMicrosecond});
  std::map<std::string, sim::LatencyModel> loaded = every_operation(250 * sim::kMicrosecond);
  loaded["pg.commit"] = sim::LatencyModel::empirical({540 * sim::kMicrosecond});
  WorldConfig config;
  apply_calibration(Calibration{alone, loaded}, "cal.json", config);
  sim::RandomTape tape(1);
  REQUIRE(config.redis.command_time_loaded.has_value());
  CHECK(config.redis.command_time_loaded->sample(tape) == 210 * sim::kMicrosecond);
  CHECK(config.postgres.statement_time_loaded->sample(tape) == 210 * sim::kMicrosecond);
  CHECK(config.postgres.commit_time_loaded->sample(tape) == 500 * sim::kMicrosecond);
  CHECK(config.rabbitmq.publish_time_loaded->sample(tape) == 210 * sim::kMicrosecond);
  CHECK(config.processor.ledger_time_loaded->sample(tape) == 210 * sim::kMicrosecond);
  CHECK(config.redis.command_time.sample(tape) == 60 * sim::kMicrosecond);  // the idle figure stays
}

TEST_CASE("an operation takes the loaded time while another is in service on the machine, the idle time alone") {
  const sim::LatencyModel idle = sim::LatencyModel::constant(10);
  const std::optional<sim::LatencyModel> loaded = sim::LatencyModel::constant(30);
  sim::RandomTape tape(1);
  MachineLoad load;
  CHECK(load.serve(0, idle, loaded, tape) == 10);   // alone: in service until 10
  CHECK(load.serve(5, idle, loaded, tape) == 30);   // the first is still in service: until 35
  CHECK(load.serve(10, idle, loaded, tape) == 30);  // the first ended at 10, the second has not
  CHECK(load.serve(40, idle, loaded, tape) == 10);  // both over
  CHECK(load.serve(41, idle, std::nullopt, tape) == 10);  // nothing measured under load: always idle
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
  CHECK(models.at("redis.set_nx").kind() == sim::LatencyModel::Kind::kEmpirical);
  CHECK(models.at("loopback.rtt").kind() == sim::LatencyModel::Kind::kConstant);
  CHECK(models.at("pg.commit").kind() == sim::LatencyModel::Kind::kLogNormal);
  CHECK(models.at("amqp.publish").kind() == sim::LatencyModel::Kind::kUniform);
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
  CHECK_THROWS_WITH(load_calibration("/nonexistent/cal.json"), "/nonexistent/cal.json: cannot read the calibration file: No such file or directory");
}

TEST_CASE("a calibration file is strict JSON: a key given twice is an error naming its path") {
  CHECK_THROWS_WITH(parse_calibration(R"({"format": "idemlab-calibration/1", "operations": {
      "pg.commit": {"constant_ns": 1}, "pg.commit": {"constant_ns": 2}}})", "cal.json"),
                    "cal.json: $.operations.pg.commit: key given twice in one object (each key may appear once)");
}

}  // namespace
}  // namespace idemlab::models
