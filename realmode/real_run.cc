#include "realmode/real_run.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "realmode/foreign_data.h"
#include "realmode/live_world.h"
#include "realmode/run_id.h"
#include "realmode/turnstile.h"
#include "scenarios/run_loop.h"

namespace idemlab::realmode {
namespace {

using scenarios::TargetedFault;

constexpr sim::Duration kQuietGrace = 15 * sim::kSecond;

// A fault's server actions, on the live servers. They are taken inside a
// process (at a port point), where an exception must not escape: a failure
// is kept, the run stops at once, and run_real reports it.
class LiveServerActions final : public scenarios::ServerActions {
 public:
  LiveServerActions(LiveBackends& live, bool redis_without_persistence, std::string scenario)
      : live_(live), redis_without_persistence_(redis_without_persistence), scenario_(std::move(scenario)) {}
  void restart_redis() override {
    attempt([this] { live_.restart_redis(redis_without_persistence_); });
  }
  void failover_redis() override {
    attempt([this] { live_.failover_redis(); });
  }
  void restart_postgres() override {
    attempt([this] { live_.restart_postgres(); });
  }
  void restart_broker() override {
    attempt([this] { live_.restart_broker(); });
  }

  bool failed() const { return !failure_.empty(); }
  // Throws what stopped the run: ForeignData, or RealRunError. REQUIRES: failed().
  [[noreturn]] void raise() const {
    assert(failed());
    if (refused_) throw ForeignData(failure_);
    throw RealRunError(failure_);
  }

 private:
  template <class Action>
  void attempt(Action action) {
    if (failed()) return;
    try {
      action();
    } catch (const InfraFailed& e) {
      failure_ = e.what();
    } catch (const ForeignData& e) {
      failure_ = scenario_ + ": " + e.what();
      refused_ = true;
    } catch (const Unreachable& e) {
      failure_ = e.what();
    }
  }

  LiveBackends& live_;
  bool redis_without_persistence_;
  std::string scenario_;
  std::string failure_;
  bool refused_ = false;
};

// Real mode's side of the run loop: the simulator on the wall clock, the
// live servers.
class LiveDriver final : public scenarios::RunDriver {
 public:
  LiveDriver(LiveWorld& world, LiveServerActions& actions, Turnstile* turnstile)
      : world_(world), loop_(world.loop()), live_(world.live()), actions_(actions), turnstile_(turnstile) {}

  sim::RunStop advance(sim::Time until) override {
    const sim::Duration step = until - world_.sim().now();
    if (step > 0) loop_.run([&] { return loop_.idle() || actions_.failed(); }, step);
    if (actions_.failed()) actions_.raise();
    // As the simulation's quiescence: nothing more can happen.
    return loop_.idle() ? sim::RunStop::kQuiescent : sim::RunStop::kTimeLimit;
  }
  bool queues_drained(const std::vector<std::string>& queues) override {
    for (const std::string& queue : queues) {
      if (live_.queue().has_pending(queue)) return false;
    }
    return true;
  }
  std::unique_ptr<checks::GroundTruth> truth() override { return live_.truth(world_.history(), world_.port_history(), world_.sim().now());
  }
  // Once the clients have finished and nothing is in flight, an open
  // liveness violation can only be closed by a background worker (a relay,
  // a recovery pass): it gets kQuietGrace, not the rest of run_limit, which
  // simulated time crosses at no cost but the wall clock would not.
  sim::Duration quiet_grace() const override { return kQuietGrace; }
  // A run that follows a schedule also waits for the schedule's last steps:
  // the simulation checks for its end once a simulated second, so a
  // background worker's last polls may be in the schedule after the point
  // the run could have ended (kQuietGrace bounds the wait).
  bool may_end() override { return turnstile_ == nullptr || turnstile_->done(); }
  void started() override {
    if (actions_.failed()) actions_.raise();
    if (turnstile_ != nullptr) world_.sim().spawn(turnstile_->watch_locks(), nullptr, "turnstile");
  }

