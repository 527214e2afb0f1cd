#include "models/world.h"

#include <cassert>

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
      service_(sim_, "api", config.service) {
  redis_.share_machine_load(machine_load_);
  postgres_.share_machine_load(machine_load_);
  broker_.share_machine_load(machine_load_);
  processor_.share_machine_load(machine_load_);
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

void World::use_backends(Ports backends, Driver drive) {
  assert(strategy_ == nullptr && node_ports_.empty());
  backends_.emplace(backends);
  drive_ = std::move(drive);
}

Ports World::ports_for(sim::Node& node) {
  if (backends_) return decorator_ ? decorator_(node, *backends_) : *backends_;
  NodePorts* raw = nullptr;
  for (auto& existing : node_ports_) {
    if (existing->owner == &node) raw = existing.get();
  }
  if (raw == nullptr) raw = &make_ports(node);
  return decorator_ ? decorator_(node, raw->ports()) : raw->ports();
}

sim::Node* World::find_node(const std::string& name) {
  if (name == service_.node().name()) return &service_.node();
  if (name == redis_.node().name()) return &redis_.node();
  if (name == postgres_.node().name()) return &postgres_.node();
  if (name == broker_.node().name()) return &broker_.node();
  if (name == processor_.node().name()) return &processor_.node();
  const std::string client = name == "client" ? "client-1" : name;
  for (auto& c : clients_) {
    if (c->node().name() == client) return &c->node();
  }
  for (auto& w : worker_nodes_) {
    if (w->name() == name) return w.get();
  }
  return nullptr;
}

bool World::clients_finished() const {
  for (const auto& client : clients_) {
    if (!client->finished()) return false;
  }
  return true;
}

void World::install(strategies::Strategy& strategy) {
  assert(strategy_ == nullptr && "one strategy per world");
  strategy_ = &strategy;
  const Ports ports = service_ports();
  auto handler = [&strategy, ports](api::Request request) { return strategy.handle(ports, std::move(request)); };
  service_.route("POST /payments", handler);
  service_.route("GET /payments/", handler);
  for (strategies::Worker& worker : strategy.workers()) {
    if (!worker.own_node) {
      service_.add_background(worker.name, [run = worker.run, ports] { return run(ports); });
      continue;
    }
    // Its own node, crashing on its own; the boot routine restarts it.
    auto node = std::make_unique<sim::Node>(sim_, worker.name, [this, run = worker.run](sim::Node& n) -> sim::Task<void> {
      n.spawn(run(ports_for(n)), "worker");
      co_return;
    });
    worker_nodes_.push_back(std::move(node));
  }
}

void World::start(const std::function<void()>& after_setup) {
  service_.start();
  if (strategy_ != nullptr) {
    // Setup (tables, queues) runs alone, before any worker or client.
    struct Outcome {
      bool finished = false;
      bool ok = false;
      std::string why;
    } setup_outcome;
    auto setup = [](strategies::Strategy& strategy, Ports ports, Outcome& out) -> sim::Task<void> {
      auto result = co_await strategy.setup(ports);
      out.ok = result.is_ok();
      if (!out.ok) out.why = std::string(ports::status_name(result.status())) + (result.message().empty() ? "" : ": " + result.message());
      out.finished = true;
    };
    service_.node().spawn(setup(*strategy_, service_ports(), setup_outcome), "setup");
    // A script can make the setup fail (every request dropped, a run limit
    // shorter than the setup) and live servers can refuse it (a missing
    // privilege, a full disk): the caller reports it; nothing else starts.
    const bool finished = drive_ ? drive_([&setup_outcome] { return setup_outcome.finished; })
                                 : (sim_.run(), setup_outcome.finished);
    if (!finished || !setup_outcome.ok) {
      setup_failed_ = true;
      setup_failure_ = !finished ? "had not finished at " + sim::format_time(sim_.now()) + " (run_limit)"
                                 : "returned " + setup_outcome.why;
      return;
    }
  }
  if (after_setup) after_setup();
  for (auto& node : worker_nodes_) node->start();
  for (auto& client : clients_) client->start();
}

}  // namespace idemlab::models
