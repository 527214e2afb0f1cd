// One run's share of the live servers: the Kv, Sql, Queue and Processor
// ports over Redis, PostgreSQL and RabbitMQ, every name under the run's id
// (key prefix, schemas, queue prefix), removed again when the run ends; and
// the ground truth the checker reads from them.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "checks/invariants.h"
#include "models/clients/history.h"
#include "models/world_config.h"
#include "realmode/amqp_queue.h"
#include "realmode/infra_control.h"
#include "realmode/lease.h"
#include "realmode/pg_processor.h"
#include "realmode/pg_sql.h"
#include "realmode/redis_kv.h"
#include "realmode/servers.h"

namespace idemlab::realmode {

class LiveBackends {
 public:
  // Connects to every server first: throws Unreachable, having made nothing.
  LiveBackends(RealTimeLoop& loop, const Servers& servers, const models::WorldConfig& config, std::string run_id);
  // Removes what the run made; a server gone by then is reported on stderr.
  ~LiveBackends();
  LiveBackends(const LiveBackends&) = delete;
  LiveBackends& operator=(const LiveBackends&) = delete;

  // The ports, with `clock` as the nodes' clock.
  ports::Ports ports(ports::Clock& clock) { return ports::Ports{clock, kv_, sql_, queue_, processor_}; }
  RealQueue& queue() { return queue_; }
  RealProcessor& processor() { return processor_; }
  const std::string& run_id() const { return run_id_; }

  // Server faults, through the scripts/infra that started the servers
  // (Servers::infra). Each returns once the server answers again, and the
  // run's connections reconnect (to the promoted replica, after a
  // failover); the loop's clock stands still meanwhile (a model's fault
  // takes no time). Throws InfraFailed. REQUIRES: can_fault_servers().
  bool can_fault_servers() const { return infra_.has_value(); }
  void restart_redis(bool empty);
  void stop_redis();
  void start_redis();
  void set_redis_lag(sim::Duration lag);
  void failover_redis();
  void restart_postgres();
  void restart_broker();

  // Before every fault above: throws ForeignData naming the server when it
  // holds anything outside idemlab's namespaces (realmode/foreign_data.h).
  // `server`: "redis", "postgres" or "rabbitmq".
  void refuse_if_foreign(const std::string& server);

  // How many of the run's PostgreSQL sessions (the service's and the
  // processor's) wait on a lock another holds now (pg_blocking_pids), on a
  // connection of its own: the turnstile's question.
  sim::Task<int> sessions_waiting_on_locks();

  // Ground truth now, read from the servers (blocking; from the loop's
  // thread). Keys are named without the run's prefix.
  std::unique_ptr<checks::GroundTruth> truth(const models::clients::History& history,
                                                 const models::PortHistory& port_history, sim::Time now);

 private:
  class Truth;
  void clean_up();
  // The run's Redis connections reconnect, to `endpoint`, before their next command.
  void reconnect_redis(const Endpoint& endpoint);

  RealTimeLoop& loop_;
  std::optional<InfraControl> infra_;
  bool redis_disturbed_ = false;  // a lag set or a failover made: undone at the end
  std::string run_id_;
  Lease lease_;  // before everything the run makes; released once it is removed
  std::string key_prefix_;
  RedisConnection redis_;
  RedisConnection redis_reader_;  // ground truth and clean-up, from the loop's thread
  WorkerThread redis_worker_;     // after the connections: joins before they go
  RealKv kv_;
  RealSql sql_;
  RealQueue queue_;
  RealProcessor processor_;
  PgConnection lock_probe_;
  WorkerThread lock_probe_worker_;  // after its connection: joins before it goes
};

}  // namespace idemlab::realmode
