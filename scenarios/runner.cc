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

void StoragePeak::take_max(const StoragePeak& other) {
  redis_bytes = std::max(redis_bytes, other.redis_bytes);
  postgres_bytes = std::max(postgres_bytes, other.postgres_bytes);
  broker_messages = std::max(broker_messages, other.broker_messages);
}

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

namespace {

// One simulated run on `tape`; what run_once and run_on_tape share.
RunReport run_world(const Scenario& scenario, const strategies::StrategyInfo& info, sim::Tape& tape,
                    sim::TieOrder ties, sim::TraceLevel trace, RunMode mode, std::uint64_t seed,
                    WorldProbe* probe = nullptr) {
  models::WorldConfig config = scenario.world;
  config.simulator.trace = trace;
  config.simulator.ties = ties;
  config.simulator.positions = probe != nullptr;
  config.simulator.limits.time_max = scenario.run_limit;
  config.simulator.limits.events_max = run_events_max(scenario);
  models::World world(config, tape);
  ModelActions actions(world);
  FaultPlan plan(world, scenario.faults, actions);
  if (mode == RunMode::kRecord || mode == RunMode::kReplay) plan.keep_steps();
  if (mode == RunMode::kSites) plan.record_sites();
  std::unique_ptr<strategies::Strategy> strategy = info.make(scenario.options);
  SimDriver driver(world);
  if (probe != nullptr) {
    probe->attach(world, plan);
    world.sim().set_after_event([probe] { probe->after_event(); });
  }
  RunReport report = run_loop(scenario, world, plan, *strategy, driver);
  if (probe != nullptr) {
    world.sim().set_after_event(nullptr);
    probe->finished();
  }
  report.strategy = info.name;
  report.seed = seed;
  report.disturbances = tape.disturbances() + report.faults_taken.size() +
                        (report.attempts > report.outcomes.size() ? report.attempts - report.outcomes.size() : 0);
  report.charge_decisions = world.processor().charge_decisions();
  report.refund_times = world.processor().refund_times();
  report.order_hash = world.sim().trace().order_hash();
  report.storage.redis_bytes = world.redis().primary().used_memory_peak();
  for (const std::string& table : world.postgres().table_names()) {
    const models::postgres::Engine::Storage bytes = world.postgres().storage(table);
    report.storage.postgres_bytes += bytes.live_bytes + bytes.dead_bytes;
  }
  report.storage.broker_messages = world.broker().messages_peak();
  const std::string* backends[] = {&world.redis().node().name(), &world.postgres().node().name(),
                                   &world.broker().node().name(), &world.processor().node().name()};
  for (const auto& [link, calls] : plan.link_calls()) {
    for (const std::string* backend : backends) {
      if (link.second == *backend) report.backend_calls[link.second] += calls;
    }
  }
  if (trace == sim::TraceLevel::kFull) {
    report.timeline = world.sim().trace().timeline();
    report.json_lines = world.sim().trace().json_lines();
    report.trace = world.sim().trace().records();
  }
  if (mode == RunMode::kSites) {
    report.port_sites = plan.port_sites();
    for (const auto& [link, calls] : plan.link_calls()) report.link_uses.push_back({link.first, link.second, calls});
  }
  if (mode == RunMode::kRecord || mode == RunMode::kReplay) {
    report.schedule.strategy = info.name;
    report.schedule.seed = seed;
    report.schedule.ties_on_tape = ties == sim::TieOrder::kTape;
    report.schedule.steps = plan.steps();
    report.schedule.faults_taken = plan.taken();
  }
  return report;
}

}  // namespace

RunReport run_once(const Scenario& scenario, const strategies::StrategyInfo& info, std::uint64_t seed,
                   sim::TraceLevel trace, RunMode mode) {
  assert(mode != RunMode::kReplay || scenario.schedule.has_value());
  if (mode == RunMode::kReplay) {
    sim::ReplayTape replay(scenario.schedule->tape);
    const sim::TieOrder ties = scenario.schedule->ties_on_tape ? sim::TieOrder::kTape : sim::TieOrder::kFifo;
    RunReport report = run_world(scenario, info, replay, ties, trace, mode, seed);
    report.schedule_divergence = first_difference(scenario.schedule->steps, report.schedule.steps);
    report.schedule = Schedule{};
    if (report.schedule_divergence.empty() && !replay.divergence().empty()) {
      report.schedule_divergence = "decision tape: " + replay.divergence();
    }
    if (report.schedule_divergence.empty() && !replay.exhausted()) {
      report.schedule_divergence = "decision tape: the run ended with " +
                                   std::to_string(scenario.schedule->tape.size() - replay.position()) +
                                   " recorded draws unused";
    }
    return report;
  }
  sim::RandomTape tape(seed, mode == RunMode::kRecord);
  RunReport report = run_world(scenario, info, tape, sim::TieOrder::kFifo, trace, mode, seed);
  if (mode == RunMode::kRecord) report.schedule.tape = tape.recorded();
  return report;
}

RunReport run_on_tape(const Scenario& scenario, const strategies::StrategyInfo& info, std::uint64_t seed,
                      sim::Tape& tape, sim::TraceLevel trace, bool keep_steps, WorldProbe* probe) {
  return run_world(scenario, info, tape, sim::TieOrder::kTape, trace, keep_steps ? RunMode::kRecord : RunMode::kSeed,
                   seed, probe);
}

}  // namespace idemlab::scenarios
