// The Kv port in the simulator: each command crosses the network to a
// RedisServer. One adapter per calling node.
#pragma once

#include "models/redis/server.h"
#include "sim/network.h"
#include "strategies/ports/kv.h"

namespace idemlab::models::redis {

class SimKv final : public ports::Kv {
 public:
  SimKv(sim::Network& net, sim::Node& client, RedisServer& server, sim::Duration timeout)
      : net_(net), client_(client), server_(server), timeout_(timeout) {}

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
  sim::Network& net_;
  sim::Node& client_;
  RedisServer& server_;
  sim::Duration timeout_;
};

}  // namespace idemlab::models::redis
