#include "scenarios/run_loop.h"

#include <algorithm>

#include "checks/latency.h"

namespace idemlab::scenarios {
namespace {

// Every client's links to and from the service become `link`: a call's
// request follows the caller's link, its reply (latency, drop_reply) the
// link back (sim::Network::reply_survives), so both are set.
void set_client_links(models::Host& world, const sim::LinkConfig& link) {
  for (int i = 1; i <= world.config().clients; ++i) {
    const sim::Node& client = *world.find_node("client-" + std::to_string(i));
    world.net().link(client, world.service().node()) = link;
    world.net().link(world.service().node(), client) = link;
  }
}

// The liveness phase: random faults stop, retries must converge.
sim::Task<void> end_fault_phase(models::Host& world, const Scenario& scenario) {
  co_await world.sim().sleep(scenario.fault_phase);
  auto clean = [](sim::LinkConfig link) {
    link.drop_request = link.drop_reply = link.duplicate = link.delay = sim::Ratio{0, 1};
    return link;
  };
  world.net().set_defaults(clean(world.config().network));
  if (scenario.client_link) set_client_links(world, clean(*scenario.client_link));
}

}  // namespace

const char* outcome_name(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kJudged: return "judged";
    case RunOutcome::kDidNotConverge: return "did not converge";
    case RunOutcome::kSetupFailed: return "set-up failed";
    case RunOutcome::kWorkloadNeverStarted: return "workload never started";
  }
  return "?";
}

std::string ending_text(const RunReport& report) {
  return report.outcome == RunOutcome::kJudged ? "converged" : report.outcome_detail;
}

RunReport run_loop(const Scenario& scenario, models::Host& world, FaultPlan& plan, strategies::Strategy& strategy,
                   RunDriver& driver) {
  RunReport report;
  report.scenario = scenario.name;
  if (scenario.client_link) set_client_links(world, *scenario.client_link);
  world.install(strategy);
  world.start([&plan] { plan.arm_network_faults(); });
  report.faults_taken = plan.taken();
  report.faults_not_taken = plan.not_taken();
  if (world.setup_failed()) {
    report.outcome = RunOutcome::kSetupFailed;
    report.outcome_detail = "set-up failed: the strategy's setup " + world.setup_failure();
    report.run.now = world.sim().now();
    report.run.events = world.sim().events_executed();
    report.trace_hash = world.sim().trace().hash();
    return report;
  }
  world.sim().spawn(end_fault_phase(world, scenario), nullptr, "calm");
  driver.started();

  // Background workers poll for ever, so a world with workers never runs
  // out of events. After the fault phase it is quiet once every client has
  // finished, no request is still being served (a client that gave up does
  // not stop the charge it started) and the strategy's queues are drained.
  // It has converged once it is quiet and nothing that more time could still
  // bring (an unresolved intent, an unpublished outbox event, an unfinished
  // saga) is pending; or once nothing at all can happen any more.
  const std::vector<std::string> queues = strategy.queues();
  auto quiet = [&] {
    return world.sim().now() >= scenario.fault_phase && world.clients_finished() &&
           world.service().in_flight() == 0 && driver.queues_drained(queues);
  };
  checks::CheckOptions check;
  check.liveness = true;
  check.invariants = &scenario.invariants;
  auto liveness_open = [&] { return checks::liveness_open(*driver.truth(), check); };
  // The liveness check reads the whole world. A small world is checked at
  // every step; a load run's thousands of intents at doubling intervals
  // once quiet, or a run that stays open to run_limit would spend its time
  // judging.
  const std::uint64_t payments = static_cast<std::uint64_t>(world.config().clients) *
                                 static_cast<std::uint64_t>(world.config().client.intents);
  const bool back_off = payments > kLivenessEveryStepPayments;
  sim::Duration check_gap = 1 * sim::kSecond;
  sim::Time next_check = 0;
  sim::RunStop stop = sim::RunStop::kTimeLimit;
  bool settled = false;            // quiet at the end, whether or not liveness was still open
  sim::Time quiet_since = -1;      // when the run last became quiet; -1: it is not
  for (;;) {
    const sim::Time step_end = std::min(world.sim().now() + 1 * sim::kSecond, scenario.run_limit);
    stop = driver.advance(step_end);
    if (stop == sim::RunStop::kQuiescent) {
      settled = true;
      break;
    }
    if (stop == sim::RunStop::kEventLimit) break;
    const bool now_quiet = quiet();
    if (now_quiet && driver.may_end() && world.sim().now() >= next_check) {
      if (!liveness_open()) {
        settled = true;
        break;
      }
      if (back_off) {
        next_check = world.sim().now() + check_gap;
        check_gap *= 2;
      }
    }
    if (!now_quiet) {
      quiet_since = -1;
      check_gap = 1 * sim::kSecond;
      next_check = 0;
    }
    if (now_quiet && quiet_since < 0) quiet_since = world.sim().now();
    if (quiet_since >= 0 && world.sim().now() - quiet_since >= driver.quiet_grace()) {
      settled = true;
      break;
    }
    if (world.sim().now() >= scenario.run_limit) {
      settled = now_quiet;
      break;
    }
  }
  report.run.stop = stop;
  report.run.now = world.sim().now();
  report.run.events = world.sim().events_executed();
  report.converged = settled;
  const std::uint64_t attempts = world.history().count(models::clients::HistoryEvent::Kind::kInvoke);
  if (attempts == 0 && world.config().clients > 0 && world.config().client.intents > 0) {
    report.outcome = RunOutcome::kWorkloadNeverStarted;
    report.outcome_detail = "the workload never started: no client had sent a request by " +
                            sim::format_time(report.run.now) + " (run_limit " + sim::duration_text(scenario.run_limit) +
                            "; see $.workload.think_mean)";
  } else if (!settled) {
    report.outcome = RunOutcome::kDidNotConverge;
    report.outcome_detail = stop == sim::RunStop::kEventLimit
                                ? "did not converge within " + std::to_string(report.run.events) +
                                      " events (the bound on one run's events)"
                                : "did not converge within run_limit (" + sim::duration_text(scenario.run_limit) +
                                      "): clients or background work still busy";
    // Only what no more time could mend is judged: liveness is not.
    check.liveness = false;
  }
  const std::unique_ptr<checks::GroundTruth> truth = driver.truth();
  report.violations = checks::check(*truth, check);
  report.outcomes = checks::intent_outcomes(*truth);
  report.charges = truth->ledger().size();
  report.attempts = attempts;
  report.latencies = checks::attempt_latencies(world.history());
  report.timings = checks::intent_timings(world.history(), truth->ledger());
  report.shed = world.service().rejected();
  report.short_circuited = world.short_circuited();
  report.faults_taken = plan.taken();
  report.faults_not_taken = plan.not_taken();
  report.trace_hash = world.sim().trace().hash();
  return report;
}

}  // namespace idemlab::scenarios
