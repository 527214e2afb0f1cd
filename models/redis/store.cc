#include "models/redis/store.h"

#include "sim/state_writer.h"

#include <algorithm>

#include <cassert>
#include <vector>

namespace idemlab::models::redis {

void Store::clear() {
  entries_.clear();
  lru_.clear();
  last_used_.clear();
  used_memory_ = 0;
}

void Store::erase(std::map<std::string, Entry>::iterator it) {
  used_memory_ -= cost(it->first, it->second.value);
  forget_use(it->first);
  entries_.erase(it);
  assert(used_memory_ >= 0);
}

void Store::forget_use(const std::string& key) {
  if (!tracks_lru()) return;
  auto it = last_used_.find(key);
  if (it == last_used_.end()) return;
  lru_.erase(it->second);
  last_used_.erase(it);
}

void Store::touch(const std::string& key) {
  if (!tracks_lru()) return;
  forget_use(key);
  const std::uint64_t now_used = ++lru_clock_;
  lru_.emplace(now_used, key);
  last_used_.emplace(key, now_used);
}

void Store::restore(const Before& before) {
  auto it = entries_.find(before.key);
  if (it != entries_.end()) erase(it);
  if (!before.entry) return;
  it = entries_.emplace(before.key, *before.entry).first;
  touch(it->first);
  used_memory_ += cost(it->first, it->second.value);
  used_memory_peak_ = std::max(used_memory_peak_, used_memory_);
}

const Store::Entry* Store::peek(const std::string& key, sim::Time now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || expired(it->second, now)) return nullptr;
  return &it->second;
}

std::optional<std::string> Store::get(const std::string& key, sim::Time now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    erase(it);
    return std::nullopt;
  }
  touch(it->first);
  return it->second.value;
}

bool Store::make_room(sim::Time now, std::vector<Before>* changed) {
  if (maxmemory_ == 0) return true;
  // Expired keys go first, as Redis's active expiry would have removed them.
  for (auto it = entries_.begin(); it != entries_.end() && used_memory_ > maxmemory_;) {
    auto next = std::next(it);
    if (expired(it->second, now)) erase(it);
    it = next;
  }
  while (used_memory_ > maxmemory_) {
    if (policy_ == EvictionPolicy::kNoEviction) return false;
    std::map<std::string, Entry>::iterator victim = entries_.end();
    for (const auto& [clock, key] : lru_) {
      auto candidate = entries_.find(key);
      assert(candidate != entries_.end());
      if (policy_ == EvictionPolicy::kVolatileLru && candidate->second.expire_at == sim::kTimeNever) continue;
      victim = candidate;
      break;
    }
    if (victim == entries_.end()) return false;
    if (changed != nullptr) changed->push_back(Before{victim->first, victim->second, true});
    erase(victim);
    ++evictions_;
  }
  return true;
}

bool Store::apply(const KvOp& op, sim::Time now, std::vector<Before>* changed) {
  auto it = entries_.find(op.key);
  if (it != entries_.end() && expired(it->second, now)) {
    erase(it);
    it = entries_.end();
  }
  // The key's prior state, for the caller's undo log.
  auto remember = [&](std::map<std::string, Entry>::iterator current) {
    if (changed == nullptr) return;
    if (current == entries_.end()) {
      changed->push_back(Before{op.key, std::nullopt});
    } else {
      changed->push_back(Before{op.key, current->second});
    }
  };
  switch (op.kind) {
    case KvOp::Kind::kDel:
      if (it != entries_.end()) {
        remember(it);
        erase(it);
      }
      return true;
    case KvOp::Kind::kExpire:
      if (it != entries_.end()) {
        remember(it);
        it->second.expire_at = op.expire_at;
      }
      return true;
    case KvOp::Kind::kSet: {
      // Like Redis: memory is checked before the write, so the write that
      // crosses maxmemory succeeds and the next one evicts or is refused.
      if (!make_room(now, changed)) return false;
      it = entries_.find(op.key);  // eviction may have taken this very key
      remember(it);
      if (it == entries_.end()) {
        it = entries_.emplace(op.key, Entry{}).first;
      } else {
        used_memory_ -= cost(it->first, it->second.value);
      }
      touch(it->first);
      it->second.value = op.value;
      it->second.expire_at = op.expire_at;
      used_memory_ += cost(it->first, it->second.value);
      used_memory_peak_ = std::max(used_memory_peak_, used_memory_);
      return true;
    }
  }
  assert(false && "unknown KvOp kind");
  return false;
}

void Store::write_state(sim::StateWriter& out) const {
  out.tag("store");
  out.u64(entries_.size());
  for (const auto& [key, entry] : entries_) {
    out.str(key);
    out.str(entry.value);
    out.i64(entry.expire_at);
  }
  out.u64(lru_clock_);
  for (const auto& [key, used] : last_used_) {
    out.str(key);
    out.u64(used);
  }
  out.i64(used_memory_);
  out.i64(used_memory_peak_);
  out.u64(evictions_);
}

}  // namespace idemlab::models::redis
