#include "serve/served_strategy.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "realmode/live_world.h"
#include "realmode/real_run.h"
#include "realmode/run_id.h"
#include "scenarios/fault_plan.h"
#include "sim/tape.h"

namespace idemlab::serve {
namespace {

using realmode::RealTimeLoop;

// Longer than any server stays up: the loop runs until told to stop.
constexpr sim::Duration kForever = std::numeric_limits<sim::Duration>::max() / 4;

models::WorldConfig world_config(const ServeOptions& options) {
  models::WorldConfig config;
  config.clients = 0;  // the clients are the HTTP callers
  config.record_ports = false;
  config.simulator.trace = sim::TraceLevel::kOff;
  config.simulator.limits.events_max = std::numeric_limits<std::uint64_t>::max();
  config.service.workers = options.workers;
  config.service.queue_max = options.queue;
  config.service.overhead = sim::LatencyModel::constant(0);  // httplib's parsing is real
  // As the simulated processor's default (log-normal, sigma 0.4), with its
  // cap raised for a slower median; 0: charges take no time but the ledger's.
  const sim::Duration median = options.processing_median;
  config.processor.processing_time =
      median == 0 ? sim::LatencyModel::constant(0)
                  : sim::LatencyModel::log_normal(median, 0.4, std::max(2 * sim::kSecond, 10 * median));
  return config;
}

// Server faults are not among the admin faults: nothing calls these.
class NoServerActions final : public scenarios::ServerActions {
 public:
  void restart_redis() override { assert(false && "serve restarts no server"); }
  void failover_redis() override { assert(false && "serve restarts no server"); }
  void restart_postgres() override { assert(false && "serve restarts no server"); }
  void restart_broker() override { assert(false && "serve restarts no server"); }
};

}  // namespace

// The loop thread's world. Every member is touched from that thread only,
// through RealTimeLoop::post.
class ServedStrategy::World {
 public:
  World(const strategies::StrategyInfo& info, const realmode::Servers& servers, const ServeOptions& options,
        const std::string& run_id)
      : config_(world_config(options)),
        tape_(options.seed),
        world_(config_, tape_, servers, run_id, options.setup_limit),
        plan_(world_, {}, actions_),
        strategy_(info.make(options.strategy)) {
    world_.install(*strategy_);
    world_.start();
    if (world_.setup_failed()) {
      throw realmode::RealRunError(info.name + " on the live servers: its setup " + world_.setup_failure());
    }
  }
  ~World() { world_.sim().cancel_all(); }  // before the strategy and the plan go

  RealTimeLoop& loop() { return world_.loop(); }

  // Serves one request on the API node, as the simulated network does.
  void serve(api::Request request, std::shared_ptr<std::promise<Answer>> answer) {
    sim::Node& node = world_.service().node();
    if (!node.up()) {
      answer->set_value(Answer{Answer::Kind::kLost, {}});
      return;
    }
    ++in_flight_;
    node.spawn(serve_one(std::move(request), std::move(answer)), "http request");
  }

  void arm(const AdminFault& fault) {
    switch (fault.kind) {
      case AdminFault::Kind::kCrashAfterCharge: {
        scenarios::TargetedFault crash;
        crash.point = "after:processor.charge@api";
        crash.action = scenarios::TargetedFault::Action::kCrash;
        crash.downtime = fault.length;
        for (std::uint64_t i = 1; i <= fault.count; ++i) {
          crash.nth = i;
          plan_.arm_next(crash);
        }
        break;
      }
      case AdminFault::Kind::kDropReply: drop_replies_ += fault.count; break;
      case AdminFault::Kind::kSlowProcessor:
        world_.live().processor().begin_episode(fault.slowdown_milli, fault.errors, fault.length);
        break;
    }
  }

  std::vector<LedgerLine> ledger() {
    std::vector<LedgerLine> out;
    for (const models::processor::LedgerEntry& e : world_.live().processor().ledger()) {
      out.push_back(LedgerLine{e.id(), e.intent, e.amount});
    }
    return out;
  }

