// What the simulated and the live worlds share: the simulator, the network
// the clients cross, the API service node, the nodes of the strategy's
// workers, the clients and their history; installing a strategy and
// starting it. Each world is a composition root that derives from Host and
// names its own backends: the models (models::World, TigerBeetle's
// testing/cluster.zig) or the live servers (realmode::LiveWorld, its
// tigerbeetle/main.zig). The run loop, the fault plan and the checker see a
// Host.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "models/clients/client.h"
#include "models/clients/history.h"
#include "models/port_history.h"
#include "models/service/service_node.h"
#include "models/world_config.h"
#include "sim/network.h"
#include "sim/simulator.h"
#include "strategies/ports/ports.h"
#include "strategies/strategy.h"

namespace idemlab::models {

using Ports = ports::Ports;

class Host {
 public:
  Host(const WorldConfig& config, sim::Tape& tape);
  virtual ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  sim::Simulator& sim() { return sim_; }
  sim::Network& net() { return net_; }
  service::ServiceNode& service() { return service_; }
  clients::History& history() { return history_; }
  // What the strategy did through its ports, by whom (models/port_history.h).
  const PortHistory& port_history() const { return port_history_; }
  const WorldConfig& config() const { return config_; }

  // The ports of the API service node.
  Ports service_ports() { return ports_for(service_.node()); }
  // The ports of a node (the service's, or a worker's that crashes on its
  // own), as the world's backends and the decorator make them.
  Ports ports_for(sim::Node& node);

  // Wraps every node's ports (fault injection at named points is a
  // decorator, not a branch inside the adapters). The decorator keeps what it
  // makes alive. REQUIRES: before install() and start().
  using PortsDecorator = std::function<Ports(sim::Node& node, Ports inner)>;
  void decorate_ports(PortsDecorator decorator) { decorator_ = std::move(decorator); }

  // Serves the API with `strategy` (kept for the world's lifetime): its routes,
  // its workers (on their own nodes, or on the API node). REQUIRES: before
  // start().
  void install(strategies::Strategy& strategy);

  // The node called `name` ("api", "client-N"; "client" is client-1; a
  // worker's name; a simulated backend: "redis", "postgres", "rabbitmq",
  // "processor"), or nullptr.
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
  // Every client has finished its workload.
  bool clients_finished() const;
  // Attempts the clients' circuit breakers failed without sending them.
  std::uint64_t short_circuited() const;

  // The world's state for state hashing (REQUIRES: the simulator keeps
  // positions): the simulator, the network, the service, every client and
  // worker node, the history, and (World) every backend model.
  virtual void write_state(sim::StateWriter& out);

 protected:
  // The ports through which `node` reaches the world's backends, before the
  // decorator; the same objects each time for one node.
  virtual Ports backend_ports(sim::Node& node) = 0;
  // The backend node called `name`, or nullptr (the live servers are no nodes).
  virtual sim::Node* backend_node(const std::string& name) = 0;
  // Runs the world until `done` holds, or until the run's bound: whether it
  // held (the strategy's setup, before anything else has started).
  virtual bool run_until(const std::function<bool()>& done) = 0;

 private:
  WorldConfig config_;
  sim::Simulator sim_;
  sim::Network net_;
  clients::History history_;
  PortHistory port_history_;
  service::ServiceNode service_;
  PortsDecorator decorator_;
  bool setup_failed_ = false;
  std::string setup_failure_;
  std::vector<std::unique_ptr<clients::Client>> clients_;
  strategies::Strategy* strategy_ = nullptr;
  std::vector<std::unique_ptr<sim::Node>> worker_nodes_;
};

}  // namespace idemlab::models