 private:
  LiveWorld& world_;
  RealTimeLoop& loop_;
  LiveBackends& live_;
  LiveServerActions& actions_;
  Turnstile* turnstile_;
};

// The servers the script's faults restart, fail over or empty.
std::set<std::string> faulted_servers(const scenarios::Scenario& scenario) {
  std::set<std::string> out;
  for (const TargetedFault& f : scenario.faults) {
    switch (f.action) {
      case TargetedFault::Action::kRestartRedis:
      case TargetedFault::Action::kFailoverRedis: out.insert("redis"); break;
      case TargetedFault::Action::kRestartPostgres: out.insert("postgres"); break;
      case TargetedFault::Action::kRestartBroker: out.insert("rabbitmq"); break;
      default: break;
    }
  }
  return out;
}

bool fails_over_redis(const scenarios::Scenario& scenario) {
  return std::any_of(scenario.faults.begin(), scenario.faults.end(),
                     [](const TargetedFault& f) { return f.action == TargetedFault::Action::kFailoverRedis; });
}

bool has_random_faults(const sim::LinkConfig& link) {
  return link.drop_request.numerator != 0 || link.drop_reply.numerator != 0 || link.duplicate.numerator != 0 ||
         link.delay.numerator != 0;
}

}  // namespace

std::optional<std::string> real_mode_refusal(const scenarios::Scenario& scenario, const Servers& servers) {
  for (std::size_t i = 0; i < scenario.faults.size(); ++i) {
    const TargetedFault& f = scenario.faults[i];
    const std::string where = "$.faults[" + std::to_string(i) + "]";
    switch (f.action) {
      case TargetedFault::Action::kRestartRedis:
      case TargetedFault::Action::kFailoverRedis:
      case TargetedFault::Action::kRestartPostgres:
      case TargetedFault::Action::kRestartBroker:
        if (servers.infra.empty()) {
          return where + ": " + scenarios::action_name(f.action) +
                 " restarts a server: real mode does so only on the servers scripts/infra started "
                 "(pass --infra PATH, or set IDEMLAB_INFRA as `scripts/infra env` prints it)";
        }
        break;
      default: break;
    }
    const bool link = f.point.rfind("reply:", 0) == 0 || f.point.rfind("request:", 0) == 0;
    const bool dropping = f.action == TargetedFault::Action::kDropReply || f.action == TargetedFault::Action::kDropRequest;
    for (const std::string& node : scenarios::point_nodes(f.point)) {
      if (link && !scenarios::port_of_backend(node).empty() && !dropping) {
        return where + ": " + f.point + ": " + scenarios::action_name(f.action) + " on the link to " + node +
               " needs a simulated link; real mode drops requests and replies there at the port";
      }
    }
  }
  if (has_random_faults(scenario.world.network)) {
    return std::string("$.network: random faults on every link need simulated backend links; "
                       "real mode takes random faults on the client links only ($.client_link)");
  }
  return std::nullopt;
}

bool follows_schedule(const scenarios::Scenario& scenario, const std::string& strategy, std::uint64_t seed) {
  return scenario.schedule && scenario.schedule->strategy == strategy && scenario.schedule->seed == seed;
}

scenarios::RunReport run_real(const scenarios::Scenario& scenario, const strategies::StrategyInfo& info,
                              std::uint64_t seed, const Servers& servers, const scenarios::RunReport* simulated) {
  assert(!real_mode_refusal(scenario, servers));
  sim::RandomTape tape(seed);
  models::WorldConfig config = scenario.world;
  config.simulator.trace = sim::TraceLevel::kFull;
  LiveWorld world(config, tape, servers, new_run_id(), scenario.run_limit);
  LiveBackends& live = world.live();
  LiveServerActions actions(live, config.redis.persistence == models::redis::Persistence::kNone, scenario.name);
  scenarios::FaultPlan plan(world, scenario.faults, actions);
  plan.take_backend_link_faults_at_ports();
  // The servers a fault of the script would restart must hold nothing but
  // idemlab's: checked up front, and again just before each fault.
  for (const std::string& server : faulted_servers(scenario)) {
    try {
      live.refuse_if_foreign(server);
    } catch (const ForeignData& e) {
      throw ForeignData(scenario.name + ": " + e.what());
    }
  }
  if (simulated != nullptr) live.processor().follow(simulated->charge_decisions, simulated->refund_times);
  // On loopback the replica is a fraction of a millisecond behind; the
  // scenario's lag decides which writes a failover loses.
  if (fails_over_redis(scenario)) live.set_redis_lag(config.redis.replication_lag);
  std::unique_ptr<Turnstile> turnstile;
  if (follows_schedule(scenario, info.name, seed)) {
    turnstile = std::make_unique<Turnstile>(world.sim(), scenario.schedule->steps,
                                            [&live] { return live.sessions_waiting_on_locks(); });
    plan.follow(*turnstile);
  }
  std::unique_ptr<strategies::Strategy> strategy = info.make(scenario.options);
  // However the run ends (an exception too), its processes, which hold the
  // live ports, the fault plan and the strategy, end before those go: open
  // transactions roll back, consumers' channels close.
  struct EndProcesses {
    sim::Simulator& sim;
    ~EndProcesses() { sim.cancel_all(); }
  } end_processes{world.sim()};
  LiveDriver driver(world, actions, turnstile.get());
  scenarios::RunReport report = scenarios::run_loop(scenario, world, plan, *strategy, driver);
  if (actions.failed()) actions.raise();
  if (report.outcome == scenarios::RunOutcome::kSetupFailed) {
    throw RealRunError(info.name + " on the live servers: " + report.outcome_detail);
  }
  report.strategy = info.name;
  report.seed = seed;
  report.timeline = world.sim().trace().timeline();
  if (turnstile) {
    report.schedule_divergence = turnstile->divergence();
    report.schedule_steps_blocked = turnstile->steps_blocked();
    report.schedule_held_to_end = turnstile->held_to_end();
  }
  return report;
}

}  // namespace idemlab::realmode
