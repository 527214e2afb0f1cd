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

TEST_CASE("the used-memory peak is the most ever used, through deletes and a restart's clear") {
  Store store;
  CHECK(store.apply(set("ab", "xyz"), 0));
  CHECK(store.apply(set("cd", "xyz"), 0));
  const std::int64_t both = store.used_memory();
  CHECK(store.apply(KvOp{KvOp::Kind::kDel, "ab", {}, sim::kTimeNever}, 0));
  CHECK(store.apply(set("cd", "x"), 0));
  CHECK(store.used_memory() < both);
  CHECK(store.used_memory_peak() == both);
  store.clear();
  CHECK(store.used_memory() == 0);
  CHECK(store.used_memory_peak() == both);
}

TEST_CASE("the write that crosses maxmemory succeeds and the next one is refused") {
  Store store(200, EvictionPolicy::kNoEviction);
  CHECK(store.apply(set("a", std::string(100, 'x')), 0));  // 165 bytes
  CHECK(store.apply(set("b", std::string(100, 'x')), 0));  // 330 > 200: still written
  CHECK_FALSE(store.apply(set("c", "x"), 0));
  CHECK(store.size() == 2);
}

TEST_CASE("a write reports the prior state of what it changed, evictions first and marked") {
  Store store(200, EvictionPolicy::kAllKeysLru);
  CHECK(store.apply(set("a", std::string(100, 'x')), 0));
  CHECK(store.apply(set("b", std::string(100, 'x')), 0));
  std::vector<Store::Before> changed;
  CHECK(store.apply(set("c", "x"), 0, &changed));
  REQUIRE(changed.size() == 2);
  CHECK(changed[0].key == "a");
  CHECK(changed[0].evicted);
  CHECK(changed[0].entry.has_value());
  CHECK(changed[1].key == "c");
  CHECK_FALSE(changed[1].evicted);
  CHECK_FALSE(changed[1].entry.has_value());  // "c" did not exist
  CHECK(store.evictions() == 1);
}

TEST_CASE("restoring prior states in reverse undoes writes exactly") {
  Store store;
  CHECK(store.apply(set("a", "1"), 0));
  const std::int64_t memory_before = store.used_memory();
  std::vector<Store::Before> changed;
  CHECK(store.apply(set("a", "2", 50), 0, &changed));
  CHECK(store.apply(set("b", "3"), 0, &changed));
  CHECK(store.apply(KvOp{KvOp::Kind::kDel, "a", {}, sim::kTimeNever}, 0, &changed));
  for (auto it = changed.rbegin(); it != changed.rend(); ++it) store.restore(*it);
  CHECK(store.get("a", 0) == std::optional<std::string>("1"));
  CHECK(store.peek("a", 0)->expire_at == sim::kTimeNever);
  CHECK_FALSE(store.get("b", 0).has_value());
  CHECK(store.used_memory() == memory_before);
}

TEST_CASE("expired keys read as absent and are reclaimed before any eviction") {
  Store store(200, EvictionPolicy::kAllKeysLru);
  CHECK(store.apply(set("short", std::string(100, 'x'), 10), 0));
  CHECK(store.apply(set("long", std::string(100, 'x')), 0));
  std::vector<Store::Before> changed;
  CHECK(store.apply(set("new", "x"), 20, &changed));
  CHECK(store.evictions() == 0);  // "short" had expired: no live key was evicted
  CHECK(store.get("long", 20).has_value());
  CHECK_FALSE(store.get("short", 20).has_value());
}

}  // namespace
}  // namespace idemlab::models::redis
