// Client retry policies: when to retry, after how long, and how many times.
// Delays follow "Exponential Backoff And Jitter" (AWS Architecture Blog,
// 2015); jitter is drawn through the tape (Choice::kJitter).
#pragma once

#include <cstdint>

#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::models::clients {

enum class Backoff : std::uint8_t {
  kNone,                // never retry
  kFixed,               // base every time
  kExponential,         // base * 2^(retry-1), capped
  kFullJitter,          // uniform [0, exponential]
  kEqualJitter,         // exponential/2 + uniform [0, exponential/2]
  kDecorrelatedJitter,  // uniform [base, 3 * previous delay], capped
};
const char* backoff_name(Backoff backoff);

struct RetryPolicy {
  Backoff backoff = Backoff::kExponential;
  sim::Duration base = 100 * sim::kMillisecond;
  sim::Duration cap = 10 * sim::kSecond;
  int attempts_max = 4;  // first attempt included
  // Which outcomes are retried, per class.
  bool retry_timeout = true;           // no answer within the request timeout
  bool retry_connection_error = true;  // refused or reset: nothing was sent
  bool retry_5xx = true;
  bool retry_409 = false;              // in progress elsewhere
  bool retry_429 = true;               // too many requests
  // Wait at least the answer's Retry-After, when it has one, before retrying.
  bool honour_retry_after = true;
  // Retry budget (gRPC-style token bucket): each failed attempt spends a
  // token, each success earns `tokens_per_success_milli` thousandths of one;
  // retries stop while fewer than half of `tokens_max` are left. 0: no budget.
  std::int64_t budget_tokens_max = 0;
  std::int64_t budget_tokens_per_success_milli = 100;
};

// The delay before retry number `retry` (1 for the first retry), given the
// previous delay (for decorrelated jitter).
sim::Duration backoff_delay(const RetryPolicy& policy, int retry, sim::Duration previous, sim::Tape& tape);

// A client's retry budget; shared by all the requests of one client.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryPolicy& policy)
      : max_milli_(policy.budget_tokens_max * 1000),
        per_success_milli_(policy.budget_tokens_per_success_milli),
        tokens_milli_(max_milli_) {}

  void on_failure() { tokens_milli_ = tokens_milli_ >= 1000 ? tokens_milli_ - 1000 : 0; }
  void on_success() { tokens_milli_ = tokens_milli_ + per_success_milli_ > max_milli_ ? max_milli_ : tokens_milli_ + per_success_milli_; }
  std::int64_t tokens_milli() const { return tokens_milli_; }
  bool allows_retry() const { return max_milli_ == 0 || tokens_milli_ * 2 > max_milli_; }

 private:
  std::int64_t max_milli_;
  std::int64_t per_success_milli_;
  std::int64_t tokens_milli_;
};

}  // namespace idemlab::models::clients
