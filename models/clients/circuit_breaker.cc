#include "models/clients/circuit_breaker.h"

#include <cassert>

namespace idemlab::models::clients {

const char* breaker_state_name(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half-open";
  }
  assert(false && "unknown breaker state");
  return "?";
}

void CircuitBreaker::move_to(State state, sim::Time now) {
  state_ = state;
  ++generation_;
  consecutive_failures_ = 0;
  probes_sent_ = 0;
  probes_succeeded_ = 0;
  if (state == State::kOpen) {
    open_until_ = now + config_.open_for;
    ++opened_;
  }
}

std::optional<CircuitBreaker::Ticket> CircuitBreaker::permit(sim::Time now) {
  if (!enabled()) return Ticket{generation_};
  if (state_ == State::kOpen && now >= open_until_) move_to(State::kHalfOpen, now);
  switch (state_) {
    case State::kClosed: return Ticket{generation_};
    case State::kHalfOpen:
      if (probes_sent_ < config_.half_open_probes) {
        ++probes_sent_;
        return Ticket{generation_};
      }
      break;
    case State::kOpen: break;
  }
  ++rejected_;
  return std::nullopt;
}

void CircuitBreaker::on_result(Ticket ticket, bool failed, sim::Time now) {
  if (!enabled() || ticket.generation != generation_) return;
  switch (state_) {
    case State::kClosed:
      consecutive_failures_ = failed ? consecutive_failures_ + 1 : 0;
      if (consecutive_failures_ >= config_.failures_to_open) move_to(State::kOpen, now);
      break;
    case State::kHalfOpen:
      if (failed) {
        move_to(State::kOpen, now);
      } else if (++probes_succeeded_ >= config_.half_open_probes) {
        move_to(State::kClosed, now);
      }
      break;
    case State::kOpen: break;  // no ticket of an open breaker exists
  }
}

void CircuitBreaker::write_state(sim::StateWriter& out) const {
  out.tag("breaker");
  out.u64(static_cast<std::uint64_t>(state_));
  out.u64(generation_);
  out.i64(consecutive_failures_);
  out.i64(probes_sent_);
  out.i64(probes_succeeded_);
  out.i64(open_until_);
}

}  // namespace idemlab::models::clients
