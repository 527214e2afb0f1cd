// The Kv port against the live Redis that scripts/infra starts (its URL in
// IDEMLAB_REDIS; scripts/test sets it). Without it these tests fail: they
// are never skipped.
#include <catch2/catch.hpp>


#include "realmode/redis_kv.h"
#include "sim/tape.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::realmode {
namespace {

Endpoint live_redis() { return live_endpoint("IDEMLAB_REDIS", "redis"); }

// A world of one process on the real-time loop, with a Kv in its own prefix.
struct LiveKv : LiveLoop {
  RedisConnection connection{live_redis(), 2 * sim::kSecond};
  WorkerThread worker;
  std::string prefix = "idemlab:test:" + run_id + ":";
  RealKv kv{loop, worker, connection, prefix};

  ~LiveKv() {
    // The worker is idle once run() returned; clean up from this thread.
    delete_keys_with_prefix(connection, prefix);
  }
};

TEST_CASE("live Redis: SET NX claims once; GET reads it; DEL says whether it existed") {
  LiveKv w;
  std::vector<bool> seen;
  auto body = [](ports::Kv& kv, std::vector<bool>& out) -> sim::Task<void> {
    const ports::SetOptions nx{ports::SetOptions::Condition::kIfAbsent, 0};
    out.push_back((co_await kv.set("claim", "a", nx)).value());
    out.push_back((co_await kv.set("claim", "b", nx)).value());
    out.push_back((co_await kv.get("claim")).value() == std::optional<std::string>("a"));
    out.push_back((co_await kv.del("claim")).value());
    out.push_back((co_await kv.del("claim")).value());
    out.push_back(!(co_await kv.get("claim")).value().has_value());
  };
  w.run(body(w.kv, seen));
  CHECK(seen == std::vector<bool>{true, false, true, true, false, true});
}

TEST_CASE("live Redis: PX sets a time to live that TTL reads back; PEXPIRE sets one on an existing key only") {
  LiveKv w;
  std::vector<sim::Duration> ttls;
  std::vector<bool> expired;
  auto body = [](ports::Kv& kv, std::vector<sim::Duration>& t, std::vector<bool>& e) -> sim::Task<void> {
    const ports::SetOptions px{ports::SetOptions::Condition::kAlways, 60 * sim::kSecond};
    auto set = co_await kv.set("k", "v", px);
    (void)set;
    t.push_back((co_await kv.ttl("k")).value());
    t.push_back((co_await kv.ttl("absent")).value());
    const ports::SetOptions plain{};
    auto set_plain = co_await kv.set("forever", "v", plain);
    (void)set_plain;
    t.push_back((co_await kv.ttl("forever")).value());
    e.push_back((co_await kv.expire("forever", 30 * sim::kSecond)).value());
    e.push_back((co_await kv.expire("absent", 30 * sim::kSecond)).value());
  };
  w.run(body(w.kv, ttls, expired));
  REQUIRE(ttls.size() == 3);
  CHECK(ttls[0] > 50 * sim::kSecond);
  CHECK(ttls[0] <= 60 * sim::kSecond);
  CHECK(ttls[1] == ports::kTtlNoKey);
  CHECK(ttls[2] == ports::kTtlNoExpiry);
  CHECK(expired == std::vector<bool>{true, false});
}

TEST_CASE("live Redis: compare-and-delete deletes only the holder's value") {
  LiveKv w;
  std::vector<bool> seen;
  auto body = [](ports::Kv& kv, std::vector<bool>& out) -> sim::Task<void> {
    const ports::SetOptions plain;
    auto set = co_await kv.set("lock", "owner-1", plain);
    (void)set;
    out.push_back((co_await kv.compare_and_delete("lock", "owner-2")).value());
    out.push_back((co_await kv.get("lock")).value().has_value());
    out.push_back((co_await kv.compare_and_delete("lock", "owner-1")).value());
    out.push_back((co_await kv.get("lock")).value().has_value());
  };
  w.run(body(w.kv, seen));
  CHECK(seen == std::vector<bool>{false, true, true, false});
}

TEST_CASE("live Redis: clean-up deletes the run's keys and no other") {
  LiveKv w;
  RedisConnection other(live_redis(), 2 * sim::kSecond);
  const std::string outsider = "idemlab:outsider:" + w.run_id;
  REQUIRE(other.command({"SET", outsider, "keep"}).status == ports::Status::kOk);
  auto body = [](ports::Kv& kv) -> sim::Task<void> {
    const ports::SetOptions plain;
    for (int i = 0; i < 5; ++i) {
      auto set = co_await kv.set("key-" + std::to_string(i), "v", plain);
      (void)set;
    }
  };
  w.run(body(w.kv));
  delete_keys_with_prefix(w.connection, w.prefix);
  const RedisConnection::Reply left = other.command({"KEYS", w.prefix + "*"});
  CHECK(left.strings.empty());
  CHECK(other.command({"GET", outsider}).text == "keep");
  other.command({"DEL", outsider});
}

TEST_CASE("an unreachable Redis is named with its URL, without the password") {
  std::string error;
  const auto endpoint = parse_endpoint("redis://:s3cret@127.0.0.1:1/0", "redis", error);
  REQUIRE(endpoint.has_value());
  RedisConnection connection(*endpoint, 1 * sim::kSecond);
  try {
    connection.connect();
    FAIL("connected to port 1");
  } catch (const Unreachable& e) {
    const std::string what = e.what();
    CHECK(what.rfind("Redis at redis://:***@127.0.0.1:1/0: ", 0) == 0);
    CHECK(what.find("s3cret") == std::string::npos);
  }
  CHECK(connection.command({"PING"}).status == ports::Status::kUnavailable);
}

}  // namespace
}  // namespace idemlab::realmode
