#include "models/world.h"

#include "sim/state_writer.h"
#include "models/postgres/sim_sql.h"
#include "models/processor/sim_processor.h"
#include "models/rabbitmq/sim_queue.h"
#include "models/redis/sim_kv.h"
#include "models/sim_clock.h"

namespace idemlab::models {

// One node's ports: over its own links to the models.
struct World::NodePorts {
  NodePorts(World& w, sim::Node& node)
      : owner(&node),
        clock(w.sim()),
        kv(w.net(), node, w.redis_, w.config().redis_timeout),
        sql(w.net(), node, w.postgres_, w.config().postgres_timeout),
        queue(w.net(), node, w.broker_, w.config().rabbitmq_timeout),
        processor(w.net(), node, w.processor_, w.config().processor_timeout) {}

  Ports ports() { return Ports{clock, kv, sql, queue, processor}; }

  sim::Node* owner;
  SimClock clock;
  redis::SimKv kv;
  postgres::SimSql sql;
  rabbitmq::SimQueue queue;
  processor::SimProcessor processor;
};

World::World(const WorldConfig& config, sim::Tape& tape)
    : Host(config, tape),
      redis_(sim(), "redis", config.redis),
      postgres_(sim(), "postgres", config.postgres),
      broker_(sim(), net(), "rabbitmq", config.rabbitmq),
      processor_(sim(), "processor", config.processor) {
  redis_.share_machine_load(machine_load_);
  postgres_.share_machine_load(machine_load_);
  broker_.share_machine_load(machine_load_);
  processor_.share_machine_load(machine_load_);
}

World::~World() {
  // Processes wait on the models and hold port objects: end them first.
  sim().cancel_all();
}

Ports World::backend_ports(sim::Node& node) {
  for (auto& existing : node_ports_) {
    if (existing->owner == &node) return existing->ports();
  }
  node_ports_.push_back(std::make_unique<NodePorts>(*this, node));
  return node_ports_.back()->ports();
}

sim::Node* World::backend_node(const std::string& name) {
  if (name == redis_.node().name()) return &redis_.node();
  if (name == postgres_.node().name()) return &postgres_.node();
  if (name == broker_.node().name()) return &broker_.node();
  if (name == processor_.node().name()) return &processor_.node();
  return nullptr;
}

void World::write_state(sim::StateWriter& out) {
  Host::write_state(out);
  machine_load_.write_state(out);
  redis_.write_state(out);
  postgres_.write_state(out);
  broker_.write_state(out);
  processor_.write_state(out);
}

}  // namespace idemlab::models
