// The live ContractWorld: the rules run as processes of a service node on
// real mode's loop, over the live Redis, PostgreSQL and RabbitMQ of
// scripts/infra (URLs from IDEMLAB_REDIS, IDEMLAB_PG, IDEMLAB_AMQP) and the
// processor's ledger, all of it under the run's id (realmode::LiveBackends,
// as real mode's runs use). Lost replies are the port decorators' (the
// operation is made, the caller sees a timeout).
#include <catch2/catch.hpp>

#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "strategies/ports/faulty_ports.h"
#include "tests/contract/contract.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::contract {
namespace {

using realmode::live_endpoint;

constexpr sim::Duration kCallTimeout = 5 * sim::kSecond;

// The servers as scripts/infra's environment names them (a test fails
// without it), the call timeouts, and the rule's processor settings.
realmode::Servers live_servers() {
  return realmode::Servers{live_endpoint("IDEMLAB_REDIS", "redis"), live_endpoint("IDEMLAB_PG", "postgresql"),
                           live_endpoint("IDEMLAB_AMQP", "amqp")};
}

models::WorldConfig live_config(const Settings& settings) {
  models::WorldConfig config;
  config.redis_timeout = config.rabbitmq_timeout = config.processor_timeout = kCallTimeout;
  config.processor = settings.processor;
  return config;
}

// Drops the reply of the next operation on a chosen port, once.
class DropNextReply final : public ports::FaultHook {
 public:
  void arm(std::string prefix) { armed_.insert(std::move(prefix)); }
  Verdict hit(const std::string& point, sim::Node&) override {
    if (point.rfind("after:", 0) != 0) return Verdict::kContinue;
    const std::string port = point.substr(6, point.find('.') - 6);  // "after:kv.set" -> "kv"
    return armed_.erase(port) > 0 ? Verdict::kDrop : Verdict::kContinue;
  }

 private:
  std::set<std::string> armed_;
};

class LiveWorld final : public ContractWorld, public ports::FaultControl {
 public:
  explicit LiveWorld(const Settings& settings)
      : backends_(live_.loop, live_servers(), live_config(settings), live_.run_id),
        clock_(live_.sim),
        service_(live_.sim, "api"),
        faulty_(backends_.ports(clock_), drops_, service_) {
    service_.start();
  }
  ~LiveWorld() override {
    service_.crash();  // rules that ended early leave no process behind
  }

  ports::Clock& clock() override { return clock_; }
  ports::Kv& kv() override { return faulty_.ports().kv; }
  ports::Sql& sql() override { return faulty_.ports().sql; }
  ports::Queue& queue() override { return faulty_.ports().queue; }
  ports::Processor& processor() override { return faulty_.ports().processor; }
  std::int64_t charges_for(const std::string& intent) override { return backends_.processor().charges_for(intent); }
  ports::FaultControl& faults() override { return *this; }
  bool exact_timing() const override { return false; }

  void start(sim::Task<void> task) override {
    auto counted = [](sim::Task<void> inner, int& running) -> sim::Task<void> {
      co_await std::move(inner);
      --running;
    };
    ++running_;
    service_.spawn(counted(std::move(task), running_), "rule");
  }
  void run() override {
    REQUIRE(live_.loop.run([this] { return running_ == 0; }, 120 * sim::kSecond));
  }

  // FaultControl: server restarts are SIM_CONTRACT_TESTs for now; a rule
  // calling one here is a bug in its registration.
  sim::Task<void> restart_redis() override { unsupported("restart_redis"); co_return; }
  sim::Task<void> failover_redis() override { unsupported("failover_redis"); co_return; }
  void stop_redis() override { unsupported("stop_redis"); }
  void start_redis() override { unsupported("start_redis"); }
  sim::Task<void> restart_postgres() override { unsupported("restart_postgres"); co_return; }
  sim::Task<void> restart_broker() override { unsupported("restart_broker"); co_return; }
  void drop_next_redis_reply() override { drops_.arm("kv"); }
  void drop_next_postgres_reply() override { drops_.arm("sql"); }
  void drop_next_broker_reply() override { drops_.arm("queue"); }
  void drop_next_processor_reply() override { drops_.arm("processor"); }

 private:
  [[noreturn]] static void unsupported(const char* fault) {
    FAIL(fault << " is not available on the live servers: register the rule with SIM_CONTRACT_TEST");
    std::abort();
  }

  realmode::LiveLoop live_;
  realmode::LiveBackends backends_;  // removes what the rule made when it goes
  models::SimClock clock_;
  sim::Node service_;
  DropNextReply drops_;
  ports::FaultyPorts faulty_;
  int running_ = 0;
};

}  // namespace

void run_live(Rule rule, const Settings& settings) {
  LiveWorld world(settings);
  world.start(rule(world));
  world.run();
}

}  // namespace idemlab::contract
