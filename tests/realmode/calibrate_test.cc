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
  const std::string text = calibration_json(measured, "test machine", 1);
  const std::map<std::string, sim::LatencyModel> read = sim::parse_calibration(text, "cal.json");
  REQUIRE(read.size() == measured.size());
  for (const auto& [name, samples] : measured) {
    INFO(name);
    REQUIRE(read.at(name).samples() != nullptr);
    std::vector<sim::Duration> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    CHECK(*read.at(name).samples() == sorted);
  }
  models::WorldConfig config;
  CHECK_NOTHROW(models::apply_calibration(read, "cal.json", config));
  CHECK(text.find("\"machine\": \"test machine\"") != std::string::npos);
}

}  // namespace
}  // namespace idemlab::realmode
