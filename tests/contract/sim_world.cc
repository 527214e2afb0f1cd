// The simulator's ContractWorld: a service node, Redis on its own node, a
// network with constant 100 us links, and fault control on the models.
#include <catch2/catch.hpp>

#include "models/postgres/sim_sql.h"
#include "models/rabbitmq/sim_queue.h"
#include "models/processor/sim_processor.h"
#include "models/redis/sim_kv.h"
#include "models/sim_clock.h"
#include "sim/network.h"
#include "sim/node.h"
#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

// Longer than deadlock_timeout, so that lock waits end at the server, not by the client giving up.
constexpr sim::Duration kCallTimeout = 5 * sim::kSecond;

class SimWorld final : public ContractWorld, public ports::FaultControl {
 public:
  explicit SimWorld(const Settings& settings)
      : tape_(1),
        sim_(tape_, options()),
        net_(sim_),
        service_(sim_, "service"),
        redis_(sim_, "redis", settings.redis),
        postgres_(sim_, "postgres", settings.postgres),
        broker_(sim_, net_, "rabbitmq", settings.rabbitmq),
        payments_(sim_, "processor", settings.processor),
        kv_(net_, service_, redis_, kCallTimeout),
        sql_(net_, service_, postgres_, kCallTimeout),
        queue_(net_, service_, broker_, kCallTimeout),
        processor_(net_, service_, payments_, kCallTimeout),
        clock_(sim_) {
    sim::LinkConfig link;
    link.latency = sim::LatencyModel::constant(100 * sim::kMicrosecond);
    net_.set_defaults(link);
    service_.start();
  }
  ~SimWorld() override { sim_.cancel_all(); }

  ports::Clock& clock() override { return clock_; }
  ports::Kv& kv() override { return kv_; }
  ports::Sql& sql() override { return sql_; }
  ports::Queue& queue() override { return queue_; }
  ports::Processor& processor() override { return processor_; }
  std::int64_t charges_for(const std::string& intent) override { return payments_.charges_for(intent); }
  ports::FaultControl& faults() override { return *this; }
  bool exact_timing() const override { return true; }

  void start(sim::Task<void> task) override { service_.spawn(std::move(task), "rule"); }
  void run() override {
    const sim::RunResult r = sim_.run();
    REQUIRE(r.stop == sim::RunStop::kQuiescent);
    REQUIRE(sim_.live_processes() == 0);
  }

  // FaultControl
  sim::Task<void> restart_redis() override {
    redis_.restart();
    co_return;
  }
  sim::Task<void> failover_redis() override {
    redis_.failover();
    co_return;
  }
  void drop_next_redis_reply() override { net_.inject(service_, redis_.node(), sim::Fault::kDropReply); }
  void stop_redis() override { redis_.crash(); }
  void start_redis() override { redis_.start(); }
  sim::Task<void> restart_postgres() override {
    postgres_.restart();
    co_return;
  }
  void drop_next_postgres_reply() override { net_.inject(service_, postgres_.node(), sim::Fault::kDropReply); }
  sim::Task<void> restart_broker() override {
    broker_.restart();
    co_return;
  }
  void drop_next_broker_reply() override { net_.inject(service_, broker_.node(), sim::Fault::kDropReply); }
  void drop_next_processor_reply() override { net_.inject(service_, payments_.node(), sim::Fault::kDropReply); }

 private:
  static sim::SimulatorOptions options() {
    sim::SimulatorOptions o;
    o.trace = sim::TraceLevel::kFull;
    return o;
  }

  sim::RandomTape tape_;
  sim::Simulator sim_;
  sim::Network net_;
  sim::Node service_;
  models::redis::RedisServer redis_;
  models::postgres::Engine postgres_;
  models::rabbitmq::Broker broker_;
  models::processor::PaymentProcessor payments_;
  models::redis::SimKv kv_;
  models::postgres::SimSql sql_;
  models::rabbitmq::SimQueue queue_;
  models::processor::SimProcessor processor_;
  models::SimClock clock_;
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
