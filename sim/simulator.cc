#include "sim/simulator.h"

#include <algorithm>

#include "sim/node.h"
#include "sim/state_writer.h"

namespace idemlab::sim {
namespace {

void resume_waiter(void* context, std::uint64_t) {
  auto* waiter = static_cast<Waiter*>(context);
  waiter->wake = {};
  waiter->sim->resume(waiter->process, waiter->handle);
}

// A spawned root starts from an event, like every other resumption; the
// argument carries the simulator.
void start_process(void* context, std::uint64_t argument) {
  auto* sim = reinterpret_cast<Simulator*>(static_cast<std::uintptr_t>(argument));
  auto* process = static_cast<Process*>(context);
  process->start = {};
  sim->resume(process, process->root.handle());
}

}  // namespace

const char* run_stop_name(RunStop stop) {
  switch (stop) {
    case RunStop::kQuiescent: return "quiescent";
    case RunStop::kTimeLimit: return "time_limit";
    case RunStop::kEventLimit: return "event_limit";
  }
  assert(false && "unknown RunStop");
  return "?";
}

SleepAwaiter::~SleepAwaiter() { sim.cancel_wake(waiter); }

JoinAwaiter::~JoinAwaiter() {
  sim.cancel_wake(waiter);
  if (!registered || !sim.alive(target)) return;
  auto& joiners = sim.processes_[target.slot]->joiners;
  joiners.erase(std::remove(joiners.begin(), joiners.end(), this), joiners.end());
}

bool JoinAwaiter::await_ready() const {
  // A process that is gone has ended; whether it completed is not kept, so
  // join a process while it is alive to learn that.
  return !sim.alive(target);
}

Simulator::Simulator(Tape& tape, SimulatorOptions options)
    : tape_(tape), options_(options), trace_(options.trace),
      queue_(options.limits.pending_events_max) {
  tape_.attach(*this);
}

Simulator::~Simulator() {
  // Frames may hold awaiters that unregister from the queue and from other
  // processes: destroy them while all of that still exists.
  cancel_all();
}

void Simulator::cancel_all() {
  assert(current_ == nullptr);
  for (std::size_t slot = 0; slot < processes_.size(); ++slot) {
    if (processes_[slot]->root) finish(processes_[slot].get(), false);
  }
}

EventId Simulator::schedule(Time at, EventFn fn, void* context, std::uint64_t argument) {
  return schedule_for(current_, at, fn, context, argument);
}

EventId Simulator::schedule_for(const Process* owner, Time at, EventFn fn, void* context, std::uint64_t argument) {
  assert(at >= now_ && "scheduling into the past");
  const EventId id = queue_.schedule(at, fn, context, argument);
  if (options_.ties == TieOrder::kTape) {
    if (slot_owners_.size() <= id.slot) slot_owners_.resize(id.slot + 1);
    slot_owners_[id.slot] = owner != nullptr ? owner->serial : 0;
  }
  if (options_.positions) {
    if (slot_positions_.size() <= id.slot) slot_positions_.resize(id.slot + 1);
    slot_positions_[id.slot] = owner != nullptr ? owner->position : world_position_;
  }
  return id;
}

void Simulator::wake_at(Waiter& waiter, Time at) {
  assert(!queue_.pending(waiter.wake));
  waiter.wake = schedule_for(waiter.process, at, &resume_waiter, &waiter, 0);
}

void Simulator::observe(std::uint64_t value) {
  std::uint64_t& position = current_ != nullptr ? current_->position : world_position_;
  position = mix_hash(position, value);
}

void Simulator::write_state(StateWriter& out) const {
  assert(options_.positions);
  out.tag("simulator");
  out.i64(now_);
  out.u64(world_position_);
  // Slot order is observable (a crash cancels a node's processes in it).
  for (const std::unique_ptr<Process>& p : processes_) {
    out.flag(static_cast<bool>(p->root));
    if (!p->root) continue;
    out.u64(p->position);
    out.str(p->node != nullptr ? std::string_view(p->node->name()) : std::string_view());
    out.flag(p->doomed);
  }
  // Which slot the next spawns take (a stack of freed slots).
  for (std::uint32_t slot : free_process_slots_) out.u64(slot);
  out.u64(free_process_slots_.size());
  // Pending events in the order they would run (at one instant, the order
  // a tape's order choice counts in).
  std::vector<EventQueue::Entry> pending(ready_.begin(), ready_.end());
  queue_.live_entries(pending);
  std::sort(pending.begin(), pending.end(), [](const EventQueue::Entry& a, const EventQueue::Entry& b) {
    return a.at != b.at ? a.at < b.at : a.sequence < b.sequence;
  });
  out.u64(pending.size());
  for (const EventQueue::Entry& e : pending) {
    if (!queue_.pending(EventId{e.slot, e.sequence})) continue;  // a stale ready entry
    const EventQueue::Callback& c = queue_.callback(e.slot);
    out.i64(e.at);
    out.u64(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(c.fn)));
    out.u64(slot_positions_[e.slot]);
    // A start's argument is the simulator's address, which differs between
    // worlds; every other argument is a number the model gave (an id).
    out.u64(c.fn == &start_process ? 0 : c.argument);
  }
}

