// Where real mode finds its servers: a URL per service from a command-line
// flag, else from the environment (IDEMLAB_REDIS, IDEMLAB_PG, IDEMLAB_AMQP),
// else the loopback ports scripts/infra starts its private servers on.
// Server faults (restarts, failover) are made only through the scripts/infra
// that started the servers: `infra` (--infra, else $IDEMLAB_INFRA, which
// `scripts/infra env` prints), empty when the servers are someone else's.
#pragma once

#include <stdexcept>
#include <string>

#include "realmode/endpoint.h"

namespace idemlab::realmode {

inline constexpr int kConnectTimeoutDefaultS = 5;

struct Servers {
  Endpoint redis;
  Endpoint postgres;
  Endpoint amqp;
  std::string infra;  // the scripts/infra that started them; empty: not ours to restart
  int lease_ttl_s = 60;  // a run's lease on its namespaces lapses this long after its last renewal
};

// A URL that does not parse: what() names where it came from (the flag or
// the variable) and what is wrong, without the password.
class BadServerUrl : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Empty flags fall back to the environment, then to scripts/infra's ports.
// `connect_timeout_s` (at least 1) goes to every endpoint.
Servers servers_from(const std::string& redis_flag, const std::string& pg_flag, const std::string& amqp_flag,
                     const std::string& infra_flag = "", int connect_timeout_s = kConnectTimeoutDefaultS);

}  // namespace idemlab::realmode
