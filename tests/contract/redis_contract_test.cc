// The Redis rules the strategies rely on, as contract tests over the Kv port.
#include <string>
#include <vector>

#include "models/recording_ports.h"
#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

using models::redis::EvictionPolicy;
using models::redis::Persistence;
using ports::SetOptions;
using ports::Status;
using sim::kMillisecond;
using sim::kSecond;
using sim::Task;

constexpr SetOptions kNx{SetOptions::Condition::kIfAbsent, 0};
constexpr SetOptions kXx{SetOptions::Condition::kIfPresent, 0};
constexpr SetOptions kPlain{};

Settings plain() { return Settings{}; }

Settings with_memory(EvictionPolicy policy) {
  Settings s;
  s.redis.maxmemory_bytes = 2000;  // room for about twenty 30-byte keys
  s.redis.eviction = policy;
  return s;
}

Settings with_persistence(Persistence persistence, bool replica = false) {
  Settings s;
  s.redis.persistence = persistence;
  s.redis.replica = replica;
  return s;
}

Settings with_replica_behind(Persistence persistence, sim::Duration lag) {
  Settings s = with_persistence(persistence, true);
  s.redis.replication_lag = lag;
  return s;
}

// Why the memory rules are simulated only.
[[maybe_unused]] constexpr const char* kServerWideMemory =
    "maxmemory and the eviction policy are server-wide, and a live Redis counts each client's buffers in its used "
    "memory (a query buffer can be 16 KB), so a budget of about twenty small keys does not hold still; its LRU clock "
    "ticks once a second, slower than the rules write";

std::string padded(int i) { return "value-" + std::string(24, static_cast<char>('a' + i % 26)); }

CONTRACT_TEST("GET returns what SET stored, and nil for a missing key", plain()) {
  auto r1 = co_await world.kv().set("k", "v1", kPlain);
  CHECK(r1.value());
  auto got = co_await world.kv().get("k");
  CHECK(got.value() == std::optional<std::string>("v1"));
  auto missing = co_await world.kv().get("absent");
  CHECK(missing.is_ok());
  CHECK_FALSE(missing.value().has_value());
}

CONTRACT_TEST("SET NX writes an absent key and leaves a present one alone", plain()) {
  auto r2 = co_await world.kv().set("lock", "first", kNx);
  CHECK(r2.value() == true);
  auto r3 = co_await world.kv().set("lock", "second", kNx);
  CHECK(r3.value() == false);
  auto r4 = co_await world.kv().get("lock");
  CHECK(r4.value() == std::optional<std::string>("first"));
}

CONTRACT_TEST("SET XX writes only a present key", plain()) {
  auto r5 = co_await world.kv().set("k", "v", kXx);
  CHECK(r5.value() == false);
  auto r6 = co_await world.kv().get("k");
  CHECK_FALSE(r6.value().has_value());
  auto r7 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r7.value());
  auto r8 = co_await world.kv().set("k", "w", kXx);
  CHECK(r8.value() == true);
  auto r9 = co_await world.kv().get("k");
  CHECK(r9.value() == std::optional<std::string>("w"));
}

CONTRACT_TEST("a key set with PX expires after its TTL and not before", plain()) {
  const SetOptions options_r10{SetOptions::Condition::kAlways, 200 * kMillisecond};
  auto r10 = co_await world.kv().set("k", "v", options_r10);
  CHECK(r10.value());
  auto ttl = co_await world.kv().ttl("k");
  CHECK(ttl.value() > 0);
  CHECK(ttl.value() <= 200 * kMillisecond);
  co_await world.clock().sleep(100 * kMillisecond);
  auto r11 = co_await world.kv().get("k");
  CHECK(r11.value().has_value());
  co_await world.clock().sleep(150 * kMillisecond);
  auto r12 = co_await world.kv().get("k");
  CHECK_FALSE(r12.value().has_value());
  // An expired NX lock can be taken again: the basis of lock expiry.
  auto r13 = co_await world.kv().set("k", "new owner", kNx);
  CHECK(r13.value());
}

CONTRACT_TEST("TTL is -2 for a missing key and -1 for a key without expiry", plain()) {
  auto r14 = co_await world.kv().ttl("absent");
  CHECK(r14.value() == ports::kTtlNoKey);
  auto r15 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r15.value());
  auto r16 = co_await world.kv().ttl("k");
  CHECK(r16.value() == ports::kTtlNoExpiry);
}

