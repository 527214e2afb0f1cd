// The turnstile in simulated time: operations that arrive in any order take
// effect in the schedule's, a step blocked on a lock lets the next go, and a
// run that leaves the schedule is told where.
#include "realmode/turnstile.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/sim/world.h"

namespace idemlab::realmode {
namespace {

using scenarios::ScheduleStep;
using sim::Duration;
using sim::kMillisecond;
using sim::Task;

struct Log {
  std::vector<std::string> started;
  std::vector<sim::Time> at;
};

// One port operation behind the gate: waits for its turn, runs `takes`.
Task<void> call(sim::Simulator& sim, Turnstile& gate, sim::Node& node, const char* op, Duration takes, Log& log) {
  ports::Turn turn(&gate);
  turn.hold(co_await gate.enter(op, node));
  log.started.push_back(std::string(op) + " by " + sim.current()->name);
  log.at.push_back(sim.now());
  co_await sim.sleep(takes);
}

// A request's handler: waits `arrives`, then makes `ops` one after another.
Task<void> handler(sim::Simulator& sim, Turnstile& gate, sim::Node& node, Duration arrives,
                   std::vector<const char*> ops, Duration takes, Log& log) {
  co_await sim.sleep(arrives);
  for (const char* op : ops) co_await call(sim, gate, node, op, takes, log);
}

Task<int> sessions_waiting(const int& waiting) { co_return waiting; }

std::vector<ScheduleStep> steps(std::initializer_list<std::pair<const char*, const char*>> process_op) {
  std::vector<ScheduleStep> out;
  for (const auto& [process, op] : process_op) out.push_back({"api", process, op});
  return out;
}

struct Fixture {
  sim::testing::World world;
  sim::Node api{world.sim, "api"};
  int waiting = 0;  // what pg_blocking_pids would say
  Log log;
  Turnstile make(std::vector<ScheduleStep> s) {
    return Turnstile(world.sim, std::move(s), [this] { return sessions_waiting(waiting); });
  }
};

TEST_CASE("operations take effect in the schedule's order, whatever order they arrive in") {
  Fixture f;
  Turnstile gate = f.make(steps({{"B", "kv.get"}, {"A", "kv.set"}, {"B", "kv.set"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.set"}, kMillisecond, f.log), nullptr, "A");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 5 * kMillisecond, {"kv.get", "kv.set"}, kMillisecond, f.log),
                    nullptr, "B");
  f.world.sim.run();
  CHECK(f.log.started == std::vector<std::string>{"kv.get by B", "kv.set by A", "kv.set by B"});
  CHECK(gate.divergence().empty());
  CHECK(gate.steps_taken() == 3);
}

TEST_CASE("a step starts only once the one before it is over") {
  Fixture f;
  Turnstile gate = f.make(steps({{"A", "sql.update"}, {"B", "kv.get"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.update"}, 150 * kMillisecond, f.log), nullptr, "A");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get"}, kMillisecond, f.log), nullptr, "B");
  f.world.sim.run();
  REQUIRE(f.log.at.size() == 2);
  CHECK(f.log.at[1] >= 150 * kMillisecond);
}

TEST_CASE("a charge, which takes effect over its processing time, lets the next step go once it has started") {
  Fixture f;
  Turnstile gate = f.make(steps({{"A", "processor.charge"}, {"B", "kv.get"}, {"A", "kv.set"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"processor.charge", "kv.set"}, 150 * kMillisecond, f.log),
                    nullptr, "A");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get"}, kMillisecond, f.log), nullptr, "B");
  f.world.sim.run();
  CHECK(f.log.started == std::vector<std::string>{"processor.charge by A", "kv.get by B", "kv.set by A"});
  REQUIRE(f.log.at.size() == 3);
  CHECK(f.log.at[1] < 10 * kMillisecond);
  CHECK(gate.divergence().empty());
}

TEST_CASE("a step blocked on a lock lets the next step go") {
  Fixture f;
  Turnstile gate = f.make(steps({{"B", "sql.insert"}, {"A", "sql.commit"}}));
  f.world.sim.spawn(gate.watch_locks(), nullptr, "turnstile");
  // B's insert waits 100 ms on A's row, which pg_blocking_pids shows.
  f.waiting = 1;
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.insert"}, 100 * kMillisecond, f.log), nullptr, "B");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.commit"}, kMillisecond, f.log), nullptr, "A");
  f.world.sim.run();
  REQUIRE(f.log.at.size() == 2);
  CHECK(f.log.at[1] < 10 * kMillisecond);
  CHECK(gate.steps_blocked() == 1);
  CHECK(gate.divergence().empty());
}

TEST_CASE("a slow step that no lock blocks is waited for") {
  Fixture f;
  Turnstile gate = f.make(steps({{"B", "sql.insert"}, {"A", "sql.commit"}}));
  f.world.sim.spawn(gate.watch_locks(), nullptr, "turnstile");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.insert"}, 100 * kMillisecond, f.log), nullptr, "B");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.commit"}, kMillisecond, f.log), nullptr, "A");
  f.world.sim.run();
  REQUIRE(f.log.at.size() == 2);
  CHECK(f.log.at[1] >= 100 * kMillisecond);
  CHECK(gate.steps_blocked() == 0);
}

TEST_CASE("an operation the schedule does not have opens the turnstile and says where") {
  Fixture f;
  Turnstile gate = f.make(steps({{"A", "kv.get"}, {"A", "kv.set"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get", "kv.del", "kv.set"}, kMillisecond, f.log), nullptr,
                    "A");
  f.world.sim.run();
  CHECK(f.log.started.size() == 3);
  CHECK(gate.divergence() ==
        "step 2: the run made kv.del by A on api, which the schedule does not have for that process from here on");
}

TEST_CASE("a step never made opens the turnstile after kStall") {
  Fixture f;
  Turnstile gate = f.make(steps({{"A", "kv.get"}, {"B", "kv.get"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get"}, kMillisecond, f.log), nullptr, "B");
  f.world.sim.run();
  REQUIRE(f.log.at.size() == 1);
  CHECK(f.log.at[0] >= Turnstile::kStall);
  CHECK(gate.divergence().rfind("step 1: no step for", 0) == 0);
  CHECK(gate.divergence().find("kv.get by A on api was not made while kv.get by B waited") != std::string::npos);
}

TEST_CASE("a run that ends before the schedule does is told the first step not made") {
  Fixture f;
  Turnstile gate = f.make(steps({{"A", "kv.get"}, {"A", "kv.set"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get"}, kMillisecond, f.log), nullptr, "A");
  f.world.sim.run();
  CHECK(gate.divergence() == "step 2: the run ended before kv.set by A on api");
}

TEST_CASE("a process the schedule has no steps left for waits until its last step has been taken") {
  Fixture f;
  Turnstile gate = f.make(steps({{"relay", "sql.select"}, {"A", "kv.get"}}));
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"sql.select", "sql.select"}, kMillisecond, f.log), nullptr,
                    "relay");
  f.world.sim.spawn(handler(f.world.sim, gate, f.api, 5 * kMillisecond, {"kv.get"}, kMillisecond, f.log), nullptr, "A");
  f.world.sim.run();
  CHECK(f.log.started == std::vector<std::string>{"sql.select by relay", "kv.get by A", "sql.select by relay"});
  CHECK(gate.divergence().empty());
  CHECK(gate.held_to_end() == 1);
}

TEST_CASE("two processes with one name (a double click) take that name's steps in turn") {
  Fixture f;
  Turnstile gate = f.make(steps({{"P", "kv.get"}, {"P", "kv.get"}, {"P", "kv.set"}, {"P", "kv.set"}}));
  for (int i = 0; i < 2; ++i) {
    f.world.sim.spawn(handler(f.world.sim, gate, f.api, 0, {"kv.get", "kv.set"}, kMillisecond, f.log), nullptr, "P");
  }
  f.world.sim.run();
  CHECK(f.log.started == std::vector<std::string>{"kv.get by P", "kv.get by P", "kv.set by P", "kv.set by P"});
  CHECK(gate.divergence().empty());
}

}  // namespace
}  // namespace idemlab::realmode
