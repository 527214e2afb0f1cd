#include "models/clients/retry_policy.h"

#include <algorithm>
#include <cassert>

namespace idemlab::models::clients {

const char* backoff_name(Backoff backoff) {
  switch (backoff) {
    case Backoff::kNone: return "none";
    case Backoff::kFixed: return "fixed";
    case Backoff::kExponential: return "exponential";
    case Backoff::kFullJitter: return "full_jitter";
    case Backoff::kEqualJitter: return "equal_jitter";
    case Backoff::kDecorrelatedJitter: return "decorrelated_jitter";
  }
  assert(false && "unknown Backoff");
  return "?";
}

namespace {

sim::Duration exponential(const RetryPolicy& policy, int retry) {
  sim::Duration delay = policy.base;
  for (int i = 1; i < retry && delay < policy.cap; ++i) delay *= 2;
  return std::min(delay, policy.cap);
}

}  // namespace

sim::Duration backoff_delay(const RetryPolicy& policy, int retry, sim::Duration previous, sim::Tape& tape) {
  assert(retry >= 1);
  switch (policy.backoff) {
    case Backoff::kNone: return 0;
    case Backoff::kFixed: return policy.base;
    case Backoff::kExponential: return exponential(policy, retry);
    case Backoff::kFullJitter: return sim::uniform(tape, 0, exponential(policy, retry) + 1, sim::Choice::kJitter);
    case Backoff::kEqualJitter: {
      const sim::Duration half = exponential(policy, retry) / 2;
      return half + sim::uniform(tape, 0, half + 1, sim::Choice::kJitter);
    }
    case Backoff::kDecorrelatedJitter: {
      const sim::Duration low = policy.base;
      const sim::Duration high = std::max(low, std::max(previous, policy.base) * 3);
      return std::min(policy.cap, sim::uniform(tape, low, high + 1, sim::Choice::kJitter));
    }
  }
  assert(false && "unknown Backoff");
  return 0;
}

}  // namespace idemlab::models::clients
