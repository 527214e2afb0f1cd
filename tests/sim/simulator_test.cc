#include "sim/simulator.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace idemlab::sim {
namespace {

using testing::World;

Task<void> sleeper(Simulator& sim, Duration d, std::vector<std::string>& log, std::string name) {
  co_await sim.sleep(d);
  log.push_back(name + "@" + std::to_string(sim.now()));
}

Task<int> answer_after(Simulator& sim, Duration d, int value) {
  co_await sim.sleep(d);
  co_return value;
}

TEST_CASE("sleep advances virtual time and nothing else") {
  World world;
  std::vector<std::string> log;
  world.sim.spawn(sleeper(world.sim, 30, log, "a"), nullptr, "a");
  world.sim.spawn(sleeper(world.sim, 10, log, "b"), nullptr, "b");
  const RunResult result = world.sim.run();
  CHECK(result.stop == RunStop::kQuiescent);
  CHECK(log == std::vector<std::string>{"b@10", "a@30"});
  CHECK(world.sim.now() == 30);
  CHECK(world.sim.live_processes() == 0);
}

TEST_CASE("processes spawned at one instant start in spawn order") {
  World world;
  std::vector<std::string> log;
  for (int i = 0; i < 5; ++i) {
    world.sim.spawn(sleeper(world.sim, 0, log, std::to_string(i)), nullptr, "p");
  }
  world.sim.run();
  CHECK(log == std::vector<std::string>{"0@0", "1@0", "2@0", "3@0", "4@0"});
}

TEST_CASE("a task returns its value to the coroutine that awaits it") {
  World world;
  int got = 0;
  auto parent = [](Simulator& sim, int& out) -> Task<void> {
    const int a = co_await answer_after(sim, 5, 20);
    const int b = co_await answer_after(sim, 5, 22);
    out = a + b;
  };
  world.sim.spawn(parent(world.sim, got), nullptr, "parent");
  world.sim.run();
  CHECK(got == 42);
  CHECK(world.sim.now() == 10);
}

TEST_CASE("a timeout that fires abandons the operation") {
  World world;
  std::optional<int> got = 123;
  bool operation_finished = false;
  auto op = [](Simulator& sim, bool& finished) -> Task<int> {
    co_await sim.sleep(100);
    finished = true;  // must never run: the deadline came first
    co_return 1;
  };
  auto parent = [&](Simulator& sim) -> Task<void> {
    got = co_await sim.timeout(40, op(sim, operation_finished));
  };
  world.sim.spawn(parent(world.sim), nullptr, "parent");
  const RunResult result = world.sim.run();
  CHECK_FALSE(got.has_value());
  CHECK_FALSE(operation_finished);
  CHECK(result.now == 40);  // the abandoned sleep left no event behind
  CHECK(world.sim.pending_events() == 0);
}

TEST_CASE("an operation that beats its deadline cancels the timer") {
  World world;
  std::optional<int> got;
  auto parent = [&](Simulator& sim) -> Task<void> { got = co_await sim.timeout(40, answer_after(sim, 10, 7)); };
  world.sim.spawn(parent(world.sim), nullptr, "parent");
  const RunResult result = world.sim.run();
  REQUIRE(got.has_value());
  CHECK(*got == 7);
  CHECK(result.now == 10);  // the timer at 40 was cancelled, not merely ignored
}

TEST_CASE("a void operation under timeout reports whether it finished") {
  World world;
  std::vector<bool> results;
  std::vector<std::string> log;
  auto parent = [&](Simulator& sim) -> Task<void> {
    results.push_back(co_await sim.timeout(5, sleeper(sim, 1, log, "fast")));
    results.push_back(co_await sim.timeout(5, sleeper(sim, 9, log, "slow")));
  };
  world.sim.spawn(parent(world.sim), nullptr, "parent");
  world.sim.run();
  CHECK(results == std::vector<bool>{true, false});
  CHECK(log == std::vector<std::string>{"fast@1"});
}

TEST_CASE("cancelling a process destroys its frames and wakes its joiners with false") {
  World world;
  std::vector<std::string> log;
  const ProcessId victim = world.sim.spawn(sleeper(world.sim, 100, log, "victim"), nullptr, "victim");
  std::optional<bool> joined;
  auto joiner = [&](Simulator& sim) -> Task<void> { joined = co_await sim.join(victim); };
  auto killer = [&](Simulator& sim) -> Task<void> {
    co_await sim.sleep(10);
    CHECK(sim.cancel(victim));
  };
  world.sim.spawn(joiner(world.sim), nullptr, "joiner");
  world.sim.spawn(killer(world.sim), nullptr, "killer");
  world.sim.run();
  CHECK(log.empty());
  REQUIRE(joined.has_value());
  CHECK_FALSE(*joined);
  CHECK_FALSE(world.sim.alive(victim));
  CHECK(world.sim.now() == 10);
}

TEST_CASE("join resumes with true when the process completes") {
  World world;
  std::vector<std::string> log;
  const ProcessId worker = world.sim.spawn(sleeper(world.sim, 8, log, "worker"), nullptr, "worker");
  std::optional<bool> joined;
  Time joined_at = -1;
  auto joiner = [&](Simulator& sim) -> Task<void> {
    joined = co_await sim.join(worker);
    joined_at = sim.now();
  };
  world.sim.spawn(joiner(world.sim), nullptr, "joiner");
  world.sim.run();
  CHECK(joined == std::optional<bool>(true));
  CHECK(joined_at == 8);
}

TEST_CASE("a process that cancels itself stops at its next suspension") {
  World world;
  std::vector<std::string> log;
  ProcessId self{};
  auto suicidal = [&](Simulator& sim) -> Task<void> {
    log.push_back("before");
    CHECK(sim.cancel(self));
    log.push_back("still running until it suspends");
    co_await sim.sleep(1);
    log.push_back("after");  // never
  };
  self = world.sim.spawn(suicidal(world.sim), nullptr, "suicidal");
  world.sim.run();
  CHECK(log == std::vector<std::string>{"before", "still running until it suspends"});
  CHECK_FALSE(world.sim.alive(self));
  CHECK(world.sim.pending_events() == 0);
}

TEST_CASE("a process cancelled before it starts never runs") {
  World world;
  std::vector<std::string> log;
  const ProcessId p = world.sim.spawn(sleeper(world.sim, 0, log, "p"), nullptr, "p");
  CHECK(world.sim.cancel(p));
  world.sim.run();
  CHECK(log.empty());
  CHECK(world.sim.events_executed() == 0);
}

TEST_CASE("run_until stops at a phase boundary and moves the clock there") {
  World world;
  std::vector<std::string> log;
  world.sim.spawn(sleeper(world.sim, 50, log, "late"), nullptr, "late");
  const RunResult first = world.sim.run_until(20);
  CHECK(first.stop == RunStop::kTimeLimit);
  CHECK(world.sim.now() == 20);
  CHECK(log.empty());
  const RunResult second = world.sim.run();
  CHECK(second.stop == RunStop::kQuiescent);
  CHECK(log == std::vector<std::string>{"late@50"});
}

TEST_CASE("the event budget stops a runaway world") {
  SimulatorOptions options = World::full_trace();
  options.limits.events_max = 100;
  World world(1, options);
  auto forever = [](Simulator& sim) -> Task<void> {
    for (;;) co_await sim.sleep(1);
  };
  world.sim.spawn(forever(world.sim), nullptr, "forever");
  const RunResult result = world.sim.run();
  CHECK(result.stop == RunStop::kEventLimit);
  CHECK(result.events == 100);
}

}  // namespace
}  // namespace idemlab::sim
