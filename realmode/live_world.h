// The composition root of real mode (TigerBeetle's tigerbeetle/main.zig to
// the simulation's testing/cluster.zig): a Host whose ports lead to the live
// Redis, PostgreSQL, RabbitMQ and processor ledger of one run
// (LiveBackends), and whose simulator runs on the wall clock (RealTimeLoop).
// No model of a backend exists in it; the clients, the service node and the
// network between them are the Host's, as in the simulation.
#pragma once

#include <string>

#include "models/host.h"
#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "realmode/real_time_loop.h"
#include "realmode/servers.h"

namespace idemlab::realmode {

class LiveWorld final : public models::Host {
 public:
  // Connects to every server first: throws Unreachable, having made nothing.
  // `run_limit` bounds the strategy's setup on the wall clock.
  LiveWorld(const models::WorldConfig& config, sim::Tape& tape, const Servers& servers, std::string run_id,
            sim::Duration run_limit);
  ~LiveWorld() override;

  RealTimeLoop& loop() { return loop_; }
  LiveBackends& live() { return live_; }

 private:
  // Every node reaches the same live servers, through the same connections.
  models::Ports backend_ports(sim::Node&) override { return live_.ports(clock_); }
  sim::Node* backend_node(const std::string&) override { return nullptr; }
  bool run_until(const std::function<bool()>& done) override { return loop_.run(done, run_limit_); }

  sim::Duration run_limit_;
  RealTimeLoop loop_;
  LiveBackends live_;
  models::SimClock clock_;
};

}  // namespace idemlab::realmode
