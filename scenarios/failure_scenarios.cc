#include "scenarios/failure_scenarios.h"

#include "checks/invariants.h"

namespace idemlab::scenarios {
namespace {

using sim::kMillisecond;
using sim::kSecond;

// A small shop: 3 clients paying 5 intents each, retrying timeouts, 5xx and
// 409 (as Stripe's client libraries do) with exponential backoff and full
// jitter, 20 attempts over at most two minutes. An in-progress claim holds
// 10 s, so that a claim left by a crash is taken over within the clients'
// patience.
Scenario base(std::string name, std::string description) {
  Scenario s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.world.clients = 3;
  s.world.client.intents = 5;
  s.world.client.request_timeout = 1 * kSecond;
  s.world.client.retry.backoff = models::clients::Backoff::kFullJitter;
  s.world.client.retry.base = 200 * kMillisecond;
  s.world.client.retry.cap = 5 * kSecond;
  s.world.client.retry.attempts_max = 20;
  s.world.client.retry.retry_409 = true;
  s.options.lock_ttl = 10 * kSecond;
  s.world.client.give_up_after = 120 * kSecond;
  s.world.network.latency = sim::LatencyModel::log_normal(1 * kMillisecond, 0.3, 20 * kMillisecond);
  s.world.processor.processing_time = sim::LatencyModel::log_normal(150 * kMillisecond, 0.4, 900 * kMillisecond);
  s.fault_phase = 30 * kSecond;
  s.run_limit = 600 * kSecond;
  return s;
}

const std::set<std::string> kSafe = {};

// The strategies meant to be safe are safe everywhere; the baseline and the
// textbook variants break where each scenario says.
void expect(Scenario& s, std::set<std::string> baseline, std::set<std::string> check_then_insert,
            std::set<std::string> redis_lock, std::set<std::string> setex_processing, std::set<std::string> get_then_set) {
  s.expect["baseline"] = std::move(baseline);
  s.expect["idempotency_key"] = kSafe;
  s.expect["db_unique"] = kSafe;
  s.expect["natural"] = kSafe;
  s.expect["dedup_queue"] = kSafe;
  s.expect["outbox"] = kSafe;
  s.expect["saga"] = kSafe;
  s.expect["check_then_insert_charge_first"] = std::move(check_then_insert);
  s.expect["redis_lock_del_in_finally"] = std::move(redis_lock);
  s.expect["setex_processing_del_on_error"] = std::move(setex_processing);
  s.expect["get_then_set_claim"] = std::move(get_then_set);
}

using checks::kAtMostOneCharge;
using checks::kEveryIntentResolved;
using checks::kNoStuckKey;
using checks::kReplayMatchesFirst;

}  // namespace

std::vector<Scenario> failure_scenarios() {
  std::vector<Scenario> out;

  Scenario lost = base("client_retry_after_lost_response",
                       "the API's answer to the first request is lost, and one in five answers after it; clients retry");
  lost.faults.push_back({"reply:client<-api", 1, TargetedFault::Action::kDropReply, 0});
  sim::LinkConfig lossy = lost.world.network;
  lossy.drop_reply = sim::Ratio{1, 5};
  lost.client_link = lossy;
  // Every variant caches or records the answer before the client retries.
  expect(lost, {kAtMostOneCharge}, kSafe, kSafe, kSafe, kSafe);
  out.push_back(lost);

  Scenario timeout = base("network_timeout",
                          "the processor answers slower than the API waits for it; the API reports an error, the "
                          "charge may still happen, and the client retries");
  timeout.world.processor.processing_time = sim::LatencyModel::log_normal(400 * kMillisecond, 0.5, 3 * kSecond);
  timeout.world.processor_timeout = 300 * kMillisecond;
  timeout.world.client.request_timeout = 2 * kSecond;
  // Without a downstream key, a charge that timed out is charged again; the
  // GET-then-SET claim is left "processing" for ever instead.
  expect(timeout, {kAtMostOneCharge}, {kAtMostOneCharge}, {kAtMostOneCharge}, {kAtMostOneCharge}, {kNoStuckKey});
  out.push_back(timeout);

  Scenario webhook = base("duplicate_webhook_delivery",
                          "every paid request is delivered a second time, as at-least-once webhooks are");
  webhook.world.client.webhook_duplicate = sim::Ratio{1, 1};
  expect(webhook, {kAtMostOneCharge, kReplayMatchesFirst}, kSafe, kSafe, kSafe, kSafe);
  out.push_back(webhook);

  Scenario concurrent = base("concurrent_identical_requests",
                             "every intent is sent twice at once with the same key (a double click)");
  concurrent.world.client.double_click = sim::Ratio{1, 1};
  // Check-then-act races: both senders find nothing and both charge. The NX
  // lock of the middleware holds.
  expect(concurrent, {kAtMostOneCharge, kReplayMatchesFirst}, {kAtMostOneCharge}, kSafe,
         {kAtMostOneCharge, kReplayMatchesFirst}, {kAtMostOneCharge, kReplayMatchesFirst});
  out.push_back(concurrent);

  Scenario partial = base("partial_failure",
                          "the API crashes right after the processor charged, before it recorded anything, and "
                          "restarts 200 ms later; the client retries");
  partial.faults.push_back({"after:processor.charge", 1, TargetedFault::Action::kCrash, 200 * kMillisecond});
  partial.faults.push_back({"after:processor.charge", 4, TargetedFault::Action::kCrash, 200 * kMillisecond});
  // A crash leaves a 60 s lock or "processing" key behind: clients give up
  // before it expires (a payment never made), or retry after it and charge
  // again (rare: 1 run in 10,000 seeds); the claim without expiry is stuck.
  expect(partial, {kAtMostOneCharge}, {kAtMostOneCharge}, {kAtMostOneCharge, kEveryIntentResolved},
         {kAtMostOneCharge, kEveryIntentResolved}, {kEveryIntentResolved, kNoStuckKey});
  out.push_back(partial);

  Scenario worker = base("worker_retry",
                         "whoever performs the charge (the API handler, or a queue consumer) crashes right after it, "
                         "before committing or acking, and restarts 500 ms later; the work is retried");
  worker.faults.push_back({"after:processor.charge", 1, TargetedFault::Action::kCrash, 500 * kMillisecond});
  worker.faults.push_back({"after:processor.charge", 3, TargetedFault::Action::kCrash, 500 * kMillisecond});
  // As in partial_failure, but the charging node stays down longer: the
  // middleware's 60 s lock outlives every client's patience (no second charge
  // in 10,000 seeds), the status key of setex sometimes expires in time for a
  // retry to charge again.
  expect(worker, {kAtMostOneCharge}, {kAtMostOneCharge}, {kEveryIntentResolved},
         {kAtMostOneCharge, kEveryIntentResolved}, {kEveryIntentResolved, kNoStuckKey});
  out.push_back(worker);

  Scenario redelivery = base("message_redelivery",
                             "messages arrive more than once: two publisher confirms are lost (the client's retry "
                             "republishes) and a consumer crashes after its commit, before its ack. Strategies "
                             "without a queue do not meet these faults");
  redelivery.faults.push_back({"reply:api<-rabbitmq", 1, TargetedFault::Action::kDropReply, 0});
  redelivery.faults.push_back({"reply:api<-rabbitmq", 3, TargetedFault::Action::kDropReply, 0});
  redelivery.faults.push_back({"before:queue.ack", 2, TargetedFault::Action::kCrash, 500 * kMillisecond});
  expect(redelivery, kSafe, kSafe, kSafe, kSafe, kSafe);
  out.push_back(redelivery);

  return out;
}

}  // namespace idemlab::scenarios
