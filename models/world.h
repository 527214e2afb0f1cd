// The composition root of the simulation: the one place where the simulated
// backends are named and wired (TigerBeetle's testing/cluster.zig; real mode
// has its own root, realmode::LiveWorld). A World is a Host (the simulator,
// the network, the API service node, the clients and their history) whose
// ports lead to the models of Redis, PostgreSQL, RabbitMQ and the payment
// processor, over simulated links, on one simulated machine.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "models/host.h"
#include "models/machine_load.h"
#include "models/postgres/engine.h"
#include "models/processor/processor.h"
#include "models/rabbitmq/broker.h"
#include "models/redis/server.h"

namespace idemlab::models {

class World final : public Host {
 public:
  World(const WorldConfig& config, sim::Tape& tape);
  ~World() override;

  redis::RedisServer& redis() { return redis_; }
  postgres::Engine& postgres() { return postgres_; }
  rabbitmq::Broker& broker() { return broker_; }
  processor::PaymentProcessor& processor() { return processor_; }
  sim::RunResult run() { return sim().run(); }
  void write_state(sim::StateWriter& out) override;

 private:
  struct NodePorts;
  // Made once per node and kept for the world's lifetime.
  Ports backend_ports(sim::Node& node) override;
  sim::Node* backend_node(const std::string& name) override;
  // Simulated time costs nothing: the setup runs until nothing more can
  // happen, or the run's bound.
  bool run_until(const std::function<bool()>& done) override {
    sim().run();
    return done();
  }

  MachineLoad machine_load_;  // the servers' one machine
  redis::RedisServer redis_;
  postgres::Engine postgres_;
  rabbitmq::Broker broker_;
  processor::PaymentProcessor processor_;
  std::deque<std::unique_ptr<NodePorts>> node_ports_;
};

}  // namespace idemlab::models
