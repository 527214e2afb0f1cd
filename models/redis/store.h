// The keyspace of one Redis instance: values with absolute expiry times on
// virtual time, exact LRU order, memory accounting and maxmemory eviction.
// Every mutation is a KvOp, the unit that the append-only file and the
// replication stream carry, so persistence and replicas replay the same ops.
// No coroutines here: commands run atomically on top of this.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "sim/time.h"

namespace idemlab::models::redis {

enum class EvictionPolicy : std::uint8_t {
  kNoEviction,  // writes that need memory are refused (OOM)
  kAllKeysLru,  // evict the least recently used key
  kVolatileLru, // evict the least recently used key that has a TTL; else OOM
};

struct KvOp {
  enum class Kind : std::uint8_t { kSet, kDel, kExpire } kind = Kind::kSet;
  std::string key;
  std::string value;                  // kSet
  sim::Time expire_at = sim::kTimeNever;  // kSet, kExpire
};

// Bytes a key costs beyond its name and value (dict entry, object headers):
// a round figure in the range Redis's MEMORY USAGE reports for small strings.
inline constexpr std::int64_t kEntryOverheadBytes = 64;

class Store {
 public:
  Store() = default;
  Store(std::int64_t maxmemory_bytes, EvictionPolicy policy) : maxmemory_(maxmemory_bytes), policy_(policy) {}

  struct Entry {
    std::string value;
    sim::Time expire_at = sim::kTimeNever;
  };

  // Reads refresh the LRU clock; an expired key reads as absent (and goes).
  std::optional<std::string> get(const std::string& key, sim::Time now);
  const Entry* peek(const std::string& key, sim::Time now) const;

  // A key's state before a change, for undoing it (nullopt: absent).
  struct Before {
    std::string key;
    std::optional<Entry> entry;
    bool evicted = false;  // removed to make room, not by the command itself
  };

  // Applies one mutation. Returns false only when a SET finds memory over
  // maxmemory and the policy cannot bring it back under (noeviction, or
  // volatile-lru with no key that has a TTL): Redis's OOM error.
  // `changed` receives the prior state of every key the call changed, keys
  // evicted to make room first, in order.
  bool apply(const KvOp& op, sim::Time now, std::vector<Before>* changed = nullptr);
  // Puts a key back as it was (undoing a change), bypassing maxmemory.
  void restore(const Before& before);

  std::int64_t used_memory() const { return used_memory_; }
  // The most used_memory() has been (Redis's used_memory_peak), across
  // clear(): a restart empties the store, not the high-water mark.
  std::int64_t used_memory_peak() const { return used_memory_peak_; }
  std::size_t size() const { return entries_.size(); }
  std::uint64_t evictions() const { return evictions_; }
  void clear();

  // Deterministic iteration (std::map), for copies and state hashes.
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // Entries, the LRU bookkeeping eviction reads, and used memory.
  void write_state(sim::StateWriter& out) const;

 private:
  static std::int64_t cost(const std::string& key, const std::string& value) {
    return static_cast<std::int64_t>(key.size() + value.size()) + kEntryOverheadBytes;
  }
  void erase(std::map<std::string, Entry>::iterator it);
  // Marks `key` as just used (LRU order), when the order is tracked.
  void touch(const std::string& key);
  void forget_use(const std::string& key);
  bool expired(const Entry& entry, sim::Time now) const { return entry.expire_at <= now; }
  // Evicts until used memory is within maxmemory; false if the policy cannot.
  bool make_room(sim::Time now, std::vector<Before>* changed);
  // The LRU index is kept only where eviction reads it.
  bool tracks_lru() const { return maxmemory_ > 0 && policy_ != EvictionPolicy::kNoEviction; }

  std::int64_t maxmemory_ = 0;  // 0: unlimited
  EvictionPolicy policy_ = EvictionPolicy::kNoEviction;
  std::map<std::string, Entry> entries_;
  // Least recently used order, kept only if tracks_lru(): use clock -> key,
  // oldest first, and key -> its last use.
  std::map<std::uint64_t, std::string> lru_;
  std::map<std::string, std::uint64_t> last_used_;
  std::uint64_t lru_clock_ = 0;
  std::int64_t used_memory_ = 0;
  std::int64_t used_memory_peak_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace idemlab::models::redis
