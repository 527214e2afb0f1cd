#include "sim/node.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace idemlab::sim {
namespace {

using testing::World;

struct Counter : NodeMemory {
  int requests = 0;
};

// A service whose boot routine sets up memory and starts a ticking worker.
struct Service {
  explicit Service(Simulator& sim)
      : node(sim, "service", [this](Node& n) { return boot(n); }) {}

  Task<void> boot(Node& n) {
    ++boots;
    n.set_memory(std::make_unique<Counter>());
    n.spawn(tick(n), "ticker");
    co_return;
  }

  Task<void> tick(Node& n) {
    for (;;) {
      co_await n.sim().sleep(10);
      ++ticks;
      ++n.memory<Counter>().requests;
    }
  }

  int boots = 0;
  int ticks = 0;
  Node node;
};

TEST_CASE("a crash cancels every process of the node and drops its memory") {
  World world;
  Service service(world.sim);
  service.node.start();
  world.sim.run_until(35);
  CHECK(service.ticks == 3);
  CHECK(service.node.memory<Counter>().requests == 3);
  CHECK(world.sim.live_processes() == 1);  // the ticker; boot has finished
  CHECK(service.node.crash() == 1);
  CHECK_FALSE(service.node.up());
  CHECK_FALSE(service.node.has_memory());
  CHECK(world.sim.live_processes() == 0);
  world.sim.run_until(100);
  CHECK(service.ticks == 3);  // nothing ran while it was down
}

TEST_CASE("a restart runs the boot routine again with fresh memory") {
  World world;
  Service service(world.sim);
  service.node.start();
  world.sim.run_until(25);
  service.node.restart();
  CHECK(service.boots == 1);  // boot runs as a process, from the queue
  world.sim.run_until(40);
  CHECK(service.boots == 2);
  CHECK(service.node.incarnation() == 2);
  CHECK(service.ticks == 3);  // 10, 20, then 35 after the restart at 25
  CHECK(service.node.memory<Counter>().requests == 1);
}

TEST_CASE("a crash leaves processes of other nodes alone") {
  World world;
  Service a(world.sim);
  Node b(world.sim, "other");
  a.node.start();
  b.start();
  bool b_finished = false;
  auto work = [&](Simulator& sim) -> Task<void> {
    co_await sim.sleep(50);
    b_finished = true;
  };
  b.spawn(work(world.sim), "work");
  world.sim.run_until(15);
  a.node.crash();
  world.sim.run();
  CHECK(b_finished);
}

TEST_CASE("crash and restart are in the trace") {
  World world;
  Service service(world.sim);
  service.node.start();
  world.sim.run_until(5);
  service.node.restart();
  std::vector<std::string> kinds;
  for (const TraceRecord& r : world.sim.trace().records()) kinds.push_back(r.kind);
  CHECK(kinds == std::vector<std::string>{"start", "crash", "start"});
}

}  // namespace
}  // namespace idemlab::sim
