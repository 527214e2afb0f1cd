#include "models/clients/retry_policy.h"

#include <catch2/catch.hpp>

namespace idemlab::models::clients {
namespace {

using sim::kMillisecond;

RetryPolicy policy(Backoff backoff) {
  RetryPolicy p;
  p.backoff = backoff;
  p.base = 100 * kMillisecond;
  p.cap = 1000 * kMillisecond;
  return p;
}

TEST_CASE("fixed backoff waits the base every time") {
  sim::RandomTape tape(1, true);
  for (int retry = 1; retry <= 5; ++retry) CHECK(backoff_delay(policy(Backoff::kFixed), retry, 0, tape) == 100 * kMillisecond);
  CHECK(tape.recorded().empty());
}

TEST_CASE("exponential backoff doubles up to its cap") {
  sim::RandomTape tape(1);
  const RetryPolicy p = policy(Backoff::kExponential);
  CHECK(backoff_delay(p, 1, 0, tape) == 100 * kMillisecond);
  CHECK(backoff_delay(p, 2, 0, tape) == 200 * kMillisecond);
  CHECK(backoff_delay(p, 4, 0, tape) == 800 * kMillisecond);
  CHECK(backoff_delay(p, 5, 0, tape) == 1000 * kMillisecond);
  CHECK(backoff_delay(p, 60, 0, tape) == 1000 * kMillisecond);  // no overflow
}

TEST_CASE("full jitter stays within zero and the exponential delay") {
  sim::RandomTape tape(2);
  const RetryPolicy p = policy(Backoff::kFullJitter);
  sim::Duration low = p.cap, high = 0;
  for (int i = 0; i < 2000; ++i) {
    const sim::Duration d = backoff_delay(p, 3, 0, tape);
    REQUIRE(d >= 0);
    REQUIRE(d <= 400 * kMillisecond);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  CHECK(low < 20 * kMillisecond);
  CHECK(high > 380 * kMillisecond);
}

TEST_CASE("equal jitter stays within half and all of the exponential delay") {
  sim::RandomTape tape(3);
  const RetryPolicy p = policy(Backoff::kEqualJitter);
  for (int i = 0; i < 2000; ++i) {
    const sim::Duration d = backoff_delay(p, 3, 0, tape);
    REQUIRE(d >= 200 * kMillisecond);
    REQUIRE(d <= 400 * kMillisecond);
  }
}

TEST_CASE("decorrelated jitter stays within the base and three times the previous delay, capped") {
  sim::RandomTape tape(4);
  const RetryPolicy p = policy(Backoff::kDecorrelatedJitter);
  sim::Duration previous = 0;
  for (int retry = 1; retry <= 50; ++retry) {
    const sim::Duration d = backoff_delay(p, retry, previous, tape);
    REQUIRE(d >= p.base);
    REQUIRE(d <= std::min(p.cap, std::max(previous, p.base) * 3));
    previous = d;
  }
}

TEST_CASE("a retry budget allows retries while more than half its tokens are left") {
  RetryPolicy p = policy(Backoff::kExponential);
  p.budget_tokens_max = 4;
  p.budget_tokens_per_success_milli = 500;
  RetryBudget budget(p);
  CHECK(budget.allows_retry());
  budget.on_failure();  // 3 left
  CHECK(budget.allows_retry());
  budget.on_failure();  // 2 left: not more than half
  CHECK_FALSE(budget.allows_retry());
  budget.on_success();  // 2.5
  CHECK(budget.allows_retry());
}

TEST_CASE("without a budget retries are always allowed") {
  RetryBudget budget(policy(Backoff::kExponential));
  for (int i = 0; i < 100; ++i) budget.on_failure();
  CHECK(budget.allows_retry());
}

}  // namespace
}  // namespace idemlab::models::clients
