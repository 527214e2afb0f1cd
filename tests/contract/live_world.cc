// The live ContractWorld: the rules run as processes of a service node on
// real mode's loop, over the live Redis, PostgreSQL and RabbitMQ of
// scripts/infra (URLs from IDEMLAB_REDIS, IDEMLAB_PG, IDEMLAB_AMQP) and the
// processor's ledger, all of it under the run's id (realmode::LiveBackends,
// as real mode's runs use). Lost replies are the port decorators' (the
// operation is made, the caller sees a timeout). Server faults go through
// scripts/infra (IDEMLAB_INFRA), which leaves the servers as it found them.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>

#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "realmode/redis_kv.h"
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
  const char* infra = std::getenv("IDEMLAB_INFRA");
  return realmode::Servers{live_endpoint("IDEMLAB_REDIS", "redis"), live_endpoint("IDEMLAB_PG", "postgresql"),
                           live_endpoint("IDEMLAB_AMQP", "amqp"), infra != nullptr ? infra : ""};
}

// The live Redis fsyncs its append-only file every second (scripts/infra);
// a rule of the model's appendfsync always sets it so for its own time, and
// the server is given back as it was. (A restart starts it from
// scripts/infra's settings again.)
class FsyncAlways {
 public:
  explicit FsyncAlways(const realmode::Endpoint& redis) : redis_(redis, kCallTimeout) {
    redis_.connect();
    const realmode::RedisConnection::Reply set = redis_.command({"CONFIG", "SET", "appendfsync", "always"});
    REQUIRE(set.status == ports::Status::kOk);
  }
  ~FsyncAlways() {
    // After a restart the first command finds the old connection gone, and
    // the second makes a new one; a restarted server is at everysec anyway.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (redis_.command({"CONFIG", "SET", "appendfsync", "everysec"}).status == ports::Status::kOk) return;
    }
  }
  FsyncAlways(const FsyncAlways&) = delete;
  FsyncAlways& operator=(const FsyncAlways&) = delete;

 private:
  realmode::RedisConnection redis_;
};

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
      : redis_without_persistence_(settings.redis.persistence == models::redis::Persistence::kNone),
        fsync_always_(settings.redis.persistence == models::redis::Persistence::kAlways
                          ? std::make_unique<FsyncAlways>(live_servers().redis)
                          : nullptr),
        backends_(live_.loop, live_servers(), live_config(settings), live_.run_id),
        clock_(live_.sim),
        service_(live_.sim, "api"),
        faulty_(backends_.ports(clock_), drops_, service_) {
    service_.start();
    // A rule with a replica holds it as far behind as the model's.
    if (settings.redis.replica) server_fault([&] { backends_.set_redis_lag(settings.redis.replication_lag); });
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

  // FaultControl. A server fault stands the world still until the server is
  // back, as the models' take no time.
  sim::Task<void> restart_redis() override {
    server_fault([this] { backends_.restart_redis(redis_without_persistence_); });
    co_return;
  }
  sim::Task<void> failover_redis() override {
    server_fault([this] { backends_.failover_redis(); });
    co_return;
  }
  void stop_redis() override {
    server_fault([this] { backends_.stop_redis(); });
  }
  void start_redis() override {
    server_fault([this] { backends_.start_redis(); });
  }
  sim::Task<void> restart_postgres() override {
    server_fault([this] { backends_.restart_postgres(); });
    co_return;
  }
  sim::Task<void> restart_broker() override {
    server_fault([this] { backends_.restart_broker(); });
    co_return;
  }
  void drop_next_redis_reply() override { drops_.arm("kv"); }
  void drop_next_postgres_reply() override { drops_.arm("sql"); }
  void drop_next_broker_reply() override { drops_.arm("queue"); }
  void drop_next_processor_reply() override { drops_.arm("processor"); }

 private:
  // Called from rules' processes too, where no exception may escape: a
  // failure is a failed check, and the rule goes on to fail its own.
  template <class Fault>
  void server_fault(Fault fault) {
    if (!backends_.can_fault_servers()) {
      FAIL_CHECK("IDEMLAB_INFRA is not set: server faults go through scripts/infra (export scripts/infra env)");
      return;
    }
    try {
      fault();
    } catch (const realmode::InfraFailed& e) {
      FAIL_CHECK(e.what());
    }
  }

  bool redis_without_persistence_;
  std::unique_ptr<FsyncAlways> fsync_always_;  // gives the setting back last
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
