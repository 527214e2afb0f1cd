#include "sim/resource.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace idemlab::sim {
namespace {

using testing::World;

Task<void> use(Simulator& sim, Resource& r, Duration patience, Duration hold, std::vector<std::string>& log,
               std::string name) {
  const bool granted = co_await r.acquire(patience);
  log.push_back(name + (granted ? " got@" : " gave-up@") + std::to_string(sim.now()));
  if (!granted) co_return;
  SlotGuard guard(r);
  co_await sim.sleep(hold);
}

TEST_CASE("waiters are served first come first served") {
  World world;
  Resource r(world.sim, 1, 10);
  std::vector<std::string> log;
  for (int i = 0; i < 3; ++i) {
    world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, std::to_string(i)), nullptr, "user");
  }
  world.sim.run();
  CHECK(log == std::vector<std::string>{"0 got@0", "1 got@10", "2 got@20"});
  CHECK(r.in_use() == 0);
}

TEST_CASE("a waiter gives up when its patience runs out") {
  World world;
  Resource r(world.sim, 1, 10);
  std::vector<std::string> log;
  world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, "holder"), nullptr, "holder");
  world.sim.spawn(use(world.sim, r, 3, 10, log, "impatient"), nullptr, "impatient");
  world.sim.spawn(use(world.sim, r, 100, 10, log, "patient"), nullptr, "patient");
  world.sim.run();
  CHECK(log == std::vector<std::string>{"holder got@0", "impatient gave-up@3", "patient got@10"});
}

TEST_CASE("a full waiting queue refuses at once") {
  World world;
  Resource r(world.sim, 1, 1);
  std::vector<std::string> log;
  for (int i = 0; i < 3; ++i) {
    world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, std::to_string(i)), nullptr, "user");
  }
  world.sim.run();
  CHECK(log == std::vector<std::string>{"0 got@0", "2 gave-up@0", "1 got@10"});
}

TEST_CASE("a holder cancelled mid-use gives its slot back") {
  World world;
  Resource r(world.sim, 1, 10);
  std::vector<std::string> log;
  const ProcessId holder = world.sim.spawn(use(world.sim, r, kTimeNever, 100, log, "holder"), nullptr, "holder");
  world.sim.spawn(use(world.sim, r, kTimeNever, 1, log, "next"), nullptr, "next");
  world.sim.run_until(5);
  world.sim.cancel(holder);
  world.sim.run();
  CHECK(log == std::vector<std::string>{"holder got@0", "next got@5"});
  CHECK(r.in_use() == 0);
}

TEST_CASE("a waiter cancelled after its grant passes the slot on") {
  World world;
  Resource r(world.sim, 1, 10);
  std::vector<std::string> log;
  world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, "holder"), nullptr, "holder");
  const ProcessId granted_then_killed =
      world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, "killed"), nullptr, "killed");
  world.sim.spawn(use(world.sim, r, kTimeNever, 10, log, "third"), nullptr, "third");
  // At 10 the holder wakes first (its sleep was scheduled first), releases
  // and grants "killed", whose wake-up is queued behind the killer's: the
  // killer cancels it between the grant and the wake-up.
  auto killer = [&](Simulator& sim) -> Task<void> {
    co_await sim.sleep(10);
    CHECK(r.in_use() == 1);
    CHECK(r.waiting() == 1);  // granted: only "third" still waits
    sim.cancel(granted_then_killed);
  };
  world.sim.spawn(killer(world.sim), nullptr, "killer");
  world.sim.run();
  CHECK(log == std::vector<std::string>{"holder got@0", "third got@10"});
  CHECK(r.in_use() == 0);
}

}  // namespace
}  // namespace idemlab::sim
