#include <catch2/catch.hpp>

#include "models/calibration.h"
#include "realmode/calibrate.h"
#include "sim/latency.h"

namespace idemlab::realmode {
namespace {

TEST_CASE("the calibration file calibrate writes is one the simulator reads and a world takes") {
  Measurements measured;
  for (const std::string& name : models::calibrated_operations()) measured[name] = {300, 100, 200};
  measured["amqp.deliver_ack"] = {5};  // written for reference, not needed by a world
  Measurements loaded = measured;
  for (auto& [name, samples] : loaded) samples = {900, 700, 800};
  const std::string text = calibration_json(measured, loaded, "test machine", 2);
  const models::Calibration read = models::parse_calibration(text, "cal.json");
  REQUIRE(read.operations.size() == measured.size());
  REQUIRE(read.under_load.size() == loaded.size());
  for (const auto& [name, samples] : measured) {
    INFO(name);
    REQUIRE(read.operations.at(name).samples() != nullptr);
    REQUIRE(read.under_load.at(name).samples() != nullptr);
    std::vector<sim::Duration> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    CHECK(*read.operations.at(name).samples() == sorted);
    CHECK(*read.under_load.at(name).samples() == std::vector<sim::Duration>{700, 800, 900});
  }
  models::WorldConfig config;
  CHECK_NOTHROW(models::apply_calibration(read, "cal.json", config));
  CHECK(config.redis.command_time.samples() != nullptr);
  CHECK(config.redis.command_time_loaded.has_value());
  CHECK(text.find("\"machine\": \"test machine\"") != std::string::npos);
  CHECK(text.find("under load, 2 calls at a time") != std::string::npos);
}

TEST_CASE("a calibration measured alone only leaves the loaded service times unset") {
  Measurements measured;
  for (const std::string& name : models::calibrated_operations()) measured[name] = {300, 100, 200};
  const std::string text = calibration_json(measured, {}, "test machine", 1);
  CHECK(text.find("operations_under_load") == std::string::npos);
  models::WorldConfig config;
  models::apply_calibration(models::parse_calibration(text, "cal.json"), "cal.json", config);
  CHECK(config.redis.command_time.samples() != nullptr);
  CHECK_FALSE(config.redis.command_time_loaded.has_value());
  CHECK_FALSE(config.postgres.statement_time_loaded.has_value());
}

}  // namespace
}  // namespace idemlab::realmode
