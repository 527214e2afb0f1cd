#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "realmode/real_time_loop.h"
#include "sim/tape.h"

namespace idemlab::realmode {
namespace {

struct Fixture {
  sim::RandomTape tape{1};
  sim::Simulator sim{tape};
  RealTimeLoop loop{sim};
};

TEST_CASE("offloaded calls on two workers run at once") {
  Fixture f;
  WorkerThread first, second;
  std::promise<void> second_ran;
  std::shared_future<void> second_done = second_ran.get_future().share();
  int finished = 0;
  // The first job can only end once the second has run: with one thread for
  // both, this would never finish.
  auto waits_for_second = [&]() -> sim::Task<void> {
    std::function<int()> job = [second_done] {
      second_done.wait();
      return 1;
    };
    finished += co_await offload(f.loop, first, std::move(job));
  };
  auto runs = [&]() -> sim::Task<void> {
    std::function<int()> job = [&second_ran] {
      second_ran.set_value();
      return 1;
    };
    finished += co_await offload(f.loop, second, std::move(job));
  };
  f.sim.spawn(waits_for_second(), nullptr, "first");
  f.sim.spawn(runs(), nullptr, "second");
  CHECK(f.loop.run([&] { return finished == 2; }, 10 * sim::kSecond));
}

TEST_CASE("a sleep lasts its time on the wall clock") {
  Fixture f;
  bool woke = false;
  auto sleeper = [&]() -> sim::Task<void> {
    co_await f.sim.sleep(30 * sim::kMillisecond);
    woke = true;
  };
  const sim::Time before = f.loop.wall_now();
  f.sim.spawn(sleeper(), nullptr, "sleeper");
  REQUIRE(f.loop.run([&] { return woke; }, 10 * sim::kSecond));
  CHECK(f.loop.wall_now() - before >= 30 * sim::kMillisecond);
  CHECK(f.sim.now() >= 30 * sim::kMillisecond);
}

TEST_CASE("an offloaded call is answered at the wall-clock time its answer came, not before") {
  Fixture f;
  WorkerThread worker;
  sim::Duration took = -1;
  auto caller = [&]() -> sim::Task<void> {
    const sim::Time before = f.sim.now();
    std::function<int()> job = [] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      return 1;
    };
    co_await offload(f.loop, worker, std::move(job));
    took = f.sim.now() - before;
  };
  f.sim.spawn(caller(), nullptr, "caller");
  REQUIRE(f.loop.run([&] { return took >= 0; }, 10 * sim::kSecond));
  CHECK(took >= 30 * sim::kMillisecond);
}

TEST_CASE("time the loop stands still does not count: a timer due during it is not late for it") {
  Fixture f;
  sim::Time woke_at = -1;
  auto fault_then_sleep = [&]() -> sim::Task<void> {
    // A server fault that takes 200 ms of wall clock, in a process, as real
    // mode makes them; then a 50 ms sleep.
    f.loop.stand_still([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
    const sim::Time before = f.sim.now();
    co_await f.sim.sleep(50 * sim::kMillisecond);
    woke_at = f.sim.now() - before;
  };
  const auto start = std::chrono::steady_clock::now();
  f.sim.spawn(fault_then_sleep(), nullptr, "fault");
  REQUIRE(f.loop.run([&] { return woke_at >= 0; }, 10 * sim::kSecond));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250));
  CHECK(woke_at >= 50 * sim::kMillisecond);
  // The 200 ms did not pass for the run: its clock is about 50 ms on.
  CHECK(f.sim.now() < 200 * sim::kMillisecond);
}

TEST_CASE("a call whose process was cancelled completes without resuming anything") {
  Fixture f;
  WorkerThread worker;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> job_ended = false;
  bool resumed = false;
  auto caller = [&]() -> sim::Task<void> {
    std::function<int()> job = [released, &job_ended] {
      released.wait();
      job_ended = true;
      return 7;
    };
    co_await offload(f.loop, worker, std::move(job));
    resumed = true;
  };
  const sim::ProcessId id = f.sim.spawn(caller(), nullptr, "caller");
  f.loop.run([] { return false; }, 5 * sim::kMillisecond);  // the call is in flight
  REQUIRE(f.sim.cancel(id));
  release.set_value();
  f.loop.run([&] { return job_ended.load(); }, 10 * sim::kSecond);
  f.loop.run([] { return false; }, 5 * sim::kMillisecond);  // its completion comes and is dropped
  CHECK(job_ended);
  CHECK_FALSE(resumed);
}

TEST_CASE("a call past its deadline resumes with the late value while the job runs on") {
  Fixture f;
  WorkerThread worker;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> job_ended = false;
  std::vector<int> answers;
  auto caller = [&]() -> sim::Task<void> {
    std::function<int()> slow = [released, &job_ended] {
      released.wait();
      job_ended = true;
      return 7;
    };
    answers.push_back(co_await offload_within(f.loop, worker, 20 * sim::kMillisecond, -1, std::move(slow)));
    std::function<int()> quick = [] { return 8; };
    answers.push_back(co_await offload_within(f.loop, worker, 5 * sim::kSecond, -1, std::move(quick)));
  };
  f.sim.spawn(caller(), nullptr, "caller");
  REQUIRE(f.loop.run([&] { return !answers.empty(); }, 10 * sim::kSecond));
  CHECK(answers == std::vector<int>{-1});
  CHECK_FALSE(job_ended);  // the caller gave up; the job has not ended
  release.set_value();
  REQUIRE(f.loop.run([&] { return answers.size() == 2; }, 10 * sim::kSecond));
  CHECK(job_ended);
  CHECK(answers == std::vector<int>{-1, 8});
}

TEST_CASE("a worker runs its jobs one at a time, in order") {
  Fixture f;
  std::vector<int> order;
  {
    WorkerThread worker;
    for (int i = 0; i < 5; ++i) worker.submit([&order, i] { order.push_back(i); });
  }  // joins after the jobs given
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

}  // namespace
}  // namespace idemlab::realmode
