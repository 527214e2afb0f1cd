// The Kv port over a live Redis (hiredis, blocking, on the connection's own
// worker thread). Every key real mode writes carries the run's prefix, so it
// never reads or writes a key it did not create, and clean-up deletes only
// keys with that prefix.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "realmode/endpoint.h"
#include "realmode/real_time_loop.h"
#include "strategies/ports/kv.h"

struct redisContext;

namespace idemlab::realmode {

// One hiredis connection. Not thread-safe: used from one worker thread.
class RedisConnection {
 public:
  struct Reply {
    ports::Status status = ports::Status::kOk;
    int type = 0;                  // REDIS_REPLY_*
    std::string text;              // string, status or error text
    long long integer = 0;
    bool nil = false;
    std::vector<std::string> strings;  // an array's strings, nested arrays flattened in order
  };

  RedisConnection(Endpoint endpoint, sim::Duration timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects (and selects the database) if not connected. Throws Unreachable.
  void connect();
  // One command. kUnavailable: no connection, nothing was sent; kTimeout: the
  // reply did not come (the command may have run); the connection is then
  // dropped and made again by the next command.
  Reply command(const std::vector<std::string>& args);
  const Endpoint& endpoint() const { return endpoint_; }
  // Closes the connection; the next command connects to `endpoint` (the same
  // server restarted, or the replica promoted in a failover).
  void reconnect_to(Endpoint endpoint) {
    drop();
    endpoint_ = std::move(endpoint);
  }

 private:
  void drop();

  Endpoint endpoint_;
  sim::Duration timeout_;
  redisContext* context_ = nullptr;
};

class RealKv final : public ports::Kv {
 public:
  RealKv(RealTimeLoop& loop, WorkerThread& worker, RedisConnection& connection, std::string prefix);

  sim::Task<ports::Result<std::optional<std::string>>> get(std::string key) override;
  sim::Task<ports::Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override;
  sim::Task<ports::Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                              ports::SetOptions options) override;
  sim::Task<ports::Result<bool>> del(std::string key) override;
  sim::Task<ports::Result<bool>> expire(std::string key, sim::Duration ttl) override;
  sim::Task<ports::Result<sim::Duration>> ttl(std::string key) override;
  sim::Task<ports::Result<bool>> compare_and_delete(std::string key, std::string expected) override;
  sim::Task<ports::Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                                 sim::Duration ttl) override;

 private:
  sim::Task<RedisConnection::Reply> run(std::vector<std::string> args);

  RealTimeLoop& loop_;
  WorkerThread& worker_;
  RedisConnection& connection_;
  std::string prefix_;
};

// Calls `visit` with each key that starts with `prefix` (SCAN MATCH, a page
// at a time). Blocking; call from outside the loop. Throws Unreachable.
void for_each_key_with_prefix(RedisConnection& connection, const std::string& prefix,
                              const std::function<void(const std::vector<std::string>& keys)>& visit_page);
// Deletes every key that starts with `prefix`: real mode's clean-up. Does
// nothing if Redis does not answer (it is called from destructors).
void delete_keys_with_prefix(RedisConnection& connection, const std::string& prefix);

}  // namespace idemlab::realmode
