// Whether a live server holds anything idemlab did not create. A restart, a
// failover or a flush destroys data, so real mode makes one only on a server
// that holds nothing but idemlab's own namespaces: Redis keys under
// "idemlab:", PostgreSQL schemas named "idemlab_*" (and no table anywhere
// else, no other database), RabbitMQ queues named "idemlab.*". Each check
// returns the first foreign object it finds, in words, or nullopt.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "realmode/endpoint.h"

namespace idemlab::realmode {

inline constexpr const char* kRedisNamespace = "idemlab:";
inline constexpr const char* kPostgresNamespace = "idemlab_";
inline constexpr const char* kQueueNamespace = "idemlab.";

// A server fault refused because the server holds foreign data. The
// command line exits 2 on it (the scenario asks what these servers must not
// be put through), naming the scenario and the server.
class ForeignData : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every database of the Redis at `redis` (INFO keyspace), scanned. Throws
// Unreachable.
std::optional<std::string> foreign_redis_data(const Endpoint& redis);
// Every database of the PostgreSQL cluster at `postgres` it may connect to.
// Throws Unreachable.
std::optional<std::string> foreign_postgres_data(const Endpoint& postgres);
// `listing`: `scripts/infra queues`' lines, "VHOST<TAB>NAME".
std::optional<std::string> foreign_queue(const std::string& listing);

}  // namespace idemlab::realmode