void Simulator::cancel_wake(Waiter& waiter) {
  queue_.cancel(waiter.wake);
  waiter.wake = {};
}

ProcessId Simulator::spawn(Task<void> task, Node* node, std::string_view name) {
  assert(task && !task.done());
  assert(node == nullptr || node->up());
  assert(live_processes_ < options_.limits.processes_max && "process table full: find the runaway");
  std::uint32_t slot;
  if (!free_process_slots_.empty()) {
    slot = free_process_slots_.back();
    free_process_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(processes_.size());
    processes_.push_back(std::make_unique<Process>());
  }
  Process& process = *processes_[slot];
  process.id = ProcessId{slot, process.id.generation + 1};
  if (process.id.generation == 0) process.id.generation = 1;  // wrapped: 0 means none
  process.serial = ++spawned_;
  if (options_.positions) {
    const std::uint64_t parent = current_ != nullptr ? current_->position : world_position_;
    process.position = mix_hash(mix_hash(parent, fnv1a(name)), node != nullptr ? fnv1a(node->name()) : 0);
  }
  process.node = node;
  process.name.assign(name);
  process.root = std::move(task);
  process.doomed = false;
  process.joiners.clear();
  process.root.handle().promise().process = &process;
  ++live_processes_;

  process.start = schedule_for(&process, now_, &start_process, &process,
                               static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(this)));
  return process.id;
}

bool Simulator::alive(ProcessId id) const {
  return id.generation != 0 && id.slot < processes_.size() &&
         processes_[id.slot]->id.generation == id.generation && processes_[id.slot]->root;
}

bool Simulator::cancel(ProcessId id) {
  if (!alive(id)) return false;
  Process* process = processes_[id.slot].get();
  if (process == current_) {
    process->doomed = true;
    return true;
  }
  finish(process, false);
  return true;
}

std::size_t Simulator::cancel_node(const Node& node) {
  std::size_t cancelled = 0;
  // Slot order: deterministic, and a process spawned by a destructor during
  // this loop lands in a later or freed slot and is not visited twice.
  for (std::size_t slot = 0; slot < processes_.size(); ++slot) {
    Process& process = *processes_[slot];
    if (process.root && process.node == &node && cancel(process.id)) ++cancelled;
  }
  return cancelled;
}

void Simulator::resume(Process* process, std::coroutine_handle<> handle) {
  assert(current_ == nullptr && "resume from inside a coroutine: wake through the queue");
  assert(process != nullptr && process->root);
  if (options_.positions) {
    // Which callback resumed it: a reply's arrival and its deadline resume
    // the same await with different outcomes.
    process->position =
        mix_hash(process->position, static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(running_fn_)));
  }
  current_ = process;
  handle.resume();
  current_ = nullptr;
  if (process->root.done()) {
    finish(process, true);
  } else if (process->doomed) {
    finish(process, false);
  }
}

