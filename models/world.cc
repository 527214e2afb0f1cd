#include "models/world.h"

namespace idemlab::models {

struct World::NodePorts {
  NodePorts(World& w, sim::Node& node)
      : owner(&node),
        clock(w.sim_),
        kv(w.net_, node, w.redis_, w.config_.redis_timeout),
        sql(w.net_, node, w.postgres_, w.config_.postgres_timeout),
        queue(w.net_, node, w.broker_, w.config_.rabbitmq_timeout),
        processor(w.net_, node, w.processor_, w.config_.processor_timeout) {}

  Ports ports() { return Ports{clock, kv, sql, queue, processor}; }

  sim::Node* owner;
  SimClock clock;
  redis::SimKv kv;
  postgres::SimSql sql;
  rabbitmq::SimQueue queue;
  processor::SimProcessor processor;
};

World::World(const WorldConfig& config, sim::Tape& tape)
    : config_(config),
      sim_(tape, config.simulator),
      net_(sim_, config.network),
      redis_(sim_, "redis", config.redis),
      postgres_(sim_, "postgres", config.postgres),
      broker_(sim_, net_, "rabbitmq", config.rabbitmq),
      processor_(sim_, "processor", config.processor),
      service_(sim_, "api", config.service),
      service_ports_(make_ports(service_.node()).ports()) {
  history_.reserve(static_cast<std::size_t>(config.clients) * static_cast<std::size_t>(config.client.intents));
  for (int i = 1; i <= config.clients; ++i) {
    clients_.push_back(std::make_unique<clients::Client>(sim_, net_, "client-" + std::to_string(i), config.client,
                                                         service_, history_));
  }
}

World::~World() {
  // Processes wait on the models and hold port objects: end them first.
  sim_.cancel_all();
}

World::NodePorts& World::make_ports(sim::Node& node) {
  node_ports_.push_back(std::make_unique<NodePorts>(*this, node));
  return *node_ports_.back();
}

Ports World::ports_for(sim::Node& node) {
  for (auto& existing : node_ports_) {
    if (existing->owner == &node) return existing->ports();
  }
  return make_ports(node).ports();
}

void World::start() {
  service_.start();
  for (auto& client : clients_) client->start();
}

}  // namespace idemlab::models
