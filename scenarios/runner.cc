#include <algorithm>
#include <cassert>
#include <memory>

#include "models/world.h"
#include "scenarios/run_loop.h"
#include "scenarios/scenario.h"

namespace idemlab::scenarios {

namespace {

// The first step where `actual` departs from `expected`, in words; empty if none.
std::string first_difference(const std::vector<ScheduleStep>& expected, const std::vector<ScheduleStep>& actual) {
  auto text = [](const ScheduleStep& s) { return s.op + " by " + s.process + " on " + s.node; };
  for (std::size_t i = 0; i < std::max(expected.size(), actual.size()); ++i) {
    const std::string n = "step " + std::to_string(i + 1) + ": ";
    if (i >= actual.size()) return n + "the run ended before " + text(expected[i]);
    if (i >= expected.size()) return n + "the run went on with " + text(actual[i]);
    if (!(expected[i] == actual[i])) return n + "expected " + text(expected[i]) + ", the run made " + text(actual[i]);
  }
  return {};
}

// A fault's server actions, on the models.
class ModelActions final : public ServerActions {
 public:
  explicit ModelActions(models::World& world) : world_(world) {}
  void restart_redis() override { world_.redis().restart(); }
  void failover_redis() override { world_.redis().failover(); }
  void restart_postgres() override { world_.postgres().restart(); }
  void restart_broker() override { world_.broker().restart(); }

 private:
  models::World& world_;
};

// The simulator's side of the run loop: virtual time, the models.
class SimDriver final : public RunDriver {
 public:
  explicit SimDriver(models::World& world) : world_(world) {}
  sim::RunStop advance(sim::Time until) override { return world_.sim().run_until(until).stop; }
  bool queues_drained(const std::vector<std::string>& queues) override {
    for (const std::string& queue : queues) {
      if (world_.broker().has_queue(queue) &&
          (world_.broker().ready_count(queue) > 0 || world_.broker().unacked_count(queue) > 0)) {
        return false;
      }
    }
    return true;
  }
  std::unique_ptr<checks::GroundTruth> truth() override { return checks::model_truth(world_); }
  // Simulated time costs nothing: a quiet world with a liveness violation
  // open runs on to run_limit, the bound of the liveness phase.
  sim::Duration quiet_grace() const override { return sim::kTimeNever; }

 private:
  models::World& world_;
};

}  // namespace

bool violates(const RunReport& report, const std::string& invariant) {
  for (const checks::Violation& v : report.violations) {
    if (v.invariant == invariant) return true;
  }
  return false;
}

std::uint64_t run_events_max(const Scenario& scenario) {
  if (scenario.event_limit) return *scenario.event_limit;
  const auto payments = static_cast<std::uint64_t>(scenario.world.clients) *
                        static_cast<std::uint64_t>(scenario.world.client.intents);
  return kRunEventsBase + kRunEventsPerPayment * payments;
}

RunReport run_once(const Scenario& scenario, const strategies::StrategyInfo& info, std::uint64_t seed,
                   sim::TraceLevel trace, RunMode mode) {
  assert(mode != RunMode::kReplay || scenario.schedule.has_value());
  std::unique_ptr<sim::Tape> tape_owner;
  if (mode == RunMode::kReplay) {
    tape_owner = std::make_unique<sim::ReplayTape>(scenario.schedule->tape);
  } else {
    tape_owner = std::make_unique<sim::RandomTape>(seed, mode == RunMode::kRecord);
  }
  sim::Tape& tape = *tape_owner;
  models::WorldConfig config = scenario.world;
  config.simulator.trace = trace;
  config.simulator.limits.time_max = scenario.run_limit;
  config.simulator.limits.events_max = run_events_max(scenario);
  models::World world(config, tape);
  ModelActions actions(world);
  FaultPlan plan(world, scenario.faults, actions);
  if (mode == RunMode::kRecord || mode == RunMode::kReplay) plan.keep_steps();
  if (mode == RunMode::kSites) plan.record_sites();
  std::unique_ptr<strategies::Strategy> strategy = info.make(scenario.options);
  SimDriver driver(world);
  RunReport report = run_loop(scenario, world, plan, *strategy, driver);
  report.strategy = info.name;
  report.seed = seed;
  report.charge_decisions = world.processor().charge_decisions();
  report.refund_times = world.processor().refund_times();
  if (trace == sim::TraceLevel::kFull) {
    report.timeline = world.sim().trace().timeline();
    report.json_lines = world.sim().trace().json_lines();
    report.trace = world.sim().trace().records();
  }
  if (mode == RunMode::kSites) {
    report.port_sites = plan.port_sites();
    for (const auto& [link, calls] : plan.link_calls()) report.link_uses.push_back({link.first, link.second, calls});
  }
  if (mode == RunMode::kRecord) {
    report.schedule.strategy = info.name;
    report.schedule.seed = seed;
    report.schedule.tape = static_cast<sim::RandomTape&>(tape).recorded();
    report.schedule.steps = plan.steps();
    report.schedule.faults_taken = plan.taken();
  }
  if (mode == RunMode::kReplay) {
    const auto& replay = static_cast<sim::ReplayTape&>(tape);
    report.schedule_divergence = first_difference(scenario.schedule->steps, plan.steps());
    if (report.schedule_divergence.empty() && !replay.divergence().empty()) {
      report.schedule_divergence = "decision tape: " + replay.divergence();
    }
    if (report.schedule_divergence.empty() && !replay.exhausted()) {
      report.schedule_divergence = "decision tape: the run ended with " +
                                   std::to_string(scenario.schedule->tape.size() - replay.position()) +
                                   " recorded draws unused";
    }
  }
  return report;
}

}  // namespace idemlab::scenarios