CONTRACT_TEST("EXPIRE sets a TTL on an existing key only", plain()) {
  auto r17 = co_await world.kv().expire("absent", kSecond);
  CHECK(r17.value() == false);
  auto r18 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r18.value());
  auto r19 = co_await world.kv().expire("k", 50 * kMillisecond);
  CHECK(r19.value() == true);
  co_await world.clock().sleep(60 * kMillisecond);
  auto r20 = co_await world.kv().get("k");
  CHECK_FALSE(r20.value().has_value());
}

CONTRACT_TEST("SET without options clears an earlier TTL", plain()) {
  const SetOptions options_r21{SetOptions::Condition::kAlways, 50 * kMillisecond};
  auto r21 = co_await world.kv().set("k", "v", options_r21);
  CHECK(r21.value());
  auto r22 = co_await world.kv().set("k", "v2", kPlain);
  CHECK(r22.value());
  auto r23 = co_await world.kv().ttl("k");
  CHECK(r23.value() == ports::kTtlNoExpiry);
}

CONTRACT_TEST("DEL reports whether the key existed", plain()) {
  auto r24 = co_await world.kv().del("k");
  CHECK(r24.value() == false);
  auto r25 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r25.value());
  auto r26 = co_await world.kv().del("k");
  CHECK(r26.value() == true);
  auto r27 = co_await world.kv().get("k");
  CHECK_FALSE(r27.value().has_value());
}

CONTRACT_TEST("compare-and-delete releases only the holder's lock", plain()) {
  auto r28 = co_await world.kv().set("lock", "token-a", kNx);
  CHECK(r28.value());
  auto r29 = co_await world.kv().compare_and_delete("lock", "token-b");
  CHECK(r29.value() == false);
  auto r30 = co_await world.kv().get("lock");
  CHECK(r30.value() == std::optional<std::string>("token-a"));
  auto r31 = co_await world.kv().compare_and_delete("lock", "token-a");
  CHECK(r31.value() == true);
  auto r32 = co_await world.kv().get("lock");
  CHECK_FALSE(r32.value().has_value());
}

CONTRACT_TEST("compare-and-set replaces only the expected value, and sets its expiry", plain()) {
  auto claimed = co_await world.kv().set("claim", "owner-a", kNx);
  CHECK(claimed.value());
  auto stale = co_await world.kv().compare_and_set("claim", "owner-b", "owner-c", 0);
  CHECK(stale.value() == false);  // another owner's reclaim of a claim it never saw
  auto still = co_await world.kv().get("claim");
  CHECK(still.value() == std::optional<std::string>("owner-a"));
  auto reclaimed = co_await world.kv().compare_and_set("claim", "owner-a", "owner-b", 200 * kMillisecond);
  CHECK(reclaimed.value() == true);
  auto now_b = co_await world.kv().get("claim");
  CHECK(now_b.value() == std::optional<std::string>("owner-b"));
  auto left = co_await world.kv().ttl("claim");
  CHECK(left.value() > 0);
  CHECK(left.value() <= 200 * kMillisecond);
  auto missing = co_await world.kv().compare_and_set("no-such-key", "owner-a", "owner-b", 0);
  CHECK(missing.value() == false);
  auto absent = co_await world.kv().get("no-such-key");
  CHECK_FALSE(absent.value().has_value());
  co_await world.clock().sleep(300 * kMillisecond);
  auto expired = co_await world.kv().get("claim");
  CHECK_FALSE(expired.value().has_value());
}

int g_nx_winners = 0;  // shared by the racers of the next rule only
int g_nx_done = 0;

Task<void> race_for_lock(ContractWorld& world, std::string token) {
  auto r = co_await world.kv().set("lock", token, kNx);
  if (r.is_ok() && r.value()) ++g_nx_winners;
  ++g_nx_done;
}

CONTRACT_TEST("of concurrent SET NX on one key exactly one wins", plain()) {
  g_nx_winners = 0;
  g_nx_done = 0;
  for (int i = 0; i < 5; ++i) world.start(race_for_lock(world, "token-" + std::to_string(i)));
  // Every racer answers (a loaded machine may take its time: no fixed wait).
  for (int waited = 0; g_nx_done < 5 && waited < 500; ++waited) co_await world.clock().sleep(10 * kMillisecond);
  CHECK(g_nx_done == 5);
  CHECK(g_nx_winners == 1);
}

