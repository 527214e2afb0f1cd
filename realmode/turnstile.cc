#include "realmode/turnstile.h"

#include <cassert>
#include <utility>

#include "sim/time.h"

namespace idemlab::realmode {

Turnstile::Turnstile(sim::Simulator& sim, std::vector<scenarios::ScheduleStep> steps,
                     std::function<sim::Task<int>()> sessions_waiting_on_locks)
    : sim_(sim), steps_(std::move(steps)), sessions_waiting_on_locks_(std::move(sessions_waiting_on_locks)) {
  last_progress_ = sim_.now();
}

std::string Turnstile::step_text(std::size_t i) const {
  const scenarios::ScheduleStep& s = steps_[i];
  std::string text = s.op;
  text += " by ";
  text += s.process;
  text += " on ";
  text += s.node;
  return text;
}

bool Turnstile::has_steps_left(const std::string& process) const {
  for (std::size_t i = next_; i < steps_.size(); ++i) {
    if (steps_[i].process == process) return true;
  }
  return false;
}

bool Turnstile::expects(const std::string& process, const char* op, const sim::Node& node) const {
  for (std::size_t i = next_; i < steps_.size(); ++i) {
    const scenarios::ScheduleStep& s = steps_[i];
    if (s.process == process && s.node == node.name() && s.op == op) return true;
  }
  return false;
}

void Turnstile::depart(const std::string& why) {
  if (!departed_.empty()) return;
  departed_ = "step ";
  departed_ += std::to_string(next_ + 1);
  departed_ += ": ";
  departed_ += why;
}

sim::Task<std::uint64_t> Turnstile::enter(const char* op, sim::Node& node) {
  const sim::Process* process = sim_.current();
  assert(process != nullptr);
  const std::string name = process->name;  // the process may end while this waits: keep a copy
  if (open()) co_return 0;
  // A process the schedule has no steps left for (a background worker's
  // poll, an attempt the simulation made after its end) made this operation
  // after the schedule's last step in simulation: it waits for that.
  const bool scheduled = has_steps_left(name);
  if (!scheduled) ++held_to_end_;
  if (scheduled && !expects(name, op, node)) {
    std::string why = "the run made ";
    why += op;
    why += " by " + name + " on " + node.name() + ", which the schedule does not have for that process from here on";
    depart(why);
    co_return 0;
  }
  for (;;) {
    if (open()) co_return 0;
    const scenarios::ScheduleStep& next = steps_[next_];
    if (scheduled && running_ == 0 && next.process == name && next.op == op && next.node == node.name()) break;
    if (sim_.now() - last_progress_ >= kStall) {
      std::string why = "no step for ";
      why += sim::duration_text(kStall);
      why += ": " + step_text(next_) + " was not made while ";
      why += op;
      why += " by " + name + " waited";
      depart(why);
      co_return 0;
    }
    co_await sim_.sleep(kPoll);
  }
  const std::uint64_t ticket = ++last_ticket_;
  ++next_;
  running_ = scenarios::takes_effect_over_time(op) ? 0 : ticket;
  running_since_ = last_progress_ = sim_.now();
  co_return ticket;
}

void Turnstile::leave(std::uint64_t ticket) {
  blocked_.erase(ticket);
  if (running_ == ticket) running_ = 0;
  last_progress_ = sim_.now();
}

sim::Task<void> Turnstile::watch_locks() {
  // A statement answers in well under a millisecond on loopback; one still
  // running after this long is asked about.
  constexpr sim::Duration kAskAfter = 3 * sim::kMillisecond;
  while (!open()) {
    co_await sim_.sleep(kPoll);
    const std::uint64_t asked_about = running_;
    if (asked_about == 0 || sim_.now() - running_since_ < kAskAfter) continue;
    const int waiting = co_await sessions_waiting_on_locks_();
    // Every step already let past as blocked and still out is one of the
    // waiting sessions (or has just been granted its lock); one more is
    // the running step.
    if (running_ == asked_about && waiting > static_cast<int>(blocked_.size())) {
      blocked_.insert(asked_about);
      ++blocked_total_;
      running_ = 0;
      last_progress_ = sim_.now();
    }
  }
}

std::string Turnstile::divergence() const {
  if (!departed_.empty()) return departed_;
  if (next_ >= steps_.size()) return {};
  std::string text = "step ";
  text += std::to_string(next_ + 1);
  text += ": the run ended before " + step_text(next_);
  return text;
}

}  // namespace idemlab::realmode
