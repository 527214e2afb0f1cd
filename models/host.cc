#include "models/host.h"

#include <cassert>

#include "models/recording_ports.h"
#include "sim/state_writer.h"

namespace idemlab::models {
namespace {

// Each request, setup and boot of a worker is an actor of its own in the
// port history: its ports record what it does, for as long as it runs.
sim::Task<api::Response> handle_recorded(strategies::Strategy& strategy, Ports ports, PortHistory& history,
                                         api::Request request) {
  RecordingPorts recording(ports, history, history.new_actor("api request"));
  co_return co_await strategy.handle(recording.ports(), std::move(request));
}

sim::Task<void> run_recorded(std::function<sim::Task<void>(Ports)> run, Ports ports, PortHistory& history,
                             std::string actor) {
  RecordingPorts recording(ports, history, history.new_actor(actor));
  co_await run(recording.ports());
}

}  // namespace

Host::Host(const WorldConfig& config, sim::Tape& tape)
    : config_(config), sim_(tape, config.simulator), net_(sim_, config.network), service_(sim_, "api", config.service) {
  history_.reserve(static_cast<std::size_t>(config.clients) * static_cast<std::size_t>(config.client.intents));
  // Open-loop arrivals are the world's: each client takes its share.
  clients::ClientConfig client = config.client;
  if (client.arrivals.open_loop()) client.arrivals = client.arrivals.scaled(1, config.clients);
  for (int i = 1; i <= config.clients; ++i) {
    clients_.push_back(std::make_unique<clients::Client>(sim_, net_, "client-" + std::to_string(i), client,
                                                         service_, history_));
  }
}

Host::~Host() {
  // Processes hold port objects and wait on what the world holds: they end
  // first. (A derived world has ended them already, before its backends.)
  sim_.cancel_all();
}

Ports Host::ports_for(sim::Node& node) {
  const Ports inner = backend_ports(node);
  return decorator_ ? decorator_(node, inner) : inner;
}

sim::Node* Host::find_node(const std::string& name) {
  if (name == service_.node().name()) return &service_.node();
  if (sim::Node* backend = backend_node(name)) return backend;
  const std::string client = name == "client" ? "client-1" : name;
  for (auto& c : clients_) {
    if (c->node().name() == client) return &c->node();
  }
  for (auto& w : worker_nodes_) {
    if (w->name() == name) return w.get();
  }
  return nullptr;
}

std::uint64_t Host::short_circuited() const {
  std::uint64_t n = 0;
  for (const auto& client : clients_) n += client->breaker().rejected();
  return n;
}

bool Host::clients_finished() const {
  for (const auto& client : clients_) {
    if (!client->finished()) return false;
  }
  return true;
}

void Host::install(strategies::Strategy& strategy) {
  assert(strategy_ == nullptr && "one strategy per world");
  strategy_ = &strategy;
  const Ports ports = service_ports();
  auto handler = [this, &strategy, ports](api::Request request) {
    if (!config_.record_ports) return strategy.handle(ports, std::move(request));
    return handle_recorded(strategy, ports, port_history_, std::move(request));
  };
  service_.route("POST /payments", handler);
  service_.route("GET /payments/", handler);
  for (strategies::Worker& worker : strategy.workers()) {
    if (!worker.own_node) {
      service_.add_background(worker.name, [this, run = worker.run, name = worker.name, ports] {
        if (!config_.record_ports) return run(ports);
        return run_recorded(run, ports, port_history_, name);
      });
      continue;
    }
    // Its own node, crashing on its own; the boot routine restarts it.
    auto node = std::make_unique<sim::Node>(sim_, worker.name, [this, run = worker.run](sim::Node& n) -> sim::Task<void> {
      n.spawn(config_.record_ports ? run_recorded(run, ports_for(n), port_history_, n.name()) : run(ports_for(n)),
              "worker");
      co_return;
    });
    worker_nodes_.push_back(std::move(node));
  }
}

void Host::start(const std::function<void()>& after_setup) {
  service_.start();
  if (strategy_ != nullptr) {
    // Setup (tables, queues) runs alone, before any worker or client.
    struct Outcome {
      bool finished = false;
      bool ok = false;
      std::string why;
    } setup_outcome;
    auto setup = [](strategies::Strategy& strategy, Ports ports, PortHistory& history, Outcome& out) -> sim::Task<void> {
      RecordingPorts recording(ports, history, history.new_actor("setup"));
      auto result = co_await strategy.setup(recording.ports());
      out.ok = result.is_ok();
      if (!out.ok) out.why = std::string(ports::status_name(result.status())) + (result.message().empty() ? "" : ": " + result.message());
      out.finished = true;
    };
    service_.node().spawn(setup(*strategy_, service_ports(), port_history_, setup_outcome), "setup");
    // A script can make the setup fail (every request dropped, a run limit
    // shorter than the setup) and live servers can refuse it (a missing
    // privilege, a full disk): the caller reports it; nothing else starts.
    const bool finished = run_until([&setup_outcome] { return setup_outcome.finished; });
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

void Host::write_state(sim::StateWriter& out) {
  sim_.write_state(out);
  net_.write_state(out);
  service_.write_state(out);
  for (const std::unique_ptr<clients::Client>& c : clients_) c->write_state(out);
  for (const std::unique_ptr<sim::Node>& n : worker_nodes_) n->write_state(out);
  history_.write_state(out);
  port_history_.write_state(out);
}

}  // namespace idemlab::models
