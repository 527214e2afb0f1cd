#include "models/redis/server.h"

#include "sim/state_writer.h"

#include <cassert>

namespace idemlab::models::redis {
namespace {

using ports::Result;
using ports::Status;

std::string oom_message() { return "OOM command not allowed when used memory > 'maxmemory'."; }

}  // namespace

RedisServer::RedisServer(sim::Simulator& sim, std::string name, RedisConfig config)
    : sim_(sim),
      config_(std::move(config)),
      node_(sim, std::move(name)),
      slot_(sim, 1, config_.pending_commands_max),
      primary_(config_.maxmemory_bytes, config_.eviction) {
  node_.start();
}

RedisServer::~RedisServer() {
  // Commands in flight wait on slot_: end them before it goes.
  if (node_.up()) node_.crash();
}

void RedisServer::trace(const char* command, const std::string& detail) {
  if (sim_.trace().enabled()) sim_.record(node_.name(), command, detail);
}

sim::Task<bool> RedisServer::turn() {
  if (!co_await slot_.acquire()) co_return false;
  sim::SlotGuard slot(slot_);
  co_await sim_.sleep(load_->serve(sim_.now(), config_.command_time, config_.command_time_loaded, sim_.tape()));
  co_return true;
}

bool RedisServer::write(const KvOp& op) {
  const sim::Time now = sim_.now();
  std::vector<Store::Before> changed;
  const bool written = primary_.apply(op, now, &changed);
  for (const Store::Before& before : changed) {
    // Evictions reach the replica as DELs, as in Redis.
    if (!before.evicted) continue;
    trace("evict", before.key);
    if (config_.replica) replication_.emplace_back(now, KvOp{KvOp::Kind::kDel, before.key, {}, sim::kTimeNever});
  }
  if (written && config_.replica) replication_.emplace_back(now, op);
  if (config_.persistence == Persistence::kEverySec) {
    fsync_until(now);
    for (Store::Before& before : changed) unsynced_.emplace_back(now, std::move(before));
  }
  return written;
}

void RedisServer::fsync_until(sim::Time now) {
  // appendfsync everysec: what was written before the last second boundary
  // has been fsynced and can no longer be lost.
  const sim::Time boundary = (now / sim::kSecond) * sim::kSecond;
  std::size_t synced = 0;
  while (synced < unsynced_.size() && unsynced_[synced].first < boundary) ++synced;
  unsynced_.erase(unsynced_.begin(), unsynced_.begin() + static_cast<std::ptrdiff_t>(synced));
}

void RedisServer::catch_up_replica(sim::Time now) {
  while (!replication_.empty() && replication_.front().first + config_.replication_lag <= now) {
    replica_.apply(replication_.front().second, replication_.front().first);
    replication_.pop_front();
  }
}

const Store& RedisServer::replica() {
  assert(config_.replica);
  catch_up_replica(sim_.now());
  return replica_;
}

void RedisServer::rebuild(Store& target, const Store& source, sim::Time now) {
  target.clear();
  for (const auto& [key, entry] : source.entries()) {
    target.apply(KvOp{KvOp::Kind::kSet, key, entry.value, entry.expire_at}, now);
  }
}

sim::Task<Result<std::optional<std::string>>> RedisServer::get(std::string key) {
  if (!co_await turn()) co_return Result<std::optional<std::string>>::failure(Status::kUnavailable, "busy");
  std::optional<std::string> value = primary_.get(key, sim_.now());
  trace("GET", key + (value ? " -> hit" : " -> nil"));
  co_return Result<std::optional<std::string>>::ok(std::move(value));
}

sim::Task<Result<bool>> RedisServer::set(std::string key, std::string value, ports::SetOptions options) {
  if (!co_await turn()) co_return Result<bool>::failure(Status::kUnavailable, "busy");
  Result<bool> written = apply_set("SET", key, std::move(value), options);
  co_return written;
}

sim::Task<Result<std::optional<std::string>>> RedisServer::set_get(std::string key, std::string value,
                                                                   ports::SetOptions options) {
  using Reply = Result<std::optional<std::string>>;
  if (!co_await turn()) co_return Reply::failure(Status::kUnavailable, "busy");
  const Store::Entry* entry = primary_.peek(key, sim_.now());
  std::optional<std::string> before = entry != nullptr ? std::optional<std::string>(entry->value) : std::nullopt;
  const Result<bool> written = apply_set("SET GET", key, std::move(value), options);
  if (!written.is_ok()) co_return Reply::failure(written.status(), written.message());
  co_return Reply::ok(std::move(before));
}

Result<bool> RedisServer::apply_set(const char* command, const std::string& key, std::string value,
                                    const ports::SetOptions& options) {
  assert(!(options.keep_ttl && options.ttl > 0) && "Redis refuses KEEPTTL with PX");
  const sim::Time now = sim_.now();
  const Store::Entry* entry = primary_.peek(key, now);
  using Condition = ports::SetOptions::Condition;
  if ((options.condition == Condition::kIfAbsent && entry != nullptr) ||
      (options.condition == Condition::kIfPresent && entry == nullptr)) {
    trace(command, key + (options.condition == Condition::kIfAbsent ? " NX -> not set" : " XX -> not set"));
    return Result<bool>::ok(false);
  }
  sim::Time expire_at = options.ttl > 0 ? now + options.ttl : sim::kTimeNever;
  if (options.keep_ttl && entry != nullptr) expire_at = entry->expire_at;
  if (!write(KvOp{KvOp::Kind::kSet, key, std::move(value), expire_at})) {
    trace(command, key + " -> OOM");
    return Result<bool>::failure(Status::kOutOfMemory, oom_message());
  }
  trace(command, key + " -> OK");
  return Result<bool>::ok(true);
}

sim::Task<Result<bool>> RedisServer::del(std::string key) {
  if (!co_await turn()) co_return Result<bool>::failure(Status::kUnavailable, "busy");
  const bool present = primary_.peek(key, sim_.now()) != nullptr;
  if (present) write(KvOp{KvOp::Kind::kDel, key, {}, sim::kTimeNever});
  trace("DEL", key + (present ? " -> 1" : " -> 0"));
  co_return Result<bool>::ok(present);
}

sim::Task<Result<bool>> RedisServer::expire(std::string key, sim::Duration ttl) {
  assert(ttl > 0);
  if (!co_await turn()) co_return Result<bool>::failure(Status::kUnavailable, "busy");
  const sim::Time now = sim_.now();
  const bool present = primary_.peek(key, now) != nullptr;
  if (present) write(KvOp{KvOp::Kind::kExpire, key, {}, now + ttl});
  trace("PEXPIRE", key + (present ? " -> 1" : " -> 0"));
  co_return Result<bool>::ok(present);
}

sim::Task<Result<sim::Duration>> RedisServer::ttl(std::string key) {
  if (!co_await turn()) co_return Result<sim::Duration>::failure(Status::kUnavailable, "busy");
  const sim::Time now = sim_.now();
  const Store::Entry* entry = primary_.peek(key, now);
  const sim::Duration remaining = entry == nullptr                          ? ports::kTtlNoKey
                                  : entry->expire_at == sim::kTimeNever ? ports::kTtlNoExpiry
                                                                          : entry->expire_at - now;
  co_return Result<sim::Duration>::ok(remaining);
}

sim::Task<Result<bool>> RedisServer::compare_and_delete(std::string key, std::string expected) {
  if (!co_await turn()) co_return Result<bool>::failure(Status::kUnavailable, "busy");
  const Store::Entry* entry = primary_.peek(key, sim_.now());
  const bool matches = entry != nullptr && entry->value == expected;
  if (matches) write(KvOp{KvOp::Kind::kDel, key, {}, sim::kTimeNever});
  trace("EVALSHA", "compare-and-delete " + key + (matches ? " -> 1" : " -> 0"));
  co_return Result<bool>::ok(matches);
}

sim::Task<Result<bool>> RedisServer::compare_and_set(std::string key, std::string expected, std::string value,
                                                     sim::Duration ttl) {
  if (!co_await turn()) co_return Result<bool>::failure(Status::kUnavailable, "busy");
  const sim::Time now = sim_.now();
  const Store::Entry* entry = primary_.peek(key, now);
  if (entry == nullptr || entry->value != expected) {
    trace("EVALSHA", "compare-and-set " + key + " -> 0");
    co_return Result<bool>::ok(false);
  }
  const sim::Time expire_at = ttl > 0 ? now + ttl : sim::kTimeNever;
  if (!write(KvOp{KvOp::Kind::kSet, key, std::move(value), expire_at})) {
    trace("EVALSHA", "compare-and-set " + key + " -> OOM");
    co_return Result<bool>::failure(Status::kOutOfMemory, oom_message());
  }
  trace("EVALSHA", "compare-and-set " + key + " -> 1");
  co_return Result<bool>::ok(true);
}

void RedisServer::crash() {
  const sim::Time now = sim_.now();
  if (node_.up()) node_.crash();
  switch (config_.persistence) {
    case Persistence::kNone: primary_.clear(); break;
    case Persistence::kEverySec:
      fsync_until(now);
      // What never reached the disk is taken back, newest first.
      for (auto it = unsynced_.rbegin(); it != unsynced_.rend(); ++it) primary_.restore(it->second);
      unsynced_.clear();
      break;
    case Persistence::kAlways: break;  // every acknowledged write is on disk
  }
  trace("recover", std::to_string(primary_.size()) + " keys survive the crash");
}

void RedisServer::start() {
  assert(!node_.up());
  node_.start();
  if (config_.replica) {
    // The replica resyncs from whatever the primary came back with, even
    // nothing; the ops still in the stream died with the old primary.
    replication_.clear();
    rebuild(replica_, primary_, sim_.now());
  }
}

void RedisServer::failover() {
  assert(config_.replica);
  const sim::Time now = sim_.now();
  catch_up_replica(now);
  const std::size_t lost = replication_.size();
  replication_.clear();
  if (node_.up()) node_.crash();  // in-flight commands die with the old primary
  rebuild(primary_, replica_, now);
  unsynced_.clear();  // the promoted node's own append-only file holds what it has
  trace("failover", "replica promoted; " + std::to_string(lost) + " writes had not reached it");
  node_.start();
}

void RedisServer::write_state(sim::StateWriter& out) const {
  out.tag("redis");
  node_.write_state(out);
  slot_.write_state(out);
  primary_.write_state(out);
  out.u64(unsynced_.size());
  for (const auto& [at, before] : unsynced_) {
    out.i64(at);
    out.str(before.key);
    out.flag(before.entry.has_value());
    if (before.entry) {
      out.str(before.entry->value);
      out.i64(before.entry->expire_at);
    }
    out.flag(before.evicted);
  }
  replica_.write_state(out);
  out.u64(replication_.size());
  for (const auto& [at, op] : replication_) {
    out.i64(at);
    out.u64(static_cast<std::uint64_t>(op.kind));
    out.str(op.key);
    out.str(op.value);
    out.i64(op.expire_at);
  }
  load_->write_state(out);
}

}  // namespace idemlab::models::redis
