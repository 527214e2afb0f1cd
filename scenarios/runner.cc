#include <algorithm>
#include <cassert>
#include <memory>

#include "checks/latency.h"
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

}  // namespace

void link_clients(models::World& world, const Scenario& scenario) {
  if (!scenario.client_link) return;
  for (int i = 1; i <= world.config().clients; ++i) {
    world.net().link(*world.find_node("client-" + std::to_string(i)), world.service().node()) = *scenario.client_link;
  }
}

sim::Task<void> end_fault_phase(models::World& world, const Scenario& scenario) {
  // The liveness phase: random faults stop, retries must converge.
  co_await world.sim().sleep(scenario.fault_phase);
  sim::LinkConfig clean = world.config().network;
  clean.drop_request = clean.drop_reply = clean.duplicate = clean.delay = sim::Ratio{0, 1};
  world.net().set_defaults(clean);
  if (scenario.client_link) {
    sim::LinkConfig client_clean = *scenario.client_link;
    client_clean.drop_request = client_clean.drop_reply = client_clean.duplicate = client_clean.delay = sim::Ratio{0, 1};
    for (int i = 1; i <= world.config().clients; ++i) {
      world.net().link(*world.find_node("client-" + std::to_string(i)), world.service().node()) = client_clean;
    }
  }
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
  models::World world(config, tape);
  link_clients(world, scenario);
  FaultPlan plan(world, scenario.faults);
  if (mode != RunMode::kSeed) plan.keep_steps();
  std::unique_ptr<strategies::Strategy> strategy = info.make(scenario.options);
  world.install(*strategy);
  world.start([&plan] { plan.arm_network_faults(); });

  world.sim().spawn(end_fault_phase(world, scenario), nullptr, "calm");

  RunReport report;
  report.scenario = scenario.name;
  report.strategy = info.name;
  report.seed = seed;
  // Background workers poll for ever, so a world with workers never runs out
  // of events: after the fault phase, it has converged once every client has
  // finished, no request is still being served (a client that gave up does
  // not stop the charge it started), the strategy's queues are drained, and
  // nothing that more time could still bring (an unresolved intent, an
  // unpublished outbox event, an unfinished saga) is pending. Otherwise it
  // runs to run_limit, the bound of the liveness phase.
  const std::vector<std::string> queues = strategy->queues();
  auto settled = [&] {
    for (const std::string& queue : queues) {
      if (world.broker().has_queue(queue) &&
          (world.broker().ready_count(queue) > 0 || world.broker().unacked_count(queue) > 0)) {
        return false;
      }
    }
    return world.service().in_flight() == 0;
  };
  checks::CheckOptions check;
  // The liveness phase is bounded: at its end every intent must be resolved,
  // whether or not the world went quiet.
  check.liveness = true;
  const std::unique_ptr<checks::GroundTruth> truth = checks::model_truth(world);
  auto nothing_pending = [&] { return !checks::liveness_open(*truth, check); };
  for (;;) {
    const sim::Time step_end = std::min(world.sim().now() + 1 * sim::kSecond, scenario.run_limit);
    report.run = world.sim().run_until(step_end);
    if (report.run.stop == sim::RunStop::kQuiescent) break;
    if (world.sim().now() >= scenario.fault_phase && world.clients_finished() && settled() && nothing_pending()) break;
    if (world.sim().now() >= scenario.run_limit) break;
  }
  report.converged = report.run.stop == sim::RunStop::kQuiescent || (world.clients_finished() && settled());
  report.run.events = world.sim().events_executed();  // the whole run's, not the last step's
  report.violations = checks::check_world(world, check);
  report.outcomes = checks::intent_outcomes(*checks::model_truth(world));
  report.trace_hash = world.sim().trace().hash();
  report.charges = world.processor().ledger().size();
  report.attempts = world.history().count(models::clients::HistoryEvent::Kind::kInvoke);
  report.latencies = checks::attempt_latencies(world.history());
  report.charge_decisions = world.processor().charge_decisions();
  report.refund_times = world.processor().refund_times();
  report.faults_taken = plan.taken();
  if (trace == sim::TraceLevel::kFull) {
    report.timeline = world.sim().trace().timeline();
    report.json_lines = world.sim().trace().json_lines();
    report.trace = world.sim().trace().records();
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
