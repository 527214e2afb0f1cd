// Where the live tests find the private servers of scripts/infra: the URL in
// an environment variable (scripts/test exports them). Absent or malformed,
// the test fails: live tests are never skipped. LiveLoop runs test bodies as
// processes on the real-time loop.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "realmode/endpoint.h"
#include "realmode/real_time_loop.h"
#include "realmode/run_id.h"
#include "sim/tape.h"

namespace idemlab::realmode {

inline Endpoint live_endpoint(const char* variable, const char* scheme) {
  const char* url = std::getenv(variable);
  INFO(variable << " is not set: start the servers with scripts/infra up and export scripts/infra env");
  REQUIRE(url != nullptr);
  std::string error;
  const std::optional<Endpoint> endpoint = parse_endpoint(url, scheme, error);
  INFO(variable << ": " << error);
  REQUIRE(endpoint.has_value());
  return *endpoint;
}

struct LiveLoop {
  sim::RandomTape tape{1};
  sim::Simulator sim{tape};
  RealTimeLoop loop{sim};
  const std::string run_id = new_run_id();

  // Runs the bodies as concurrent processes until all have ended.
  void run(std::vector<sim::Task<void>> bodies) {
    int left = static_cast<int>(bodies.size());
    auto wrapper = [](sim::Task<void> inner, int& count) -> sim::Task<void> {
      co_await std::move(inner);
      --count;
    };
    for (sim::Task<void>& body : bodies) sim.spawn(wrapper(std::move(body), left), nullptr, "test");
    REQUIRE(loop.run([&] { return left == 0; }, 30 * sim::kSecond));
  }
  void run(sim::Task<void> body) {
    std::vector<sim::Task<void>> one;
    one.push_back(std::move(body));
    run(std::move(one));
  }
};

}  // namespace idemlab::realmode
