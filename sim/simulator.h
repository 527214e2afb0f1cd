// The Simulator: virtual clock, event queue, decision tape, trace and the
// table of processes of one world. Everything happens on one thread, one event
// at a time; cross-process wake-ups always go through the event queue, so the
// order of a run is a function of the (time, sequence) order and the tape.
//
// Ties. Events due at the same instant run in scheduling order (kFifo), or,
// with TieOrder::kTape, the tape picks which of the ready events runs next
// (Choice::kOrder over the ready events listed in scheduling order). The
// second mode lets explorers reorder simultaneous events; the first is cheap.
#pragma once

#include <cassert>
#include <coroutine>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/event_queue.h"
#include "sim/tape.h"
#include "sim/task.h"
#include "sim/time.h"
#include "sim/trace.h"

namespace idemlab::sim {

class Node;
class Simulator;
class StateWriter;

enum class TieOrder : std::uint8_t { kFifo, kTape };

// Every run has limits; hitting one stops the run (a value, not a crash),
// except pending events and processes, whose overflow is a runaway bug.
struct WorldLimits {
  std::size_t pending_events_max = std::size_t{1} << 22;
  std::size_t processes_max = std::size_t{1} << 20;
  std::uint64_t events_max = std::uint64_t{1} << 32;
  Time time_max = kTimeNever;
};

struct SimulatorOptions {
  WorldLimits limits;
  TieOrder ties = TieOrder::kFifo;
  TraceLevel trace = TraceLevel::kHash;
  // Keep every process's position (Process::position) for state hashing.
  bool positions = false;
};

enum class RunStop : std::uint8_t {
  kQuiescent,   // no event left
  kTimeLimit,   // the next event lies beyond the time limit
  kEventLimit,  // the event budget is spent
};
const char* run_stop_name(RunStop stop);

struct RunResult {
  RunStop stop;
  Time now;
  std::uint64_t events;  // executed in this call
};

struct ProcessId {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // 0: none
  explicit operator bool() const { return generation != 0; }
};

struct JoinAwaiter;

// A root coroutine and the bookkeeping around it. Owned by the Simulator.
struct Process {
  ProcessId id;
  std::uint64_t serial = 0;  // the how-manyth spawn of the run, from 1: never reused
  // With SimulatorOptions::positions: where the process stands, as a hash
  // of how it began (its parent's position, its name and node) and of
  // everything it has been resumed by or observed since. Code is
  // deterministic, so equal positions mean equal local state.
  std::uint64_t position = 0;
  Node* node = nullptr;  // null: belongs to the world, never crashes
  std::string name;
  Task<void> root;
  bool doomed = false;  // cancelled while running: destroyed when it suspends
  EventId start;        // the event that first resumes it
  std::vector<JoinAwaiter*> joiners;
};

// A suspended coroutine and its pending wake-up. Lives inside an awaiter, in
// the suspended coroutine's frame.
struct Waiter {
  Simulator* sim = nullptr;
  std::coroutine_handle<> handle;
  Process* process = nullptr;
  EventId wake;

  template <class Promise>
  void bind(Simulator& s, std::coroutine_handle<Promise> h) {
    sim = &s;
    handle = h;
    process = h.promise().process;
    assert(process != nullptr && "awaiting outside a process: start tasks with spawn()");
  }
};

struct SleepAwaiter {
  Simulator& sim;
  Duration duration;
  Waiter waiter;

  SleepAwaiter(Simulator& s, Duration d) : sim(s), duration(d) {}
  SleepAwaiter(const SleepAwaiter&) = delete;
  ~SleepAwaiter();
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h);
  void await_resume() const noexcept {}
};

// Resumes with true when the process finished, false when it was cancelled.
struct JoinAwaiter {
  Simulator& sim;
  ProcessId target;
  Waiter waiter;
  bool completed = false;
  bool registered = false;

  JoinAwaiter(Simulator& s, ProcessId t) : sim(s), target(t) {}
  JoinAwaiter(const JoinAwaiter&) = delete;
  ~JoinAwaiter();
  bool await_ready() const;
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h);
  bool await_resume() const noexcept { return completed; }
};

// Races `task` against a deadline, in the awaiting process. Resumes with the
// task's value, or nullopt (false for Task<void>) when the deadline came first;
// the task's frame is then destroyed, cancelling whatever it waited on.
template <class T>
struct TimeoutAwaiter;

class Simulator {
 public:
  Simulator(Tape& tape, SimulatorOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }
  Tape& tape() { return tape_; }
  Trace& trace() { return trace_; }
  const WorldLimits& limits() const { return options_.limits; }

  void record(std::string_view node, std::string_view kind, std::string_view detail) {
    trace_.record(now_, node, kind, detail);
  }

  // Starts `task` as a process at the current instant (after what is already
  // scheduled for it). `node` null: a world process that no crash touches.
  ProcessId spawn(Task<void> task, Node* node, std::string_view name);
  // Cancels the process: destroys its frames now, or when it next suspends
  // if it is the one running. Joiners resume with false. False if not alive.
  bool cancel(ProcessId id);
  bool alive(ProcessId id) const;
  // The process whose coroutine is running now; null between events.
  Process* current() const { return current_; }
  // Cancels every live process of `node` (a crash). Returns how many.
  std::size_t cancel_node(const Node& node);
  // Cancels every live process. A world whose processes wait on objects it
  // owns (a Resource, a model) calls this in its destructor, before those
  // objects go. REQUIRES: no process is running.
  void cancel_all();