  bool quiet() {
    if (in_flight_ > 0) return false;
    for (const std::string& queue : strategy_->queues()) {
      if (world_.live().queue().has_pending(queue)) return false;
    }
    return true;
  }

  bool api_up() { return world_.service().node().up(); }

 private:
  // Answers the caller however the process ends: a crash of the API node
  // destroys the frame, and the caller's connection closes unanswered.
  struct Pending {
    World& world;
    std::shared_ptr<std::promise<Answer>> answer;
    ~Pending() {
      --world.in_flight_;
      if (answer) answer->set_value(Answer{Answer::Kind::kLost, {}});
    }
    void give(Answer a) {
      answer->set_value(std::move(a));
      answer.reset();
    }
  };

  sim::Task<void> serve_one(api::Request request, std::shared_ptr<std::promise<Answer>> answer) {
    Pending pending{*this, std::move(answer)};
    sim::Task<api::Response> handled = world_.service().handle(std::move(request));
    api::Response response = co_await std::move(handled);
    Answer out{Answer::Kind::kReply, std::move(response)};
    if (drop_replies_ > 0) {
      --drop_replies_;
      out.kind = Answer::Kind::kDropReply;
    }
    pending.give(std::move(out));
  }

  models::WorldConfig config_;
  sim::RandomTape tape_;
  realmode::LiveWorld world_;
  NoServerActions actions_;
  scenarios::FaultPlan plan_;
  std::unique_ptr<strategies::Strategy> strategy_;
  int in_flight_ = 0;
  std::uint64_t drop_replies_ = 0;
};

ServedStrategy::ServedStrategy(const strategies::StrategyInfo& info, const realmode::Servers& servers,
                               const ServeOptions& options)
    : name_(info.name), run_id_(realmode::new_run_id()), answers_lookups_(info.make(options.strategy)->answers_lookups()) {
  std::promise<void> ready;
  std::future<void> started = ready.get_future();
  thread_ = std::thread([this, &info, &servers, &options, &ready] { run(info, servers, options, ready); });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

ServedStrategy::~ServedStrategy() {
  stopping_ = true;
  thread_.join();
}

void ServedStrategy::run(const strategies::StrategyInfo& info, const realmode::Servers& servers,
                         const ServeOptions& options, std::promise<void>& ready) {
  std::unique_ptr<World> world;
  try {
    world = std::make_unique<World>(info, servers, options, run_id_);
  } catch (...) {
    ready.set_exception(std::current_exception());
    return;
  }
  world_ = world.get();
  ready.set_value();  // `info`, `servers` and `options` may go from here on
  RealTimeLoop& loop = world->loop();
  loop.run(
      [this, &world] {
        up_ = world->api_up();
        return stopping_.load();
      },
      kForever);
  world.reset();  // removes what the run made, from this thread, as it was made
}

std::future<Answer> ServedStrategy::submit(api::Request request) {
  auto answer = std::make_shared<std::promise<Answer>>();
  std::future<Answer> out = answer->get_future();
  World* world = world_;
  world->loop().post([world, request = std::move(request), answer]() mutable {
    world->serve(std::move(request), std::move(answer));
  });
  return out;
}

void ServedStrategy::arm(const AdminFault& fault) {
  World* world = world_;
  world->loop().post([world, fault] { world->arm(fault); });
}

std::vector<LedgerLine> ServedStrategy::ledger() {
  auto lines = std::make_shared<std::promise<std::vector<LedgerLine>>>();
  std::future<std::vector<LedgerLine>> out = lines->get_future();
  World* world = world_;
  world->loop().post([world, lines] {
    try {
      lines->set_value(world->ledger());
    } catch (...) {
      lines->set_exception(std::current_exception());
    }
  });
  return out.get();
}

bool ServedStrategy::drain(sim::Duration grace) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(grace);
  World* world = world_;
  for (;;) {
    auto quiet = std::make_shared<std::promise<bool>>();
    std::future<bool> answer = quiet->get_future();
    world->loop().post([world, quiet] { quiet->set_value(world->quiet()); });
    if (answer.get()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace idemlab::serve
