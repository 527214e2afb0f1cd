// Every live run holds a lease on its namespaces (its Redis key prefix, its
// two PostgreSQL schemas, its queues), renewed while it runs, so that the
// leftovers of a run that was killed (SIGKILL, a power cut) are found and
// removed by the next run or by `idemlab clean --real`: those whose lease
// lapsed, and only those. The leases live in PostgreSQL, in idemlab's own
// schema idemlab_registry (table leases: run id, expiry, queues declared).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "realmode/endpoint.h"
#include "realmode/pg_sql.h"
#include "realmode/servers.h"
#include "sim/time.h"

namespace idemlab::realmode {

inline constexpr sim::Duration kLeaseTtlDefault = 60 * sim::kSecond;

// A run's names, from its id (LiveBackends makes them so).
std::string redis_prefix_of(const std::string& run_id);
std::string schema_of(const std::string& run_id);
std::string processor_schema_of(const std::string& run_id);
std::string queue_prefix_of(const std::string& run_id);

class Lease {
 public:
  // Registers `run_id` until now + ttl and renews it every ttl / 3 on a
  // thread of its own. Throws Unreachable. REQUIRES: ttl >= 1 s.
  Lease(const Endpoint& postgres, std::string run_id, sim::Duration ttl);
  // Stops renewing; the lease stays until release() or its expiry.
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // A queue the run declared (its full name), for a later clean-up.
  void add_queue(const std::string& queue);
  // The run removed what it made: the lease goes.
  void release();
  // Runs `restart` (PostgreSQL going down and up) with renewals held back,
  // then drops the dead connection: libpqxx 6 leaks a result when a
  // statement meets a dead connection.
  template <class Restart>
  void across_restart(Restart restart) {
    const std::lock_guard<std::mutex> lock(mutex_);
    restart();
    connection_.forget();
  }

 private:
  void renew_until_stopped();

  std::string run_id_;
  sim::Duration ttl_;
  std::mutex mutex_;  // guards connection_ and stop_
  PgConnection connection_;
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread renewer_;
};

// Removes the namespaces of every run whose lease lapsed, then the lease;
// returns what it removed, one line per run. Throws Unreachable.
std::vector<std::string> clean_abandoned(const Servers& servers);

}  // namespace idemlab::realmode