SIM_CONTRACT_TEST("noeviction refuses writes over maxmemory with OOM, but reads and DEL work", with_memory(EvictionPolicy::kNoEviction),
                  kServerWideMemory) {
  int written = 0;
  Status refused = Status::kOk;
  for (int i = 0; i < 1000 && refused == Status::kOk; ++i) {
    auto r = co_await world.kv().set("key-" + std::to_string(i), padded(i), kPlain);
    if (r.is_ok()) {
      ++written;
    } else {
      refused = r.status();
    }
  }
  CHECK(refused == Status::kOutOfMemory);
  CHECK(written > 5);
  auto r33 = co_await world.kv().get("key-0");
  CHECK(r33.value() == std::optional<std::string>(padded(0)));  // nothing evicted
  auto r34 = co_await world.kv().del("key-0");
  CHECK(r34.value());
  auto r35 = co_await world.kv().del("key-1");
  CHECK(r35.value());
  auto r36 = co_await world.kv().set("after-del", "v", kPlain);
  CHECK(r36.is_ok());  // room again
}

SIM_CONTRACT_TEST("allkeys-lru evicts the least recently used key", with_memory(EvictionPolicy::kAllKeysLru),
                  kServerWideMemory) {
  auto r37 = co_await world.kv().set("old-untouched", padded(0), kPlain);
  CHECK(r37.value());
  auto r38 = co_await world.kv().set("old-but-read", padded(1), kPlain);
  CHECK(r38.value());
  for (int i = 0; i < 100; ++i) {
    // Keep reading one of the old keys so that it stays recently used.
    auto r39 = co_await world.kv().get("old-but-read");
    CHECK(r39.value().has_value());
    auto r40 = co_await world.kv().set("filler-" + std::to_string(i), padded(i), kPlain);
    CHECK(r40.value());
  }
  auto r41 = co_await world.kv().get("old-untouched");
  CHECK_FALSE(r41.value().has_value());
  auto r42 = co_await world.kv().get("old-but-read");
  CHECK(r42.value().has_value());
  auto r43 = co_await world.kv().get("filler-99");
  CHECK(r43.value().has_value());
}

SIM_CONTRACT_TEST("volatile-lru evicts only keys with a TTL, then refuses", with_memory(EvictionPolicy::kVolatileLru),
                  kServerWideMemory) {
  auto r44 = co_await world.kv().set("persistent", padded(0), kPlain);
  CHECK(r44.value());
  const SetOptions options_r45{SetOptions::Condition::kAlways, 3600 * kSecond};
  auto r45 = co_await world.kv().set("volatile", padded(1), options_r45);
  CHECK(r45.value());
  Status refused = Status::kOk;
  for (int i = 0; i < 1000 && refused == Status::kOk; ++i) {
    refused = (co_await world.kv().set("p-" + std::to_string(i), padded(i), kPlain)).status();
  }
  CHECK(refused == Status::kOutOfMemory);
  auto r46 = co_await world.kv().get("volatile");
  CHECK_FALSE(r46.value().has_value());
  auto r47 = co_await world.kv().get("persistent");
  CHECK(r47.value().has_value());
}

CONTRACT_TEST("without persistence a restart empties Redis", with_persistence(Persistence::kNone)) {
  auto r48 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r48.value());
  co_await world.faults().restart_redis();
  auto r49 = co_await world.kv().get("k");
  CHECK_FALSE(r49.value().has_value());
}

CONTRACT_TEST("with appendfsync everysec a restart keeps writes older than a second and may lose the rest",
              with_persistence(Persistence::kEverySec)) {
  auto r50 = co_await world.kv().set("old", "v", kPlain);
  CHECK(r50.value());
  co_await world.clock().sleep(2500 * kMillisecond);
  auto r51 = co_await world.kv().set("recent", "v", kPlain);
  CHECK(r51.value());
  co_await world.faults().restart_redis();
  auto r52 = co_await world.kv().get("old");
  CHECK(r52.value().has_value());
  // The write since the last fsync is lost where timing is exact; a live
  // server may have fsynced it already.
  auto r53 = co_await world.kv().get("recent");
  if (world.exact_timing()) CHECK_FALSE(r53.value().has_value());
}

CONTRACT_TEST("with appendfsync always a restart loses no acknowledged write", with_persistence(Persistence::kAlways)) {
  auto r54 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r54.value());
  const SetOptions options_r55{SetOptions::Condition::kIfAbsent, 60 * kSecond};
  auto r55 = co_await world.kv().set("lock", "t", options_r55);
  CHECK(r55.value());
  auto r56 = co_await world.kv().del("k");
  CHECK(r56.value());
  co_await world.faults().restart_redis();
  auto r57 = co_await world.kv().get("k");
  CHECK_FALSE(r57.value().has_value());
  auto r58 = co_await world.kv().get("lock");
  CHECK(r58.value() == std::optional<std::string>("t"));
  auto r59 = co_await world.kv().ttl("lock");
  CHECK(r59.value() > 0);
}

