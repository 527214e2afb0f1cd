// Kv port: the Redis commands the strategies use. Each command is atomic, as
// Redis runs one command at a time. Keys and values are byte strings.
#pragma once

#include <optional>
#include <string>

#include "sim/task.h"
#include "sim/time.h"
#include "strategies/ports/result.h"

namespace idemlab::ports {

struct SetOptions {
  enum class Condition : std::uint8_t { kAlways, kIfAbsent /* NX */, kIfPresent /* XX */ };
  Condition condition = Condition::kAlways;
  sim::Duration ttl = 0;  // 0: no expiry (PX when > 0)
  // KEEPTTL: a write keeps the TTL the key had (a plain SET clears it).
  // REQUIRES: ttl == 0, as Redis refuses KEEPTTL with PX.
  bool keep_ttl = false;
};

// Whether a SET ... GET wrote, from what it answered: NX writes only when
// there was no value, XX only when there was one.
inline bool set_get_wrote(const SetOptions& options, const std::optional<std::string>& before) {
  switch (options.condition) {
    case SetOptions::Condition::kIfAbsent: return !before.has_value();
    case SetOptions::Condition::kIfPresent: return before.has_value();
    case SetOptions::Condition::kAlways: return true;
  }
  return true;
}

// TTL's answers, as Redis gives them.
inline constexpr sim::Duration kTtlNoKey = -2;
inline constexpr sim::Duration kTtlNoExpiry = -1;

class Kv {
 public:
  virtual ~Kv() = default;

  virtual sim::Task<Result<std::optional<std::string>>> get(std::string key) = 0;
  // ok(true) when written; ok(false) when the NX/XX condition was not met.
  virtual sim::Task<Result<bool>> set(std::string key, std::string value, SetOptions options) = 0;
  // SET ... GET: writes as set does, and answers the value the key held
  // before (nullopt when none), whether or not it wrote. One round trip
  // claims a key or reads who holds it.
  virtual sim::Task<Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                               SetOptions options) = 0;
  // ok(true) when the key existed.
  virtual sim::Task<Result<bool>> del(std::string key) = 0;
  // ok(true) when the key existed and now expires after `ttl` (> 0).
  virtual sim::Task<Result<bool>> expire(std::string key, sim::Duration ttl) = 0;
  // Remaining time to live, or kTtlNoKey / kTtlNoExpiry.
  virtual sim::Task<Result<sim::Duration>> ttl(std::string key) = 0;
  // The lock-release script: deletes `key` only if it holds `expected`.
  // ok(true) when deleted.
  virtual sim::Task<Result<bool>> compare_and_delete(std::string key, std::string expected) = 0;
  // The conditional-reclaim script: replaces `key`'s value by `value` (with
  // `ttl`, > 0, or no expiry when 0) only if it holds `expected`. ok(true)
  // when replaced.
  virtual sim::Task<Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                                  sim::Duration ttl) = 0;
};

}  // namespace idemlab::ports
