// The composition root of the simulation: the one place where the simulated
// backends are named and wired (TigerBeetle's testing/cluster.zig; real mode
// has its own root). A World holds the simulator, the network, the API
// service node, Redis, PostgreSQL, RabbitMQ, the payment processor, the
// clients and their history, and hands out the ports as any node sees them.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/clients/client.h"
#include "models/clients/history.h"
#include "models/machine_load.h"
#include "models/postgres/engine.h"
#include "models/postgres/sim_sql.h"
#include "models/processor/processor.h"
#include "models/processor/sim_processor.h"
#include "models/rabbitmq/broker.h"
#include "models/rabbitmq/sim_queue.h"
#include "models/redis/server.h"
#include "models/redis/sim_kv.h"
#include "models/service/service_node.h"
#include "models/sim_clock.h"
#include "sim/network.h"
#include "sim/simulator.h"
#include "strategies/ports/clock.h"
#include "strategies/ports/ports.h"
#include "strategies/ports/kv.h"
#include "strategies/ports/processor.h"
#include "strategies/ports/queue.h"
#include "strategies/ports/sql.h"
#include "strategies/strategy.h"

namespace idemlab::models {

struct WorldConfig {
  sim::SimulatorOptions simulator;
  sim::LinkConfig network;  // every link, unless changed through net().link()
  redis::RedisConfig redis;
  postgres::PgConfig postgres;
  rabbitmq::BrokerConfig rabbitmq;
  processor::ProcessorConfig processor;
  service::ServiceConfig service;
  // How long a service waits for each backend before it counts as a timeout.
  sim::Duration redis_timeout = 1 * sim::kSecond;
  sim::Duration postgres_timeout = 5 * sim::kSecond;
  sim::Duration rabbitmq_timeout = 5 * sim::kSecond;
  sim::Duration processor_timeout = 10 * sim::kSecond;
  int clients = 1;
  clients::ClientConfig client;
};

using Ports = ports::Ports;

class World {
 public:
  World(const WorldConfig& config, sim::Tape& tape);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  sim::Simulator& sim() { return sim_; }
  sim::Network& net() { return net_; }
  service::ServiceNode& service() { return service_; }
  redis::RedisServer& redis() { return redis_; }
  postgres::Engine& postgres() { return postgres_; }
  rabbitmq::Broker& broker() { return broker_; }
  processor::PaymentProcessor& processor() { return processor_; }
  clients::History& history() { return history_; }
  const WorldConfig& config() const { return config_; }

  // The ports of the API service node.
  Ports service_ports() { return ports_for(service_.node()); }
  // The ports of another node (a worker that crashes on its own); made once
  // per node and kept for the world's lifetime.
  Ports ports_for(sim::Node& node);

  // Wraps every node's ports (fault injection at named points is a
  // decorator, not a branch inside the adapters). The decorator keeps what it
  // makes alive. REQUIRES: before install() and start().
  using PortsDecorator = std::function<Ports(sim::Node& node, Ports inner)>;
  void decorate_ports(PortsDecorator decorator) { decorator_ = std::move(decorator); }

  // Real mode: every node calls these backends (live servers) instead of the
  // models, whose nodes then stand idle; and `drive` runs the simulator
  // (on the wall clock) until `done` holds, false if it never did. REQUIRES:
  // before install() and start().
  using Driver = std::function<bool(const std::function<bool()>& done)>;
  void use_backends(Ports backends, Driver drive);
  bool real_backends() const { return backends_.has_value(); }

  // Serves the API with `strategy` (kept for the world's lifetime): its routes,
  // its workers (on their own nodes, or on the API node). REQUIRES: before
  // start().
  void install(strategies::Strategy& strategy);

  // The node called `name` ("api", "redis", "postgres", "rabbitmq",
  // "processor", "client-N"; "client" is client-1; a worker's name), or nullptr.
  sim::Node* find_node(const std::string& name);

  // Starts the service, runs the strategy's setup to completion, calls
  // `after_setup` (faults meant for the workload, not for the setup, are armed
  // there), then starts the strategy's workers and the configured clients.
  void start(const std::function<void()>& after_setup = {});
  // The strategy's setup did not succeed (a script's faults or run_limit can
  // make it fail; live servers can refuse it), and start() started nothing
  // else; setup_failure() says why.
  bool setup_failed() const { return setup_failed_; }
  const std::string& setup_failure() const { return setup_failure_; }
  sim::RunResult run() { return sim_.run(); }
  // Every client has finished its workload.
  bool clients_finished() const;

 private:
  struct NodePorts;
  NodePorts& make_ports(sim::Node& node);

  WorldConfig config_;
  sim::Simulator sim_;
  sim::Network net_;
  clients::History history_;
  MachineLoad machine_load_;  // the servers' one machine
  redis::RedisServer redis_;
  postgres::Engine postgres_;
  rabbitmq::Broker broker_;
  processor::PaymentProcessor processor_;
  service::ServiceNode service_;
  std::deque<std::unique_ptr<NodePorts>> node_ports_;
  PortsDecorator decorator_;
  std::optional<Ports> backends_;
  Driver drive_;
  bool setup_failed_ = false;
  std::string setup_failure_;
  std::vector<std::unique_ptr<clients::Client>> clients_;
  strategies::Strategy* strategy_ = nullptr;
  std::vector<std::unique_ptr<sim::Node>> worker_nodes_;
};

}  // namespace idemlab::models
