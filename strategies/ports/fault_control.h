// Server-level faults that contract tests and scenario scripts ask for, by
// name, of whichever world they run in: the simulator implements them on its
// models, real mode on the servers its scripts started. (Faults of a single
// call, such as a dropped reply, are decorators on the ports instead.)
// Strategies never see this interface.
#pragma once

#include "sim/task.h"

namespace idemlab::ports {

class FaultControl {
 public:
  virtual ~FaultControl() = default;

  // The Redis primary crashes and comes back; what it keeps depends on its
  // persistence setting.
  virtual sim::Task<void> restart_redis() = 0;
  // The replica is promoted behind the same address.
  virtual sim::Task<void> failover_redis() = 0;
  // The next reply from Redis to the service is lost (the command ran).
  virtual void drop_next_redis_reply() = 0;
  // Redis is down until restarted (calls are refused).
  virtual void stop_redis() = 0;
  virtual void start_redis() = 0;

  // PostgreSQL crashes and restarts: open transactions are rolled back,
  // connections lost, committed data kept.
  virtual sim::Task<void> restart_postgres() = 0;
  // The next reply from PostgreSQL to the service is lost (the statement ran).
  virtual void drop_next_postgres_reply() = 0;

  // RabbitMQ crashes and restarts: channels close; only persistent messages
  // of durable queues that reached the disk survive.
  virtual sim::Task<void> restart_broker() = 0;
  // The next publisher confirm (or other reply) from RabbitMQ is lost.
  virtual void drop_next_broker_reply() = 0;

  // The next reply from the payment processor is lost (the charge happened).
  virtual void drop_next_processor_reply() = 0;
};

}  // namespace idemlab::ports
