// A client-side circuit breaker (Nygard, "Release It!"): after enough
// consecutive failed attempts it opens and fails every attempt at once,
// without sending it, for a while; then it lets a few probes through
// (half-open), and closes when they all succeed or opens again when one
// fails. It stops a client from adding load to a service that is already
// failing, at the price of failing requests that might have succeeded.
#pragma once

#include <cstdint>
#include <optional>

#include "sim/state_writer.h"
#include "sim/time.h"

namespace idemlab::models::clients {

struct BreakerConfig {
  int failures_to_open = 0;  // consecutive failed attempts that open it; 0: no breaker
  sim::Duration open_for = 5 * sim::kSecond;
  int half_open_probes = 1;  // attempts let through while half-open; that many successes close it
};

class CircuitBreaker {
 public:
  enum class State : std::uint8_t { kClosed, kOpen, kHalfOpen };
  // Which state an attempt was let through in: its result counts only if
  // the breaker has not moved on since (an attempt sent before it opened
  // says nothing about the probes).
  struct Ticket {
    std::uint64_t generation = 0;
  };

  explicit CircuitBreaker(const BreakerConfig& config) : config_(config) {}

  bool enabled() const { return config_.failures_to_open > 0; }
  State state() const { return state_; }
  // Whether an attempt may be sent at `now`; nullopt: fail it at once.
  std::optional<Ticket> permit(sim::Time now);
  // The result of an attempt permit() let through. Failures are what a
  // failing service answers: timeouts, refused connections, 5xx and 429.
  void on_result(Ticket ticket, bool failed, sim::Time now);
  // How often it opened, and how many attempts it failed at once.
  std::uint64_t opened() const { return opened_; }
  std::uint64_t rejected() const { return rejected_; }
  void write_state(sim::StateWriter& out) const;

 private:
  void move_to(State state, sim::Time now);

  BreakerConfig config_;
  State state_ = State::kClosed;
  std::uint64_t generation_ = 0;  // bumped at every change of state
  int consecutive_failures_ = 0;
  int probes_sent_ = 0;
  int probes_succeeded_ = 0;
  sim::Time open_until_ = 0;
  std::uint64_t opened_ = 0;
  std::uint64_t rejected_ = 0;
};

const char* breaker_state_name(CircuitBreaker::State state);

}  // namespace idemlab::models::clients