// The replica is 300 ms behind (live, scripts/infra's lag proxy holds it
// there): a write a second old has reached it, the lock just taken has not.
CONTRACT_TEST("failover loses the writes that had not reached the replica",
              with_replica_behind(Persistence::kAlways, 300 * kMillisecond)) {
  auto r60 = co_await world.kv().set("replicated", "v", kPlain);
  CHECK(r60.value());
  co_await world.clock().sleep(1000 * kMillisecond);
  auto r61 = co_await world.kv().set("lock", "t", kNx);
  CHECK(r61.value());
  co_await world.faults().failover_redis();
  auto r62 = co_await world.kv().get("replicated");
  CHECK(r62.value().has_value());
  auto r63 = co_await world.kv().get("lock");
  CHECK_FALSE(r63.value().has_value());
  // So a second client can now take a lock the first one holds.
  auto r64 = co_await world.kv().set("lock", "other", kNx);
  CHECK(r64.value());
}

CONTRACT_TEST("a primary restarted without persistence empties its replica too", with_persistence(Persistence::kNone, true)) {
  auto r65 = co_await world.kv().set("k", "v", kPlain);
  CHECK(r65.value());
  co_await world.clock().sleep(500 * kMillisecond);
  co_await world.faults().restart_redis();
  co_await world.faults().failover_redis();
  auto r66 = co_await world.kv().get("k");
  CHECK_FALSE(r66.value().has_value());
}

CONTRACT_TEST("commands to a stopped Redis are refused and do nothing", plain()) {
  world.faults().stop_redis();
  auto r = co_await world.kv().set("k", "v", kPlain);
  CHECK(r.status() == Status::kUnavailable);
  world.faults().start_redis();
  auto r67 = co_await world.kv().get("k");
  CHECK_FALSE(r67.value().has_value());
}

CONTRACT_TEST("a lost reply to SET NX leaves the key written although the caller timed out", plain()) {
  world.faults().drop_next_redis_reply();
  auto r = co_await world.kv().set("lock", "mine", kNx);
  CHECK(r.status() == Status::kTimeout);
  // The retry finds its own lock taken: SET NX is not idempotent by itself.
  auto r68 = co_await world.kv().set("lock", "mine", kNx);
  CHECK(r68.value() == false);
  auto r69 = co_await world.kv().get("lock");
  CHECK(r69.value() == std::optional<std::string>("mine"));
}

// The checker reads the port history, so a SET ... GET must be recorded as
// made exactly when the server wrote: the reply is the old value, and
// whether it wrote follows from the condition and that value.
CONTRACT_TEST("a recorded SET ... GET is made when it wrote, and not made when its NX or XX held it back", plain()) {
  models::PortHistory history;
  const ports::Ports inner{world.clock(), world.kv(), world.sql(), world.queue(), world.processor()};
  models::RecordingPorts recording(inner, history, history.new_actor("rule"));
  ports::Kv& kv = recording.ports().kv;
  auto xx_absent = co_await kv.set_get("k", "v1", kXx);    // absent: XX holds it back
  auto nx_absent = co_await kv.set_get("k", "v2", kNx);    // absent: NX writes
  auto nx_present = co_await kv.set_get("k", "v3", kNx);   // present: NX holds it back
  auto xx_present = co_await kv.set_get("k", "v4", kXx);   // present: XX writes
  auto plain_present = co_await kv.set_get("k", "v5", kPlain);
  CHECK(xx_absent.value() == std::nullopt);
  CHECK(nx_absent.value() == std::nullopt);
  CHECK(nx_present.value() == std::optional<std::string>("v2"));
  CHECK(xx_present.value() == std::optional<std::string>("v2"));
  CHECK(plain_present.value() == std::optional<std::string>("v4"));
  std::vector<bool> made;
  for (const models::PortOp& op : history.ops()) {
    CHECK(op.kind == models::PortOp::Kind::kKvWrite);
    CHECK(op.outcome != models::PortOp::Outcome::kPerhaps);
    made.push_back(op.made());
  }
  CHECK(made == std::vector<bool>{false, true, false, true, true});
  auto stored = co_await world.kv().get("k");
  CHECK(stored.value() == std::optional<std::string>("v5"));
}

}  // namespace
}  // namespace idemlab::contract
