#include "realmode/real_time_loop.h"

#include <algorithm>
#include <future>

#include "realmode/interrupt.h"

namespace idemlab::realmode {
namespace {

constexpr sim::Duration kInterruptCheck = 100 * sim::kMillisecond;

}  // namespace

RealTimeLoop::RealTimeLoop(sim::Simulator& sim) : sim_(sim), start_(std::chrono::steady_clock::now()) {}

sim::Time RealTimeLoop::wall_now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
}

void RealTimeLoop::stand_still(const std::function<void()>& fn) {
  struct Shift {
    std::chrono::steady_clock::time_point& start;
    const std::chrono::steady_clock::time_point from = std::chrono::steady_clock::now();
    ~Shift() { start += std::chrono::steady_clock::now() - from; }
  } shift{start_};
  fn();
}

void RealTimeLoop::post(std::function<void()> fn) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    posted_.push_back(std::move(fn));
  }
  posted_cv_.notify_one();
}

void RealTimeLoop::drain_posted() {
  std::deque<std::function<void()>> batch;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(posted_);
  }
  for (std::function<void()>& fn : batch) fn();
}

bool RealTimeLoop::run(const std::function<bool()>& done, sim::Duration limit) {
  const sim::Time end = wall_now() + limit;
  for (;;) {
    const sim::Time wall = wall_now();
    sim_.run_until(wall);
    // Keep the simulator's clock on the wall clock's, also when idle, and
    // before the completions: a call answered now is answered at `wall`, not
    // at the instant of the last event before the loop waited.
    if (sim_.next_event_time() > wall && sim_.now() < wall) sim_.advance_to(wall);
    drain_posted();
    sim_.run_until(wall);  // the processes the completions woke
    if (done()) return true;
    if (interrupt_requested()) throw Interrupted();
    if (wall >= end) return false;
    // Waits no longer than kInterruptCheck, so that a signal is seen soon.
    const sim::Time wake = std::min({sim_.next_event_time(), end, wall + kInterruptCheck});
    std::unique_lock<std::mutex> lock(mutex_);
    posted_cv_.wait_for(lock, std::chrono::nanoseconds(std::max<sim::Time>(wake - wall_now(), 0)),
                        [this] { return !posted_.empty(); });
  }
}

WorkerThread::WorkerThread() : thread_([this] { work(); }) {}

WorkerThread::~WorkerThread() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WorkerThread::submit(std::function<void()> job) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void WorkerThread::run_and_wait(std::function<void()> job) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  submit([&job, &done] {
    job();
    done.set_value();
  });
  finished.wait();
}

void WorkerThread::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace idemlab::realmode
