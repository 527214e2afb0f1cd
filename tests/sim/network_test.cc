#include "sim/network.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace idemlab::sim {
namespace {

using testing::World;

// A client and a server with a counter that the handler bumps: the effect
// whose fate each fault decides.
struct Rig {
  explicit Rig(std::uint64_t seed = 1) : world(seed), net(world.sim), client(world.sim, "client"),
                                           server(world.sim, "server") {
    LinkConfig config;
    config.latency = LatencyModel::constant(10);
    config.extra_delay = LatencyModel::constant(500);
    net.set_defaults(config);
    client.start();
    server.start();
  }

  std::function<Task<int>()> handler() {
    return [this]() -> Task<int> {
      co_await world.sim.sleep(5);  // service time
      co_return ++executed;
    };
  }

  CallResult<int> call_once(Duration timeout = 100) {
    CallResult<int> result;
    auto caller = [&](Rig& rig) -> Task<void> {
      result = co_await rig.net.call<int>(rig.client, rig.server, "op", timeout, rig.handler());
      finished_at = rig.world.sim.now();
    };
    client.spawn(caller(*this), "caller");
    world.sim.run();
    return result;
  }

  World world;
  Network net;
  Node client;
  Node server;
  int executed = 0;
  Time finished_at = -1;
};

TEST_CASE("a call without faults takes latency, service time and latency") {
  Rig rig;
  const CallResult<int> r = rig.call_once();
  CHECK(r.ok());
  CHECK(r.value == std::optional<int>(1));
  CHECK(rig.finished_at == 25);
}

TEST_CASE("a dropped request is never executed and the caller times out") {
  Rig rig;
  rig.net.inject(rig.client, rig.server, Fault::kDropRequest);
  const CallResult<int> r = rig.call_once();
  CHECK(r.status == CallStatus::kTimeout);
  CHECK(rig.executed == 0);
  CHECK(rig.finished_at == 100);
}

TEST_CASE("a dropped reply means the operation ran although the caller timed out") {
  Rig rig;
  rig.net.inject(rig.client, rig.server, Fault::kDropReply);
  const CallResult<int> r = rig.call_once();
  CHECK(r.status == CallStatus::kTimeout);
  CHECK(rig.executed == 1);
  CHECK(rig.net.stats().replies_dropped == 1);
}

TEST_CASE("a duplicated request runs the handler twice and the caller takes the first reply") {
  Rig rig;
  rig.net.inject(rig.client, rig.server, Fault::kDuplicate);
  const CallResult<int> r = rig.call_once();
  CHECK(r.ok());
  CHECK(r.value == std::optional<int>(1));
  CHECK(rig.executed == 2);
}

TEST_CASE("a delayed request arrives late and can outlive the caller's patience") {
  Rig rig;
  rig.net.inject(rig.client, rig.server, Fault::kDelay);
  const CallResult<int> r = rig.call_once(/*timeout=*/100);
  CHECK(r.status == CallStatus::kTimeout);
  CHECK(rig.finished_at == 100);
  CHECK(rig.executed == 1);  // it still ran, at 510 + 5
  CHECK(rig.world.sim.now() == 515);
}

TEST_CASE("a partition loses requests until it heals") {
  Rig rig;
  rig.net.partition(rig.server, rig.client);
  CHECK(rig.call_once().status == CallStatus::kTimeout);
  CHECK(rig.executed == 0);
  rig.net.heal(rig.client, rig.server);
  CHECK(rig.call_once().ok());
  CHECK(rig.executed == 1);
}

TEST_CASE("a call to a down node is refused after a round trip and never runs") {
  Rig rig;
  rig.server.crash();
  const CallResult<int> r = rig.call_once();
  CHECK(r.status == CallStatus::kRefused);
  CHECK(rig.finished_at == 20);
  CHECK(rig.executed == 0);
}

TEST_CASE("a target crash while the request is in flight loses the request") {
  Rig rig;
  auto crasher = [&](Rig& self) -> Task<void> {
    co_await self.world.sim.sleep(5);  // the request lands at 10
    self.server.restart();
  };
  rig.client.spawn(crasher(rig), "crasher");
  const CallResult<int> r = rig.call_once();
  CHECK(r.status == CallStatus::kTimeout);
  CHECK(rig.executed == 0);
}

TEST_CASE("random fault rates are drawn through the tape") {
  // With every request dropped at random (ratio 1/2), some of 200 calls fail
  // and some succeed, and the same seed gives the same count.
  auto run = [](std::uint64_t seed) {
    Rig rig(seed);
    rig.net.link(rig.client, rig.server).drop_request = Ratio{1, 2};
    int ok = 0;
    for (int i = 0; i < 200; ++i) ok += rig.call_once().ok() ? 1 : 0;
    return ok;
  };
  const int ok = run(5);
  CHECK(ok > 60);
  CHECK(ok < 140);
  CHECK(run(5) == ok);
}

}  // namespace
}  // namespace idemlab::sim
