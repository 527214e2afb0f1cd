#include "sim/event_queue.h"

#include <catch2/catch.hpp>
#include <vector>

#include "sim/simulator.h"
#include "tests/sim/world.h"

namespace idemlab::sim {
namespace {

std::vector<int>* g_log = nullptr;  // test-only sink for the C callbacks below

void log_argument(void*, std::uint64_t argument) { g_log->push_back(static_cast<int>(argument)); }

std::vector<int> drain(EventQueue& queue) {
  std::vector<int> order;
  g_log = &order;
  while (queue.settle()) {
    EventQueue::Callback callback{};
    const EventQueue::Entry entry = queue.pop_entry();
    if (queue.take(entry, callback)) callback.fn(callback.context, callback.argument);
  }
  g_log = nullptr;
  return order;
}

TEST_CASE("events at the same instant leave in scheduling order") {
  EventQueue queue(1024);
  // Interleave instants so that heap order alone could not give FIFO.
  for (int i = 0; i < 100; ++i) queue.schedule(i % 2 == 0 ? 10 : 5, &log_argument, nullptr, i);
  const std::vector<int> order = drain(queue);
  std::vector<int> expected;
  for (int i = 1; i < 100; i += 2) expected.push_back(i);
  for (int i = 0; i < 100; i += 2) expected.push_back(i);
  CHECK(order == expected);
}

TEST_CASE("earlier events run first whatever the scheduling order") {
  EventQueue queue(16);
  queue.schedule(30, &log_argument, nullptr, 3);
  queue.schedule(10, &log_argument, nullptr, 1);
  queue.schedule(20, &log_argument, nullptr, 2);
  CHECK(drain(queue) == std::vector<int>{1, 2, 3});
}

TEST_CASE("a cancelled event never runs and frees its slot") {
  EventQueue queue(2);
  const EventId a = queue.schedule(5, &log_argument, nullptr, 1);
  const EventId b = queue.schedule(5, &log_argument, nullptr, 2);
  CHECK(queue.cancel(a));
  CHECK_FALSE(queue.cancel(a));  // twice is harmless
  CHECK_FALSE(queue.pending(a));
  CHECK(queue.pending(b));
  CHECK(queue.live() == 1);
  // The freed slot takes a new event although the capacity is 2.
  const EventId c = queue.schedule(1, &log_argument, nullptr, 3);
  CHECK(c.slot == a.slot);
  CHECK(drain(queue) == std::vector<int>{3, 2});
}

TEST_CASE("cancelling most events drops their stale entries and keeps the order of the rest") {
  EventQueue queue(100000);
  std::vector<EventId> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(queue.schedule(1000 - i % 1000, &log_argument, nullptr, i));
  for (int i = 0; i < 10000; ++i) {
    if (i % 10 != 0) queue.cancel(ids[i]);
  }
  CHECK(queue.live() == 1000);
  CHECK(queue.heap_entries() < 2200);  // not 10000: stale entries were dropped
  const std::vector<int> order = drain(queue);
  REQUIRE(order.size() == 1000);
  for (std::size_t k = 1; k < order.size(); ++k) {
    const int a = order[k - 1], b = order[k];
    const int at_a = 1000 - a % 1000, at_b = 1000 - b % 1000;
    CHECK((at_a < at_b || (at_a == at_b && a < b)));  // by time, then by scheduling order
  }
}

TEST_CASE("with tie order from the tape, the tape picks among simultaneous events") {
  // Replay tapes choose the ready events explicitly: last first, then the
  // first of the two remaining.
  std::vector<Draw> draws = {{3, 2, Choice::kOrder}, {2, 0, Choice::kOrder}};
  ReplayTape tape(draws);
  SimulatorOptions options;
  options.ties = TieOrder::kTape;
  Simulator sim(tape, options);
  std::vector<int> order;
  g_log = &order;
  for (int i = 0; i < 3; ++i) sim.schedule(7, &log_argument, nullptr, static_cast<std::uint64_t>(i));
  sim.run();
  g_log = nullptr;
  CHECK(order == std::vector<int>{2, 0, 1});
  CHECK(tape.divergence().empty());
  CHECK(tape.position() == 2);  // the last event was alone: no draw
}

// Records the owners it was shown and picks the last ready event.
class OwnerTape final : public Tape {
 public:
  std::uint64_t draw(std::uint64_t, Choice) override { return 0; }
  std::uint64_t pick_order(const std::vector<std::uint64_t>& owners) override {
    shown.push_back(owners);
    return owners.size() - 1;
  }
  std::vector<std::vector<std::uint64_t>> shown;
};

Task<void> sleep_then_log(Simulator& sim, int id) {
  co_await sim.sleep(5);
  g_log->push_back(id);
}

TEST_CASE("the tape's order pick sees which process each simultaneous event belongs to") {
  OwnerTape tape;
  SimulatorOptions options;
  options.ties = TieOrder::kTape;
  Simulator sim(tape, options);
  std::vector<int> order;
  g_log = &order;
  sim.schedule(5, &log_argument, nullptr, 9);  // the world's
  for (int i = 1; i <= 2; ++i) sim.spawn(sleep_then_log(sim, i), nullptr, "p");
  sim.run();
  g_log = nullptr;
  // At 0 the two starts (processes 1 and 2); at 5 the world's event and
  // the two wake-ups, each owned by the process it resumes.
  REQUIRE(tape.shown.size() >= 2);
  CHECK(tape.shown.front() == std::vector<std::uint64_t>{1, 2});
  CHECK(tape.shown[1] == std::vector<std::uint64_t>{0, 2, 1});
  CHECK(order == std::vector<int>{1, 2, 9});
}

TEST_CASE("fifo tie order draws nothing from the tape") {
  testing::World world;
  std::vector<int> order;
  g_log = &order;
  for (int i = 0; i < 3; ++i) world.sim.schedule(7, &log_argument, nullptr, static_cast<std::uint64_t>(i));
  world.sim.run();
  g_log = nullptr;
  CHECK(order == std::vector<int>{0, 1, 2});
  CHECK(world.tape.recorded().empty());
}

}  // namespace
}  // namespace idemlab::sim
