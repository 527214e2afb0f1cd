// The request patterns real clients send, each a documented option of the
// client model (models/clients/client.h, $.client and $.workload): retry
// decisions per outcome class and Retry-After, a new key on retry, one
// field changed under a reused key, double submits within a window,
// webhooks delivered N times, and a client that gives up and re-sends later.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "models/clients/client.h"
#include "tests/models/client_rig.h"

namespace idemlab::models::clients {
namespace {

using namespace testing;

api::Response answer(int status, int retry_after_s = -1) { return api::Response{status, "{}", false, retry_after_s}; }

TEST_CASE("client patterns: 429 and connection errors are retried by their own flags") {
  for (bool retry_429 : {true, false}) {
    Rig rig(429);
    ClientConfig c = one_intent();
    c.retry.retry_429 = retry_429;
    rig.add_client(c);
    rig.run();
    CHECK(rig.of(HK::kInvoke).size() == (retry_429 ? 3u : 1u));
  }
  for (bool retry_refused : {true, false}) {
    Rig rig;
    rig.api.crash();  // nothing listens: every connection is refused
    ClientConfig c = one_intent();
    c.retry.retry_connection_error = retry_refused;
    c.retry.retry_5xx = !retry_refused;  // not the flag that decides
    rig.add_client(c);
    rig.run();
    CHECK(rig.of(HK::kInvoke).size() == (retry_refused ? 3u : 1u));
    CHECK(rig.executed == 0);
  }
}

TEST_CASE("client patterns: a Retry-After longer than the backoff is waited for, unless the client ignores it") {
  for (bool honour : {true, false}) {
    Rig rig;
    rig.script = {answer(429, 2), answer(201)};
    ClientConfig c = one_intent();  // fixed 50 ms backoff
    c.retry.honour_retry_after = honour;
    rig.add_client(c);
    rig.run();
    const auto invokes = rig.of(HK::kInvoke);
    REQUIRE(invokes.size() == 2);
    const sim::Duration waited = invokes[1]->at - rig.answered_at[0];
    if (honour) {
      CHECK(waited >= 2 * kSecond);
      CHECK(waited < 2 * kSecond + 10 * kMillisecond);
    } else {
      CHECK(waited < 100 * kMillisecond);
    }
  }
}

TEST_CASE("client patterns: a new key on retry after the outcomes listed, the same key otherwise") {
  struct Case {
    int status;
    sim::Duration service_time;
    Outcome listed;
    bool new_key;
  };
  for (const Case& k : {Case{503, 5 * kMillisecond, Outcome::k5xx, true}, Case{503, 5 * kMillisecond, Outcome::kTimeout, false},
                        Case{201, 500 * kMillisecond, Outcome::kTimeout, true}, Case{201, 500 * kMillisecond, Outcome::k5xx, false}}) {
    Rig rig(k.status, k.service_time);
    ClientConfig c = one_intent();
    c.new_key_on_retry.add(k.listed);
    rig.add_client(c);
    rig.run();
    REQUIRE(rig.keys_seen.size() == 3);
    const std::set<std::string> distinct(rig.keys_seen.begin(), rig.keys_seen.end());
    CHECK(distinct.size() == (k.new_key ? 3u : 1u));
  }
}

TEST_CASE("client patterns: the next intent reuses the key with exactly one field changed") {
  struct Case {
    ChangedField field;
    const char* differs;
  };
  for (const Case& k : {Case{ChangedField::kAmount, "amount"}, Case{ChangedField::kCurrency, "currency"},
                        Case{ChangedField::kDescription, "description"}}) {
    Rig rig;
    ClientConfig c = one_intent();
    c.intents = 3;
    c.key_reused_with_one_field_changed = sim::Ratio{1, 1};
    c.changed_field = k.field;
    rig.add_client(c);
    rig.run();
    REQUIRE(rig.bodies_seen.size() == 3);
    CHECK(rig.keys_seen[0] == rig.keys_seen[1]);
    CHECK(rig.keys_seen[2] != rig.keys_seen[1]);  // a changed copy is not itself copied
    const nlohmann::json first = nlohmann::json::parse(rig.bodies_seen[0]);
    const nlohmann::json second = nlohmann::json::parse(rig.bodies_seen[1]);
    std::set<std::string> changed;
    for (const auto& [name, value] : first.items()) {
      if (second.at(name) != value) changed.insert(name);
    }
    CHECK(changed == std::set<std::string>{k.differs});
    CHECK(rig.history.intents()[1].amount == second.at("amount").get<std::int64_t>());
  }
}

TEST_CASE("client patterns: copies within a window start at distinct times inside it") {
  Rig rig;
  ClientConfig c = one_intent();
  c.copies = 4;
  c.copies_window = 100 * kMillisecond;
  rig.add_client(c);
  rig.run();
  const auto invokes = rig.of(HK::kInvoke);
  REQUIRE(invokes.size() == 4);
  std::set<sim::Time> starts;
  for (const HistoryEvent* e : invokes) {
    starts.insert(e->at);
    CHECK(e->at - invokes[0]->at <= 100 * kMillisecond);
  }
  CHECK(starts.size() == 4);
  CHECK(std::set<std::string>(rig.keys_seen.begin(), rig.keys_seen.end()).size() == 1);
}

TEST_CASE("client patterns: a webhook delivered N more times, with the body re-serialised") {
  Rig rig;
  ClientConfig c = one_intent();
  c.webhook_duplicate = sim::Ratio{1, 1};
  c.webhook_deliveries = 3;
  c.webhook_reserialised = true;
  rig.add_client(c);
  rig.run();
  REQUIRE(rig.bodies_seen.size() == 4);
  std::set<int> senders;
  for (const HistoryEvent* e : rig.of(HK::kInvoke)) senders.insert(e->sender);
  CHECK(senders == std::set<int>{1, 3, 4, 5});
  for (int i = 1; i < 4; ++i) {
    CHECK(rig.bodies_seen[i] != rig.bodies_seen[0]);
    CHECK(nlohmann::json::parse(rig.bodies_seen[i]) == nlohmann::json::parse(rig.bodies_seen[0]));  // 1234.0 == 1234
  }
}

TEST_CASE("client patterns: a client that gave up sends the same request again later, in a new series") {
  Rig rig(503);
  ClientConfig c = one_intent();
  c.retry.attempts_max = 2;
  c.resend_after = 5 * 60 * kSecond;
  rig.add_client(c);
  rig.run();
  const auto invokes = rig.of(HK::kInvoke);
  REQUIRE(invokes.size() == 4);
  CHECK(rig.of(HK::kGiveUp).size() == 2);
  CHECK(invokes[2]->at - invokes[1]->at >= 5 * 60 * kSecond);
  for (std::size_t i = 0; i < invokes.size(); ++i) CHECK(invokes[i]->attempt == i + 1);
  CHECK(std::set<std::string>(rig.keys_seen.begin(), rig.keys_seen.end()).size() == 1);
  CHECK(std::set<std::string>(rig.bodies_seen.begin(), rig.bodies_seen.end()).size() == 1);
}

}  // namespace
}  // namespace idemlab::models::clients
