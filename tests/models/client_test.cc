// Clients against a scripted service: retries, history, keys and workload
// shapes; and the service node's admission and crash behaviour.
#include "models/clients/client.h"
#include "tests/models/client_rig.h"

#include <catch2/catch.hpp>
#include <memory>
#include <regex>
#include <set>

namespace idemlab::models::clients {
namespace {

using namespace testing;

TEST_CASE("a successful attempt is recorded as invoke then ok") {
  Rig rig;
  rig.add_client(one_intent());
  rig.run();
  CHECK(rig.of(HK::kInvoke).size() == 1);
  CHECK(rig.of(HK::kOk).size() == 1);
  CHECK(rig.of(HK::kOk)[0]->status == 201);
  CHECK(rig.executed == 1);
}

TEST_CASE("a timed-out attempt is recorded as unknown and retried until attempts run out") {
  Rig rig(201, 500 * kMillisecond);  // slower than the 100 ms timeout
  rig.add_client(one_intent());
  rig.run();
  CHECK(rig.of(HK::kInvoke).size() == 3);
  CHECK(rig.of(HK::kUnknown).size() == 3);
  CHECK(rig.of(HK::kGiveUp).size() == 1);
  CHECK(rig.executed == 3);  // every attempt ran: the client could not know
}

TEST_CASE("fixed backoff spaces attempts by timeout plus the fixed delay") {
  Rig rig(201, 500 * kMillisecond);
  rig.add_client(one_intent());
  rig.run();
  const auto invokes = rig.of(HK::kInvoke);
  REQUIRE(invokes.size() == 3);
  CHECK(invokes[1]->at - invokes[0]->at == 150 * kMillisecond);
  CHECK(invokes[2]->at - invokes[1]->at == 150 * kMillisecond);
}

TEST_CASE("no retry policy sends once") {
  Rig rig(503);
  ClientConfig c = one_intent();
  c.retry.backoff = Backoff::kNone;
  rig.add_client(c);
  rig.run();
  CHECK(rig.of(HK::kInvoke).size() == 1);
  CHECK(rig.of(HK::kFail).size() == 1);
}

TEST_CASE("5xx is retried only when the policy says so") {
  for (bool retry_5xx : {true, false}) {
    Rig rig(503);
    ClientConfig c = one_intent();
    c.retry.retry_5xx = retry_5xx;
    rig.add_client(c);
    rig.run();
    CHECK(rig.of(HK::kInvoke).size() == (retry_5xx ? 3u : 1u));
  }
}

TEST_CASE("409 is retried only when the policy says so, and 4xx never") {
  for (int status : {409, 400, 422}) {
    Rig rig(status);
    ClientConfig c = one_intent();
    c.retry.retry_409 = true;
    rig.add_client(c);
    rig.run();
    CHECK(rig.of(HK::kInvoke).size() == (status == 409 ? 3u : 1u));
    CHECK(rig.of(HK::kGiveUp).size() == (status == 409 ? 1u : 0u));
  }
}

TEST_CASE("a retry budget stops retries once failures have spent it") {
  Rig rig(503);
  ClientConfig c = one_intent();
  c.retry.attempts_max = 10;
  c.retry.budget_tokens_max = 4;
  rig.add_client(c);
  rig.run();
  CHECK(rig.of(HK::kInvoke).size() == 2);  // 4 -> 3 tokens: retry; 3 -> 2: stop
}

TEST_CASE("the client gives up when the next attempt would start past its deadline") {
  Rig rig(201, 500 * kMillisecond);
  ClientConfig c = one_intent();
  c.retry.attempts_max = 100;
  c.give_up_after = 250 * kMillisecond;
  rig.add_client(c);
  rig.run();
  CHECK(rig.of(HK::kInvoke).size() == 2);  // at 0 and 150 ms; the next would start at 300 > 250
  CHECK(rig.of(HK::kGiveUp).size() == 1);
}

TEST_CASE("idempotency keys are UUID v4 drawn from the tape, one per intent") {
  Rig rig;
  ClientConfig c = one_intent();
  c.intents = 5;
  rig.add_client(c);
  rig.run();
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> distinct;
  for (const auto& key : rig.keys_seen) {
    CHECK(std::regex_match(key, uuid_v4));
    distinct.insert(key);
  }
  CHECK(distinct.size() == 5);
  Rig again;
  again.add_client(c);
  again.run();
  CHECK(again.keys_seen == rig.keys_seen);  // same seed, same keys
}

TEST_CASE("with keys missing the client sends no Idempotency-Key") {
  Rig rig;
  ClientConfig c = one_intent();
  c.keys = KeyMode::kMissing;
  rig.add_client(c);
  rig.run();
  CHECK(rig.keys_seen == std::vector<std::string>{"<none>"});
}

TEST_CASE("a key reused with another payload comes back on the next intent") {
  Rig rig;
  ClientConfig c = one_intent();
  c.intents = 2;
  c.key_reused_with_other_payload = sim::Ratio{1, 1};
  rig.add_client(c);
  rig.run();
  REQUIRE(rig.keys_seen.size() == 2);
  CHECK(rig.keys_seen[0] == rig.keys_seen[1]);
  CHECK(rig.bodies_seen[0] != rig.bodies_seen[1]);
}

TEST_CASE("a double click sends the intent twice at once with one key") {
  Rig rig;
  ClientConfig c = one_intent();
  c.double_click = sim::Ratio{1, 1};
  rig.add_client(c);
  rig.run();
  const auto invokes = rig.of(HK::kInvoke);
  REQUIRE(invokes.size() == 2);
  CHECK(invokes[0]->at == invokes[1]->at);
  CHECK(invokes[0]->sender != invokes[1]->sender);
  CHECK(invokes[0]->intent == invokes[1]->intent);  // one intent record: one key, one body
  CHECK(rig.executed == 2);
}

TEST_CASE("copies send the intent by that many senders at once, and a webhook after them is another sender") {
  Rig rig;
  ClientConfig c = one_intent();
  c.copies = 3;
  c.webhook_duplicate = sim::Ratio{1, 1};
  rig.add_client(c);
  rig.run();
  const auto invokes = rig.of(HK::kInvoke);
  REQUIRE(invokes.size() == 4);
  std::set<int> senders;
  for (int i = 0; i < 3; ++i) {
    CHECK(invokes[static_cast<std::size_t>(i)]->at == invokes[0]->at);
    senders.insert(invokes[static_cast<std::size_t>(i)]->sender);
  }
  CHECK(senders == std::set<int>{1, 2, 3});
  CHECK(invokes[3]->at > invokes[0]->at);
  CHECK(invokes[3]->sender == 4);
  REQUIRE(rig.keys_seen.size() == 4);
  CHECK(rig.keys_seen[0] == rig.keys_seen[3]);
  CHECK(rig.executed == 4);
}

TEST_CASE("a webhook duplicate delivers the same request again after success") {
  Rig rig;
  ClientConfig c = one_intent();
  c.webhook_duplicate = sim::Ratio{1, 1};
  rig.add_client(c);
  rig.run();
  CHECK(rig.of(HK::kOk).size() == 2);
  REQUIRE(rig.keys_seen.size() == 2);
  CHECK(rig.keys_seen[0] == rig.keys_seen[1]);
  CHECK(rig.bodies_seen[0] == rig.bodies_seen[1]);
}

TEST_CASE("the service's worker pool bounds concurrency and a full queue answers 503") {
  service::ServiceConfig config;
  config.workers = 1;
  config.queue_max = 1;
  Rig rig(201, 50 * kMillisecond, config);
  ClientConfig c = one_intent();
  c.retry.backoff = Backoff::kNone;
  c.think_mean = 0;
  c.request_timeout = 1 * kSecond;
  for (int i = 1; i <= 3; ++i) rig.add_client(c, "client-" + std::to_string(i));
  rig.run();
  CHECK(rig.of(HK::kOk).size() == 2);
  CHECK(rig.of(HK::kFail).size() == 1);
  CHECK(rig.of(HK::kFail)[0]->status == 503);
  CHECK(rig.api.rejected() == 1);
}

TEST_CASE("a service crash cancels requests in progress and a restart boots background workers again") {
  Rig rig(201, 200 * kMillisecond);
  int boots = 0;
  rig.api.add_background("reaper", [&]() -> sim::Task<void> {
    ++boots;
    co_return;
  });
  rig.api.restart();  // the route was set up with the node already started: boot again with the worker
  ClientConfig c = one_intent();
  c.request_timeout = 1 * kSecond;
  c.retry.backoff = Backoff::kNone;
  c.think_mean = 0;
  rig.add_client(c);
  for (auto& client : rig.clients) client->start();
  rig.sim.run_until(100 * kMillisecond);  // the request is being served
  rig.api.restart();
  rig.sim.run();
  CHECK(rig.executed == 0);  // cancelled mid-request
  CHECK(rig.of(HK::kUnknown).size() == 1);
  CHECK(boots == 2);
}

}  // namespace
}  // namespace idemlab::models::clients
