// Server faults on the private servers scripts/infra started: a Redis
// restart (with or without its files), a failover to the replica, a
// PostgreSQL restart, a RabbitMQ restart. Each runs `scripts/infra
// <command>` and returns once the servers answer again; the caller's world
// stands still meanwhile, as the simulator's does during a restart it makes
// in no time.
//
// Real mode never restarts servers it was merely pointed at: without the
// script that started them there is no InfraControl.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "realmode/endpoint.h"

namespace idemlab::realmode {

// The script failed or could not be run; what() names the command.
class InfraFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InfraControl {
 public:
  explicit InfraControl(std::string script) : script_(std::move(script)) {}
  const std::string& script() const { return script_; }

  // The primary is killed (SIGKILL) and started again; `empty`: its files
  // are deleted first (Redis without persistence), and the replica, which
  // resyncs, is emptied too.
  void restart_redis(bool empty) { run({"restart-redis", empty ? "--empty" : ""}); }
  void stop_redis() { run({"stop-redis"}); }
  void start_redis() { run({"start-redis"}); }
  // The replica is held `milliseconds` behind the primary from now on.
  void set_redis_lag(long long milliseconds) { run({"redis-lag", std::to_string(milliseconds)}); }
  // The replica is promoted (what it had not received is lost); returns the
  // new primary's address.
  Endpoint failover_redis();
  // After a failover: the old primary takes its place again, with the
  // promoted replica's data; nothing when there was no failover.
  void heal_redis() { run({"heal-redis"}); }
  void restart_postgres() { run({"restart-postgres"}); }
  // RabbitMQ is killed (SIGKILL) and started again.
  void restart_broker() { run({"restart-broker"}); }
  // Every queue of the broker: "VHOST<TAB>NAME" lines.
  std::string queues() { return run({"queues"}); }

 private:
  // Runs the script with `args` (empty ones left out); returns its stdout.
  // Throws InfraFailed unless it exits 0.
  std::string run(std::vector<std::string> args);

  std::string script_;
};

}  // namespace idemlab::realmode