  SleepAwaiter sleep(Duration d) { return SleepAwaiter(*this, d); }
  JoinAwaiter join(ProcessId id) { return JoinAwaiter(*this, id); }
  template <class T>
  TimeoutAwaiter<T> timeout(Duration d, Task<T> task);

  // State hashing (with SimulatorOptions::positions). observe() folds a
  // value the running process (or, between events, the world) read into
  // its position; write_state() writes the clock, every process's position
  // and every pending event (time, callback, the position of the process
  // it was scheduled for, argument) in the order they would run.
  bool tracks_positions() const { return options_.positions; }
  // Called after every event (an explorer hashing states between events).
  void set_after_event(std::function<void()> hook) { after_event_ = std::move(hook); }
  void observe(std::uint64_t value);
  void write_state(StateWriter& out) const;

  // Low-level scheduling, for awaitables and models.
  EventId schedule(Time at, EventFn fn, void* context, std::uint64_t argument = 0);
  bool cancel(EventId id) { return queue_.cancel(id); }
  bool pending(EventId id) const { return queue_.pending(id); }
  // Resumes waiter.handle at `at` in waiter.process.
  void wake_at(Waiter& waiter, Time at);
  void cancel_wake(Waiter& waiter);
  // Resumes `handle` in `process` now; for event callbacks.
  void resume(Process* process, std::coroutine_handle<> handle);

  // Runs events until none is left or a limit is reached.
  RunResult run();
  // Runs events due at or before `until` (a phase boundary), then sets the
  // clock to `until` if it stopped for that reason.
  RunResult run_until(Time until);

  // When the next event is due (kTimeNever: none), for a driver that waits
  // in between, such as real mode's loop.
  Time next_event_time();
  // Moves the clock forward to `t` with nothing run. REQUIRES: no event is
  // due before `t`. Real mode keeps the clock on the wall clock's with it.
  void advance_to(Time t);

  std::uint64_t events_executed() const { return events_executed_; }
  std::size_t pending_events() const { return queue_.live(); }
  std::size_t live_processes() const { return live_processes_; }

 private:
  friend struct JoinAwaiter;

  bool next_event(Time until, EventQueue::Callback& callback);
  // Schedules on behalf of the process with serial `owner` (0: the world),
  // which TieOrder::kTape hands to Tape::pick_order.
  EventId schedule_for(const Process* owner, Time at, EventFn fn, void* context, std::uint64_t argument);
  void finish(Process* process, bool completed);
  void wake_joiners(Process& process, bool completed);

  Tape& tape_;
  SimulatorOptions options_;
  Trace trace_;
  EventQueue queue_;
  Time now_ = 0;
  std::uint64_t events_executed_ = 0;
  Process* current_ = nullptr;

  std::vector<std::unique_ptr<Process>> processes_;  // by slot
  std::vector<std::uint32_t> free_process_slots_;
  std::size_t live_processes_ = 0;

  std::uint64_t spawned_ = 0;

  // TieOrder::kTape: the events due now, in scheduling order; the owner of
  // the event in each queue slot; and the owners of the ready events.
  std::vector<EventQueue::Entry> ready_;
  std::vector<std::uint64_t> slot_owners_;
  std::vector<std::uint64_t> ready_owners_;

  // SimulatorOptions::positions: the world's own position (what code
  // outside any process observed), the position each pending event was
  // scheduled for, by slot, and the callback running now.
  std::uint64_t world_position_ = 0;
  std::vector<std::uint64_t> slot_positions_;
  EventFn running_fn_ = nullptr;
  std::function<void()> after_event_;
};

// ---- templates ------------------------------------------------------------

template <class Promise>
void SleepAwaiter::await_suspend(std::coroutine_handle<Promise> h) {
  assert(duration >= 0);
  waiter.bind(sim, h);
  sim.wake_at(waiter, sim.now() + duration);
}

template <class Promise>
void JoinAwaiter::await_suspend(std::coroutine_handle<Promise> h) {
  waiter.bind(sim, h);
  sim.processes_[target.slot]->joiners.push_back(this);
  registered = true;
}

template <class T>
struct TimeoutAwaiter {
  using Result = std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>;

  Simulator& sim;
  Duration deadline_in;
  Task<T> task;
  Waiter timer;
  bool timed_out = false;

  TimeoutAwaiter(Simulator& s, Duration d, Task<T> t) : sim(s), deadline_in(d), task(std::move(t)) {}
  TimeoutAwaiter(const TimeoutAwaiter&) = delete;
  ~TimeoutAwaiter() { sim.cancel(timer.wake); }

  bool await_ready() const noexcept { return false; }

  template <class Promise>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> parent) {
    assert(deadline_in >= 0);
    timer.bind(sim, parent);
    timer.wake = sim.schedule(sim.now() + deadline_in, &TimeoutAwaiter::expire, this);
    return task.attach(parent);
  }

  Result await_resume() {
    sim.cancel(timer.wake);
    if constexpr (std::is_void_v<T>) {
      return !timed_out;
    } else {
      if (timed_out) return std::nullopt;
      return std::optional<T>(task.handle().promise().take());
    }
  }

  static void expire(void* context, std::uint64_t) {
    auto* self = static_cast<TimeoutAwaiter*>(context);
    self->timer.wake = {};
    self->timed_out = true;
    self->task.reset();  // the operation is abandoned mid-flight
    self->sim.resume(self->timer.process, self->timer.handle);
  }
};

template <class T>
TimeoutAwaiter<T> Simulator::timeout(Duration d, Task<T> task) {
  return TimeoutAwaiter<T>(*this, d, std::move(task));
}

}  // namespace idemlab::sim
