// The simulator's ContractWorld: a models::World without clients, whose
// rules run as processes of the API service node, over 100 us links, with
// fault control on the models.
#include <catch2/catch.hpp>

#include "models/world.h"
#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

// Longer than deadlock_timeout, so that lock waits end at the server, not by
// the client giving up.
constexpr sim::Duration kCallTimeout = 5 * sim::kSecond;

models::WorldConfig world_config(const Settings& settings) {
  models::WorldConfig config;
  config.simulator.trace = sim::TraceLevel::kFull;
  config.network.latency = sim::LatencyModel::constant(100 * sim::kMicrosecond);
  config.redis = settings.redis;
  config.postgres = settings.postgres;
  config.rabbitmq = settings.rabbitmq;
  config.processor = settings.processor;
  config.redis_timeout = kCallTimeout;
  config.postgres_timeout = kCallTimeout;
  config.rabbitmq_timeout = kCallTimeout;
  config.processor_timeout = kCallTimeout;
  config.clients = 0;
  return config;
}

class SimWorld final : public ContractWorld, public ports::FaultControl {
 public:
  explicit SimWorld(const Settings& settings) : tape_(1), world_(world_config(settings), tape_) { world_.start(); }

  ports::Clock& clock() override { return world_.service_ports().clock; }
  ports::Kv& kv() override { return world_.service_ports().kv; }
  ports::Sql& sql() override { return world_.service_ports().sql; }
  ports::Queue& queue() override { return world_.service_ports().queue; }
  ports::Processor& processor() override { return world_.service_ports().processor; }
  std::int64_t charges_for(const std::string& intent) override { return world_.processor().charges_for(intent); }
  ports::FaultControl& faults() override { return *this; }
  bool exact_timing() const override { return true; }

  void start(sim::Task<void> task) override { world_.service().node().spawn(std::move(task), "rule"); }
  void run() override {
    const sim::RunResult r = world_.run();
    REQUIRE(r.stop == sim::RunStop::kQuiescent);
    REQUIRE(world_.sim().live_processes() == 0);
  }

  // FaultControl
  sim::Task<void> restart_redis() override {
    world_.redis().restart();
    co_return;
  }
  sim::Task<void> failover_redis() override {
    world_.redis().failover();
    co_return;
  }
  void drop_next_redis_reply() override { drop_next_reply(world_.redis().node()); }
  void stop_redis() override { world_.redis().crash(); }
  void start_redis() override { world_.redis().start(); }
  sim::Task<void> restart_postgres() override {
    world_.postgres().restart();
    co_return;
  }
  void drop_next_postgres_reply() override { drop_next_reply(world_.postgres().node()); }
  sim::Task<void> restart_broker() override {
    world_.broker().restart();
    co_return;
  }
  void drop_next_broker_reply() override { drop_next_reply(world_.broker().node()); }
  void drop_next_processor_reply() override { drop_next_reply(world_.processor().node()); }

 private:
  void drop_next_reply(sim::Node& server) {
    world_.net().inject(world_.service().node(), server, sim::Fault::kDropReply);
  }

  sim::RandomTape tape_;
  models::World world_;
};

}  // namespace

std::unique_ptr<ContractWorld> make_sim_world(const Settings& settings) {
  return std::make_unique<SimWorld>(settings);
}

void run_in_sim(Rule rule, const Settings& settings) {
  auto world = make_sim_world(settings);
  world->start(rule(*world));
  world->run();
}

}  // namespace idemlab::contract
