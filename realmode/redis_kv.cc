#include "realmode/redis_kv.h"

#include "realmode/timeval.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cassert>

namespace idemlab::realmode {
namespace {

using ports::Result;
using ports::Status;

// Redis answers OOM with "OOM command not allowed when used memory > 'maxmemory'".
Status error_status(const std::string& text) {
  return text.rfind("OOM", 0) == 0 ? Status::kOutOfMemory : Status::kError;
}

template <class T>
Result<T> failure(const RedisConnection::Reply& r) {
  return Result<T>::failure(r.status, r.text);
}

void flatten(const redisReply* reply, std::vector<std::string>& out) {
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* e = reply->element[i];
    if (e->type == REDIS_REPLY_ARRAY) {
      flatten(e, out);
    } else if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) {
      out.emplace_back(e->str, e->len);
    }
  }
}

// Deletes KEYS[1] only if it holds ARGV[1]: the lock-release script.
constexpr const char* kCompareAndDelete =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
// ARGV: expected, value, ttl in milliseconds (0: no expiry).
constexpr const char* kCompareAndSet =
    "if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end "
    "if tonumber(ARGV[3]) > 0 then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
    "else redis.call('set', KEYS[1], ARGV[2]) end return 1";

}  // namespace

RedisConnection::RedisConnection(Endpoint endpoint, sim::Duration timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { drop(); }

void RedisConnection::drop() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

void RedisConnection::connect() {
  if (context_ != nullptr) return;
  redisContext* c = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, to_timeval(timeout_));
  if (c == nullptr) throw Unreachable("Redis", endpoint_, "cannot allocate a connection");
  if (c->err != 0) {
    const std::string why = c->errstr;
    redisFree(c);
    throw Unreachable("Redis", endpoint_, why);
  }
  redisSetTimeout(c, to_timeval(timeout_));
  context_ = c;
  std::vector<std::string> hello;
  if (!endpoint_.password.empty()) {
    hello = endpoint_.user.empty() ? std::vector<std::string>{"AUTH", endpoint_.password}
                                   : std::vector<std::string>{"AUTH", endpoint_.user, endpoint_.password};
    const Reply auth = command(hello);
    if (auth.status != Status::kOk) {
      drop();
      throw Unreachable("Redis", endpoint_, "AUTH refused");  // the reply may quote the password: not shown
    }
  }
  if (endpoint_.path != "0") {
    const Reply select = command({"SELECT", endpoint_.path});
    if (select.status != Status::kOk) {
      drop();
      throw Unreachable("Redis", endpoint_, "SELECT " + endpoint_.path + ": " + select.text);
    }
  }
}

RedisConnection::Reply RedisConnection::command(const std::vector<std::string>& args) {
  Reply out;
  if (context_ == nullptr) {
    try {
      connect();
    } catch (const Unreachable& e) {
      out.status = Status::kUnavailable;
      out.text = e.what();
      return out;
    }
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    // Sent, or maybe sent: the outcome is unknown. The context is unusable now.
    out.status = Status::kTimeout;
    out.text = context_->errstr;
    drop();
    return out;
  }
  out.type = reply->type;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: out.text.assign(reply->str, reply->len); break;
    case REDIS_REPLY_INTEGER: out.integer = reply->integer; break;
    case REDIS_REPLY_NIL: out.nil = true; break;
    case REDIS_REPLY_ERROR:
      out.text.assign(reply->str, reply->len);
      out.status = error_status(out.text);
      break;
    case REDIS_REPLY_ARRAY: flatten(reply, out.strings); break;
    default: break;
  }
  freeReplyObject(reply);
  return out;
}

RealKv::RealKv(RealTimeLoop& loop, WorkerThread& worker, RedisConnection& connection, std::string prefix)
    : loop_(loop), worker_(worker), connection_(connection), prefix_(std::move(prefix)) {}

sim::Task<RedisConnection::Reply> RealKv::run(std::vector<std::string> args) {
  std::function<RedisConnection::Reply()> job = [connection = &connection_, args = std::move(args)] {
    return connection->command(args);
  };
  co_return co_await offload(loop_, worker_, std::move(job));
}

sim::Task<Result<std::optional<std::string>>> RealKv::get(std::string key) {
  std::vector<std::string> args{"GET", prefix_ + key};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<std::optional<std::string>>(r);
  co_return Result<std::optional<std::string>>::ok(r.nil ? std::nullopt : std::optional<std::string>(r.text));
}

