// Store-level rules that the port cannot see: memory accounting, and the
// replication ops that evictions produce.
#include "models/redis/store.h"

#include <catch2/catch.hpp>

namespace idemlab::models::redis {
namespace {

KvOp set(std::string key, std::string value, sim::Time expire_at = sim::kTimeNever) {
  return KvOp{KvOp::Kind::kSet, std::move(key), std::move(value), expire_at};
}

TEST_CASE("used memory counts keys, values and a fixed overhead, and drops on delete") {
  Store store;
  CHECK(store.apply(set("ab", "xyz"), 0));
  CHECK(store.used_memory() == 2 + 3 + kEntryOverheadBytes);
  CHECK(store.apply(set("ab", "x"), 0));
  CHECK(store.used_memory() == 2 + 1 + kEntryOverheadBytes);
  CHECK(store.apply(KvOp{KvOp::Kind::kDel, "ab", {}, sim::kTimeNever}, 0));
  CHECK(store.used_memory() == 0);
}

TEST_CASE("the write that crosses maxmemory succeeds and the next one is refused") {
  Store store(200, EvictionPolicy::kNoEviction);
  CHECK(store.apply(set("a", std::string(100, 'x')), 0));  // 165 bytes
  CHECK(store.apply(set("b", std::string(100, 'x')), 0));  // 330 > 200: still written
  CHECK_FALSE(store.apply(set("c", "x"), 0));
  CHECK(store.size() == 2);
}

TEST_CASE("evictions come back as DEL ops for the replica and the AOF") {
  Store store(200, EvictionPolicy::kAllKeysLru);
  std::vector<KvOp> evicted;
  CHECK(store.apply(set("a", std::string(100, 'x')), 0, &evicted));
  CHECK(store.apply(set("b", std::string(100, 'x')), 0, &evicted));
  CHECK(store.apply(set("c", "x"), 0, &evicted));
  REQUIRE(evicted.size() == 1);
  CHECK(evicted[0].kind == KvOp::Kind::kDel);
  CHECK(evicted[0].key == "a");
  CHECK(store.evictions() == 1);
}

TEST_CASE("expired keys read as absent and are reclaimed before any eviction") {
  Store store(200, EvictionPolicy::kAllKeysLru);
  CHECK(store.apply(set("short", std::string(100, 'x'), 10), 0));
  CHECK(store.apply(set("long", std::string(100, 'x')), 0));
  std::vector<KvOp> evicted;
  CHECK(store.apply(set("new", "x"), 20, &evicted));
  CHECK(evicted.empty());  // "short" had expired: no live key was evicted
  CHECK(store.get("long", 20).has_value());
  CHECK_FALSE(store.get("short", 20).has_value());
}

}  // namespace
}  // namespace idemlab::models::redis
