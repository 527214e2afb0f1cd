#include "realmode/real_run.h"

#include <algorithm>
#include <cassert>

#include "checks/latency.h"
#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "realmode/run_id.h"
#include "realmode/turnstile.h"

namespace idemlab::realmode {
namespace {

using scenarios::TargetedFault;

constexpr sim::Duration kQuietGrace = 15 * sim::kSecond;

// A fault's server actions, on the live servers. They are taken inside a
// process (at a port point), where an exception must not escape: a failure
// is kept, the run stops at once, and run_real reports it.
class LiveServerActions final : public scenarios::ServerActions {
 public:
  LiveServerActions(LiveBackends& live, bool redis_without_persistence)
      : live_(live), redis_without_persistence_(redis_without_persistence) {}
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
  const std::string& failure() const { return failure_; }

 private:
  template <class Action>
  void attempt(Action action) {
    if (failed()) return;
    try {
      action();
    } catch (const InfraFailed& e) {
      failure_ = e.what();
    }
  }

  LiveBackends& live_;
  bool redis_without_persistence_;
  std::string failure_;
};

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
  models::World world(config, tape);
  RealTimeLoop loop(world.sim());
  LiveBackends live(loop, servers, config, new_run_id());
  models::SimClock clock(world.sim());
  const sim::Duration limit = scenario.run_limit;
  world.use_backends(live.ports(clock), [&loop, limit](const std::function<bool()>& done) { return loop.run(done, limit); });
  scenarios::link_clients(world, scenario);
  scenarios::FaultPlan plan(world, scenario.faults);
  plan.take_backend_link_faults_at_ports();
  LiveServerActions actions(live, config.redis.persistence == models::redis::Persistence::kNone);
  plan.use_server_actions(actions);
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
  world.install(*strategy);
  world.start([&plan] { plan.arm_network_faults(); });
  if (actions.failed()) throw RealRunError(actions.failure());
  if (world.setup_failed()) {
    throw RealRunError("the " + info.name + " strategy's setup failed on the live servers");
  }

  world.sim().spawn(scenarios::end_fault_phase(world, scenario), nullptr, "calm");
  if (turnstile) world.sim().spawn(turnstile->watch_locks(), nullptr, "turnstile");

  const std::vector<std::string> queues = strategy->queues();
  auto settled = [&] {
    if (world.service().in_flight() != 0) return false;
    for (const std::string& queue : queues) {
      if (live.queue().has_pending(queue)) return false;
    }
    return true;
  };
  checks::CheckOptions check;
  check.liveness = true;
  auto nothing_pending = [&] { return !checks::liveness_open(*live.truth(world.history(), world.sim().now()), check); };
  scenarios::RunReport report;
  report.scenario = scenario.name;
  report.strategy = info.name;
  report.seed = seed;
  // Once the clients have finished and nothing is in flight, an open
  // liveness violation can only be closed by a background worker (a relay,
  // a recovery pass): it gets kQuietGrace, not the rest of run_limit, which
  // simulated time crosses at no cost but the wall clock would not.
  sim::Time quiet_since = -1;  // when the run last became quiet; -1: it is not
  for (;;) {
    const sim::Duration step = std::min<sim::Duration>(1 * sim::kSecond, scenario.run_limit - world.sim().now());
    if (step > 0) loop.run([&] { return loop.idle() || actions.failed(); }, step);
    if (actions.failed()) throw RealRunError(actions.failure());
    if (loop.idle()) {  // as the simulation's quiescence: nothing more can happen
      report.converged = true;
      break;
    }
    const bool quiet = world.sim().now() >= scenario.fault_phase && world.clients_finished() && settled();
    // A run that follows a schedule also waits for the schedule's last steps:
    // the simulation checks for its end once a simulated second, so a
    // background worker's last polls may be in the schedule after the point
    // the run could have ended (kQuietGrace bounds the wait).
    const bool schedule_done = !turnstile || turnstile->done();
    if (quiet && nothing_pending() && schedule_done) {
      report.converged = true;
      break;
    }
    if (!quiet) quiet_since = -1;
    if (quiet && quiet_since < 0) quiet_since = world.sim().now();
    if (quiet_since >= 0 && world.sim().now() - quiet_since >= kQuietGrace) break;
    if (world.sim().now() >= scenario.run_limit) break;
  }
  const std::unique_ptr<checks::GroundTruth> truth = live.truth(world.history(), world.sim().now());
  report.violations = checks::check(*truth, check);
  report.outcomes = checks::intent_outcomes(*truth);
  report.charges = truth->ledger().size();
  report.attempts = world.history().count(models::clients::HistoryEvent::Kind::kInvoke);
  report.latencies = checks::attempt_latencies(world.history());
  report.faults_taken = plan.taken();
  report.run.now = world.sim().now();
  report.run.events = world.sim().events_executed();
  report.timeline = world.sim().trace().timeline();
  report.trace_hash = world.sim().trace().hash();
  if (turnstile) {
    report.schedule_divergence = turnstile->divergence();
    report.schedule_steps_blocked = turnstile->steps_blocked();
    report.schedule_held_to_end = turnstile->held_to_end();
  }
  return report;
}

}  // namespace idemlab::realmode
