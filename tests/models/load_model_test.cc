// The load model: open-loop arrivals (constant, steps, ramps, an end), the
// client's circuit breaker, admission control at the service (a full queue
// and a queue timeout shed with the configured status), the retry budget's
// cap on amplification, and the processor's episodes.
#include <catch2/catch.hpp>

#include "models/clients/arrivals.h"
#include "models/clients/circuit_breaker.h"
#include "models/processor/processor.h"
#include "tests/models/client_rig.h"

namespace idemlab::models::clients {
namespace {

using namespace testing;

ArrivalProfile constant_rate(std::int64_t per_s) { return ArrivalProfile({{0, per_s * 1000}}); }

// Invokes whose time falls in [from, to).
std::size_t invokes_between(const Rig& rig, sim::Time from, sim::Time to) {
  std::size_t n = 0;
  for (const HistoryEvent* e : rig.of(HK::kInvoke)) n += (e->at >= from && e->at < to) ? 1 : 0;
  return n;
}

TEST_CASE("arrivals: the rate of a profile is linear between points, steps at a shared instant, and stays after the last") {
  const ArrivalProfile p({{10 * kSecond, 100000}, {20 * kSecond, 300000}, {20 * kSecond, 50000}, {30 * kSecond, 50000}});
  CHECK(p.rate_at(0) == 100000);                 // before the first point: its rate
  CHECK(p.rate_at(15 * kSecond) == 200000);      // half way up the ramp
  CHECK(p.rate_at(20 * kSecond - 1) == 299999);  // just before the step
  CHECK(p.rate_at(20 * kSecond) == 50000);       // the step's second point wins
  CHECK(p.rate_at(100 * kSecond) == 50000);
  CHECK(p.peak_milli_per_s() == 300000);
  CHECK(p.scaled(1, 4).rate_at(15 * kSecond) == 50000);
  CHECK(p.scaled(3, 2).peak_milli_per_s() == 450000);
}

TEST_CASE("arrivals: a constant rate gives that many intents a second, whatever the answers") {
  service::ServiceConfig many;
  many.workers = 1000;
  Rig rig(201, 1 * kSecond, many);  // each answer takes a second: a closed loop would send one a second
  ClientConfig c = one_intent();
  c.intents = 2000;
  c.request_timeout = 5 * kSecond;
  c.arrivals = constant_rate(100);
  rig.add_client(c);
  rig.run();
  REQUIRE(rig.of(HK::kInvoke).size() == 2000);
  const sim::Time last = rig.of(HK::kInvoke).back()->at;
  // 2,000 arrivals at 100 a second: 20 s, within a few percent (the sum of
  // 2,000 exponential gaps has a standard deviation of 2.2%).
  CHECK(last > 18 * kSecond);
  CHECK(last < 22 * kSecond);
  CHECK(rig.of(HK::kOk).size() == 2000);
}

TEST_CASE("arrivals: a step and a ramp change the rate where the profile says") {
  Rig rig(201, 1 * kMillisecond);
  ClientConfig c = one_intent();
  c.intents = 100000;
  // 50 a second for 20 s, then 200 a second up to 30 s, then a ramp down to
  // nothing at 40 s: the rest of the intents never arrive.
  c.arrivals = ArrivalProfile({{0, 50000}, {20 * kSecond, 50000}, {20 * kSecond, 200000}, {30 * kSecond, 200000},
                               {40 * kSecond, 0}});
  Client& client = rig.add_client(c);
  rig.run();
  CHECK(client.finished());
  const double slow = static_cast<double>(invokes_between(rig, 5 * kSecond, 15 * kSecond));
  const double fast = static_cast<double>(invokes_between(rig, 21 * kSecond, 29 * kSecond));
  const double ramp = static_cast<double>(invokes_between(rig, 30 * kSecond, 40 * kSecond));
  CHECK(slow == Approx(500).epsilon(0.15));
  CHECK(fast == Approx(1600).epsilon(0.1));
  CHECK(ramp == Approx(1000).epsilon(0.15));  // the mean of a ramp from 200 to 0 over 10 s
  CHECK(invokes_between(rig, 40 * kSecond, sim::kTimeNever) == 0);
  CHECK(rig.of(HK::kInvoke).size() < 100000);
}

TEST_CASE("arrivals: a rate far below the profile's peak costs no more draws than arrivals") {
  // A million a second for a nanosecond, then one in a thousand seconds:
  // thinning at the peak would draw about a billion candidates an arrival.
  Rig rig(201, 1 * kMillisecond);
  ClientConfig c = one_intent();
  c.intents = 3;
  c.arrivals = ArrivalProfile({{0, 1000000000}, {1, 1}});
  rig.add_client(c);
  rig.run();
  REQUIRE(rig.of(HK::kInvoke).size() == 3);
  CHECK(rig.of(HK::kInvoke).back()->at > 100 * kSecond);  // three gaps of about 1,000 s
}

TEST_CASE("circuit breaker: opens after consecutive failures, fails attempts at once, and closes after a probe succeeds") {
  Rig rig;
  rig.script = {api::Response{503, "{}", false}, api::Response{503, "{}", false}, api::Response{503, "{}", false},
                api::Response{201, "{}", false}};
  ClientConfig c = one_intent();
  c.intents = 60;
  c.think_mean = 50 * kMillisecond;
  c.retry.backoff = Backoff::kNone;  // one attempt an intent: each intent is one try of the breaker
  c.breaker.failures_to_open = 3;
  c.breaker.open_for = 1 * kSecond;
  Client& client = rig.add_client(c);
  rig.run();
  const CircuitBreaker& breaker = client.breaker();
  CHECK(breaker.opened() == 1);
  CHECK(breaker.state() == CircuitBreaker::State::kClosed);
  // Three failures sent, then about a second of intents (20 at 50 ms) failed
  // at once, then the probe and every intent after it sent and answered 201.
  CHECK(breaker.rejected() > 8);
  CHECK(rig.of(HK::kInvoke).size() == 60 - breaker.rejected());
  CHECK(rig.executed == static_cast<int>(60 - breaker.rejected()));
  // The three 503s and the intents failed at once were given up (no
  // retries); the latter sent nothing.
  CHECK(rig.of(HK::kGiveUp).size() == 3 + breaker.rejected());
  const sim::Time third_failure = rig.answered_at[2];
  const sim::Time probe = rig.of(HK::kInvoke)[3]->at;
  CHECK(probe >= third_failure + 1 * kSecond);
}

TEST_CASE("circuit breaker: a failed probe opens it again; half-open lets only the probes through") {
  CircuitBreaker b(BreakerConfig{2, 1 * kSecond, 2});
  auto t1 = b.permit(0);
  auto t2 = b.permit(0);
  REQUIRE(t1);
  REQUIRE(t2);
  b.on_result(*t1, true, 0);
  b.on_result(*t2, true, 0);
  CHECK(b.state() == CircuitBreaker::State::kOpen);
  CHECK_FALSE(b.permit(500 * kMillisecond));
  auto p1 = b.permit(1 * kSecond);
  auto p2 = b.permit(1 * kSecond);
  CHECK(b.state() == CircuitBreaker::State::kHalfOpen);
  REQUIRE(p1);
  REQUIRE(p2);
  CHECK_FALSE(b.permit(1 * kSecond));  // two probes at most
  b.on_result(*p1, false, 1 * kSecond);
  CHECK(b.state() == CircuitBreaker::State::kHalfOpen);
  b.on_result(*p2, true, 1 * kSecond);
  CHECK(b.state() == CircuitBreaker::State::kOpen);
  CHECK(b.opened() == 2);
  // A result from before it opened again says nothing.
  b.on_result(*p1, false, 1 * kSecond);
  CHECK(b.state() == CircuitBreaker::State::kOpen);
}

TEST_CASE("admission control: a full queue sheds at once with the configured status and Retry-After") {
  for (int status : {429, 503}) {
    service::ServiceConfig config;
    config.workers = 1;
    config.queue_max = 1;
    config.shed_status = status;
    config.shed_retry_after_s = 3;
    Rig rig(201, 500 * kMillisecond, config);
    ClientConfig c = one_intent();
    c.intents = 3;
    c.request_timeout = 5 * kSecond;
    c.retry.backoff = Backoff::kNone;
    c.copies = 3;  // three at once: one served, one queued, one shed
    rig.add_client(c);
    rig.run();
    std::vector<int> statuses;
    for (const HistoryEvent* e : rig.of(HK::kFail)) statuses.push_back(e->status);
    CHECK(rig.api.rejected() == 3);  // one of each intent's three copies
    CHECK(std::count(statuses.begin(), statuses.end(), status) == 3);
  }
}

TEST_CASE("admission control: a request that waits past the queue timeout is shed, not served") {
  service::ServiceConfig config;
  config.workers = 1;
  config.queue_max = 100;
  config.queue_timeout = 100 * kMillisecond;
  Rig rig(201, 300 * kMillisecond, config);
  ClientConfig c = one_intent();
  c.request_timeout = 5 * kSecond;
  c.retry.backoff = Backoff::kNone;
  c.copies = 4;
  rig.add_client(c);
  rig.run();
  CHECK(rig.executed == 1);  // the others waited 100 ms and were shed
  CHECK(rig.api.rejected() == 3);
  const sim::Time sent = rig.of(HK::kInvoke).front()->at;
  for (const HistoryEvent* e : rig.of(HK::kFail)) {
    CHECK(e->status == 503);
    CHECK(e->at - sent < 150 * kMillisecond);
  }
}

TEST_CASE("retry budget: caps the amplification of a failing service") {
  for (bool budget : {false, true}) {
    Rig rig(503);
    ClientConfig c = one_intent();
    c.intents = 500;
    c.retry.backoff = Backoff::kFixed;
    c.retry.base = 0;  // immediate retries
    c.retry.attempts_max = 10;
    if (budget) c.retry.budget_tokens_max = 10;
    c.arrivals = constant_rate(50);
    rig.add_client(c);
    rig.run();
    const double amplification = static_cast<double>(rig.of(HK::kInvoke).size()) / 500;
    if (budget) {
      CHECK(amplification < 1.05);  // the budget's tokens, then first attempts only
    } else {
      CHECK(amplification == 10);
    }
  }
}

TEST_CASE("processor episodes: slow down and fail the charges of their window only") {
  processor::ProcessorConfig config;
  config.processing_time = sim::LatencyModel::constant(100 * kMillisecond);
  config.episodes.push_back({10 * kSecond, 20 * kSecond, 5000, sim::Ratio{1, 1}});
  config.episodes.push_back({30 * kSecond, 40 * kSecond, 500, sim::Ratio{0, 1}});
  sim::RandomTape tape(1, true);
  const processor::ChargeDecision before = processor::decide_charge(config, 9 * kSecond, tape);
  const processor::ChargeDecision during = processor::decide_charge(config, 10 * kSecond, tape);
  const processor::ChargeDecision faster = processor::decide_charge(config, 35 * kSecond, tape);
  const processor::ChargeDecision after = processor::decide_charge(config, 20 * kSecond, tape);
  CHECK(before.processing == 100 * kMillisecond);
  CHECK_FALSE(before.unavailable);
  CHECK(during.processing == 500 * kMillisecond);
  CHECK(during.unavailable);
  CHECK(faster.processing == 50 * kMillisecond);
  CHECK_FALSE(faster.unavailable);
  CHECK(after.processing == 100 * kMillisecond);
  CHECK_FALSE(after.unavailable);
  CHECK(tape.recorded().empty());  // certain outcomes and constants draw nothing
}

TEST_CASE("processor episodes: a 1000x slowdown of the longest charge stops at 400 days, never overflows") {
  constexpr sim::Duration kDays400 = 400 * 24 * 3600 * kSecond;
  processor::ProcessorConfig config;
  config.processing_time = sim::LatencyModel::constant(kDays400);
  config.episodes.push_back({0, 1 * kSecond, 1000000, sim::Ratio{0, 1}});
  sim::RandomTape tape(1);
  CHECK(processor::decide_charge(config, 0, tape).processing == kDays400);
}

}  // namespace
}  // namespace idemlab::models::clients