void Simulator::finish(Process* process, bool completed) {
  assert(process->root);
  // Destroying the frames runs awaiter destructors, which may wake others or
  // look this process up: keep it findable until they are done.
  queue_.cancel(process->start);
  process->start = {};
  Task<void> root = std::move(process->root);
  process->root = Task<void>();
  wake_joiners(*process, completed);
  std::vector<JoinAwaiter*>().swap(process->joiners);
  root.reset();
  process->node = nullptr;
  free_process_slots_.push_back(process->id.slot);
  assert(live_processes_ > 0);
  --live_processes_;
}

void Simulator::wake_joiners(Process& process, bool completed) {
  for (JoinAwaiter* joiner : process.joiners) {
    joiner->completed = completed;
    joiner->registered = false;
    wake_at(joiner->waiter, now_);
  }
}

bool Simulator::next_event(Time until, EventQueue::Callback& callback) {
  if (options_.ties == TieOrder::kFifo) {
    if (!queue_.settle()) return false;
    if (queue_.top_entry().at > until) return false;
    const EventQueue::Entry entry = queue_.pop_entry();
    now_ = entry.at;
    const bool live = queue_.take(entry, callback);
    assert(live);
    return true;
  }
  // kTape: gather every event due at the earliest instant, drop the stale
  // ones, and let the tape pick among the rest.
  for (;;) {
    ready_.erase(std::remove_if(ready_.begin(), ready_.end(),
                                [&](const EventQueue::Entry& e) {
                                  return !queue_.pending(EventId{e.slot, e.sequence});
                                }),
                 ready_.end());
    if (ready_.empty()) {
      if (!queue_.settle()) return false;
      if (queue_.top_entry().at > until) return false;
      now_ = queue_.top_entry().at;
    }
    while (queue_.settle() && queue_.top_entry().at == now_) ready_.push_back(queue_.pop_entry());
    if (!ready_.empty()) break;
  }
  std::size_t pick = 0;
  if (ready_.size() > 1) {
    ready_owners_.clear();
    for (const EventQueue::Entry& e : ready_) ready_owners_.push_back(slot_owners_[e.slot]);
    pick = static_cast<std::size_t>(tape_.pick_order(ready_owners_));
    assert(pick < ready_.size());
  }
  const EventQueue::Entry entry = ready_[pick];
  ready_.erase(ready_.begin() + static_cast<std::ptrdiff_t>(pick));
  const bool live = queue_.take(entry, callback);
  assert(live);
  return true;
}

RunResult Simulator::run_until(Time until) {
  const std::uint64_t start_count = events_executed_;
  const Time limit = std::min(until, options_.limits.time_max);
  EventQueue::Callback callback{};
  for (;;) {
    if (events_executed_ >= options_.limits.events_max) {
      return RunResult{RunStop::kEventLimit, now_, events_executed_ - start_count};
    }
    if (!next_event(limit, callback)) break;
    ++events_executed_;
    running_fn_ = callback.fn;
    callback.fn(callback.context, callback.argument);
    if (after_event_) after_event_();
  }
  const bool more = queue_.live() > 0;
  if (more && until != kTimeNever && until <= options_.limits.time_max) now_ = std::max(now_, until);
  const RunStop stop = more ? RunStop::kTimeLimit : RunStop::kQuiescent;
  return RunResult{stop, now_, events_executed_ - start_count};
}

RunResult Simulator::run() { return run_until(kTimeNever); }

Time Simulator::next_event_time() {
  if (!ready_.empty()) return now_;
  return queue_.settle() ? queue_.top_entry().at : kTimeNever;
}

void Simulator::advance_to(Time t) {
  assert(t >= now_ && next_event_time() >= t && "advance_to would skip an event");
  now_ = t;
}

}  // namespace idemlab::sim