namespace {

std::vector<std::string> set_command(std::string key, std::string value, const ports::SetOptions& options) {
  assert(!(options.keep_ttl && options.ttl > 0) && "Redis refuses KEEPTTL with PX");
  std::vector<std::string> args{"SET", std::move(key), std::move(value)};
  if (options.condition == ports::SetOptions::Condition::kIfAbsent) args.push_back("NX");
  if (options.condition == ports::SetOptions::Condition::kIfPresent) args.push_back("XX");
  if (options.ttl > 0) {
    args.push_back("PX");
    args.push_back(std::to_string(std::max<sim::Duration>(options.ttl / sim::kMillisecond, 1)));
  }
  if (options.keep_ttl) args.push_back("KEEPTTL");
  return args;
}

}  // namespace

sim::Task<Result<bool>> RealKv::set(std::string key, std::string value, ports::SetOptions options) {
  std::vector<std::string> args = set_command(prefix_ + key, std::move(value), options);
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<bool>(r);
  co_return Result<bool>::ok(!r.nil);  // nil: the NX or XX condition was not met
}

sim::Task<Result<std::optional<std::string>>> RealKv::set_get(std::string key, std::string value,
                                                              ports::SetOptions options) {
  std::vector<std::string> args = set_command(prefix_ + key, std::move(value), options);
  args.push_back("GET");
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<std::optional<std::string>>(r);
  // nil: the key held no value before.
  co_return Result<std::optional<std::string>>::ok(r.nil ? std::nullopt : std::optional<std::string>(r.text));
}

sim::Task<Result<bool>> RealKv::del(std::string key) {
  std::vector<std::string> args{"DEL", prefix_ + key};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<bool>(r);
  co_return Result<bool>::ok(r.integer > 0);
}

sim::Task<Result<bool>> RealKv::expire(std::string key, sim::Duration ttl) {
  assert(ttl > 0);
  std::vector<std::string> args{"PEXPIRE", prefix_ + key, std::to_string(std::max<sim::Duration>(ttl / sim::kMillisecond, 1))};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<bool>(r);
  co_return Result<bool>::ok(r.integer == 1);
}

sim::Task<Result<sim::Duration>> RealKv::ttl(std::string key) {
  std::vector<std::string> args{"PTTL", prefix_ + key};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<sim::Duration>(r);
  // -2 and -1 are the port's kTtlNoKey and kTtlNoExpiry, as Redis gives them.
  co_return Result<sim::Duration>::ok(r.integer < 0 ? r.integer : r.integer * sim::kMillisecond);
}

sim::Task<Result<bool>> RealKv::compare_and_delete(std::string key, std::string expected) {
  std::vector<std::string> args{"EVAL", kCompareAndDelete, "1", prefix_ + key, std::move(expected)};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<bool>(r);
  co_return Result<bool>::ok(r.integer == 1);
}

sim::Task<Result<bool>> RealKv::compare_and_set(std::string key, std::string expected, std::string value,
                                                sim::Duration ttl) {
  // Whole milliseconds, as PX takes them; a positive ttl under 1 ms is 1 ms.
  const sim::Duration ms = ttl > 0 ? std::max<sim::Duration>(1, ttl / sim::kMillisecond) : 0;
  std::vector<std::string> args{"EVAL", kCompareAndSet, "1", prefix_ + key, std::move(expected), std::move(value),
                                std::to_string(ms)};
  const RedisConnection::Reply r = co_await run(std::move(args));
  if (r.status != Status::kOk) co_return failure<bool>(r);
  co_return Result<bool>::ok(r.integer == 1);
}

void for_each_key_with_prefix(RedisConnection& connection, const std::string& prefix,
                              const std::function<void(const std::vector<std::string>& keys)>& visit_page) {
  assert(!prefix.empty() && "an empty prefix would match keys real mode did not create");
  std::string cursor = "0";
  do {
    // SCAN answers [cursor, [keys...]], flattened to cursor, keys...
    const RedisConnection::Reply page = connection.command({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
    if (page.status != Status::kOk || page.strings.empty()) {
      throw Unreachable("Redis", connection.endpoint(), "SCAN: " + page.text);
    }
    cursor = page.strings.front();
    std::vector<std::string> keys;
    for (std::size_t i = 1; i < page.strings.size(); ++i) {
      if (page.strings[i].rfind(prefix, 0) == 0) keys.push_back(page.strings[i]);
    }
    visit_page(keys);
  } while (cursor != "0");
}

void delete_keys_with_prefix(RedisConnection& connection, const std::string& prefix) {
  try {
    for_each_key_with_prefix(connection, prefix, [&connection](const std::vector<std::string>& keys) {
      if (keys.empty()) return;
      std::vector<std::string> del{"DEL"};
      del.insert(del.end(), keys.begin(), keys.end());
      connection.command(del);
    });
  } catch (const Unreachable&) {
    // Clean-up runs in destructors: a Redis gone by then leaves the keys.
  }
}

}  // namespace idemlab::realmode
