// Real mode's executor: the simulator's own scheduler, driven by the wall
// clock. Strategy coroutines, client processes, timers and crashes work as in
// simulation; a port call hands its blocking work to the worker thread that
// owns the connection (WorkerThread) and suspends; the worker posts the
// completion back here, and the loop resumes the coroutine in its process.
// The kernel stays free of clocks and threads: this file is where they meet.
#pragma once

#include <cassert>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/simulator.h"

namespace idemlab::realmode {

class RealTimeLoop {
 public:
  explicit RealTimeLoop(sim::Simulator& sim);
  RealTimeLoop(const RealTimeLoop&) = delete;
  RealTimeLoop& operator=(const RealTimeLoop&) = delete;

  sim::Simulator& sim() { return sim_; }
  // Wall-clock time since the loop was made, on the simulator's scale, less
  // the time the loop stood still.
  sim::Time wall_now() const;

  // Runs `fn` (blocking, on the loop's thread) with the run's clock stopped:
  // the time it takes is taken out of the loop's time, so that no timer
  // comes due because of it. Server faults, which the models make in no
  // time, run so. (The servers' own clocks, such as Redis's TTLs, go on.)
  void stand_still(const std::function<void()>& fn);

  // Thread-safe: runs `fn` on the loop's thread, between events.
  void post(std::function<void()> fn);

  // Nothing left to do: no event scheduled and no offloaded call out (the
  // simulator's quiescence, in real time). Loop thread only.
  bool idle() { return calls_out_ == 0 && sim_.next_event_time() == sim::kTimeNever; }
  // Offloaded calls sent and not yet answered; kept by OffloadAwaiter.
  void call_sent() { ++calls_out_; }
  void call_answered() { --calls_out_; }

  // Runs timers and completions as they come due, until `done()` holds
  // (checked between batches) or `limit` of wall-clock time has passed.
  // True if done. Throws Interrupted after SIGINT or SIGTERM (interrupt.h).
  bool run(const std::function<bool()>& done, sim::Duration limit);

 private:
  void drain_posted();

  sim::Simulator& sim_;
  std::chrono::steady_clock::time_point start_;  // moved on by stand_still
  std::mutex mutex_;
  std::condition_variable posted_cv_;
  std::deque<std::function<void()>> posted_;
  int calls_out_ = 0;  // loop thread only
};

// A thread that runs jobs one at a time, in order: the owner of one blocking
// connection (hiredis, libpqxx and rabbitmq-c connections are not shared
// between threads).
class WorkerThread {
 public:
  WorkerThread();
  ~WorkerThread();  // runs the jobs already given, then joins
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  void submit(std::function<void()> job);
  // Runs `job` after the jobs already given and waits for it: for the loop's
  // thread to act on a connection between calls (a server restarted).
  void run_and_wait(std::function<void()> job);

  // Opens a connection ahead of the traffic, as a service's pool does:
  // `connect` runs on this worker before any call it is given. A failure is
  // left for the first call, which connects again and reports it.
  template <class Connect>
  void connect_ahead(Connect connect) {
    submit([connect] {
      try {
        connect();
      } catch (const std::exception&) {
      }
    });
  }

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

// co_await offload(loop, worker, job): runs `job` on `worker`, resumes with
// its value. If the awaiting process is cancelled first (a crash), the value
// is dropped when it comes and nothing is resumed.
//
// co_await offload_within(loop, worker, timeout, late, job): the same, but
// resumes with `late` if the job has not answered within `timeout`, as a
// caller whose reply did not come in time; the job still runs to its end.
template <class T>
class OffloadAwaiter {
 public:
  OffloadAwaiter(RealTimeLoop& loop, WorkerThread& worker, std::function<T()> job, sim::Duration timeout = -1,
                 std::optional<T> late = std::nullopt)
      : loop_(loop), worker_(worker), job_(std::move(job)), timeout_(timeout), late_(std::move(late)),
        state_(std::make_shared<State>()) {
    assert((timeout_ < 0) == !late_.has_value());
  }
  OffloadAwaiter(const OffloadAwaiter&) = delete;
  ~OffloadAwaiter() {
    state_->abandoned = true;  // loop thread only, as are the completions
    loop_.sim().cancel_wake(waiter_);
  }

  bool await_ready() const noexcept { return false; }
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h) {
    waiter_.bind(loop_.sim(), h);
    if (timeout_ >= 0) loop_.sim().wake_at(waiter_, loop_.sim().now() + timeout_);
    loop_.call_sent();
    worker_.submit([state = state_, job = std::move(job_), loop = &loop_, waiter = &waiter_]() mutable {
      T value = job();
      loop->post([state, value = std::move(value), loop, waiter]() mutable {
        loop->call_answered();
        if (state->abandoned) return;
        state->value.emplace(std::move(value));
        loop->sim().cancel_wake(*waiter);  // the deadline, if any
        loop->sim().wake_at(*waiter, loop->sim().now());
      });
    });
  }
  T await_resume() {
    if (!state_->value) return std::move(*late_);  // the deadline came first
    return std::move(*state_->value);
  }

 private:
  struct State {
    std::optional<T> value;
    bool abandoned = false;
  };
  RealTimeLoop& loop_;
  WorkerThread& worker_;
  std::function<T()> job_;
  sim::Duration timeout_;
  std::optional<T> late_;
  std::shared_ptr<State> state_;
  sim::Waiter waiter_;
};

template <class T>
OffloadAwaiter<T> offload(RealTimeLoop& loop, WorkerThread& worker, std::function<T()> job) {
  return OffloadAwaiter<T>(loop, worker, std::move(job));
}

template <class T>
OffloadAwaiter<T> offload_within(RealTimeLoop& loop, WorkerThread& worker, sim::Duration timeout, T late,
                                 std::function<T()> job) {
  return OffloadAwaiter<T>(loop, worker, std::move(job), timeout, std::move(late));
}

}  // namespace idemlab::realmode
