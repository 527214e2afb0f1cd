// Contract tests: the behaviour rules of each backend, written once against
// the ports and run in every world that implements them (the simulator's
// models, and real mode's live servers). A rule is a coroutine over a
// ContractWorld; the CONTRACT_TEST macro registers it as a Catch2 test named
// after the rule, "sim: ..." in contract_tests and "live: ..." in
// contract_live_tests (the same sources, built with IDEMLAB_CONTRACT_LIVE).
// SIM_CONTRACT_TEST registers a rule in the simulator only, with the reason
// the live servers cannot show it: such a rule is never skipped, it is not
// registered.
//
// Inside the coroutine use CHECK, not REQUIRE: an exception escaping a task
// terminates the program (expected failures are values). Never co_await
// inside CHECK(...): g++ 12 evaluates the await twice there (the macro repeats
// its expression); await into a variable, then check it. scripts/lint_coroutines
// enforces this.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "models/postgres/engine.h"
#include "models/processor/processor.h"
#include "models/rabbitmq/broker.h"
#include "models/redis/server.h"
#include "sim/task.h"
#include "strategies/ports/clock.h"
#include "strategies/ports/fault_control.h"
#include "strategies/ports/kv.h"
#include "strategies/ports/processor.h"
#include "strategies/ports/queue.h"
#include "strategies/ports/sql.h"

namespace idemlab::contract {

// Server settings a rule needs; each world applies them to its servers.
struct Settings {
  models::redis::RedisConfig redis;
  models::postgres::PgConfig postgres;
  models::rabbitmq::BrokerConfig rabbitmq;
  models::processor::ProcessorConfig processor;
};

class ContractWorld {
 public:
  virtual ~ContractWorld() = default;

  virtual ports::Clock& clock() = 0;
  virtual ports::Kv& kv() = 0;
  virtual ports::Sql& sql() = 0;
  virtual ports::Queue& queue() = 0;
  virtual ports::Processor& processor() = 0;
  // Ground truth: successful charges of `intent` in the processor's ledger.
  virtual std::int64_t charges_for(const std::string& intent) = 0;
  virtual ports::FaultControl& faults() = 0;

  // Whether the world controls time and timing exactly (the simulator does;
  // live servers fsync and replicate when they please). Rules about exact
  // loss windows only assert what a world can promise.
  virtual bool exact_timing() const = 0;

  // Runs `task` concurrently with the others started, as a process of the
  // service. run() returns when every one has finished.
  virtual void start(sim::Task<void> task) = 0;
  virtual void run() = 0;
};

using Rule = sim::Task<void> (*)(ContractWorld& world);

// Runs `rule` alone in a fresh world of each kind. The live world applies
// the processor's settings (the processor is ours); the servers run as
// scripts/infra configured them, so rules that need other server settings
// are SIM_CONTRACT_TESTs.
std::unique_ptr<ContractWorld> make_sim_world(const Settings& settings);
void run_in_sim(Rule rule, const Settings& settings);
void run_live(Rule rule, const Settings& settings);

}  // namespace idemlab::contract

#define IDEMLAB_CONTRACT_CONCAT2(a, b) a##b
#define IDEMLAB_CONTRACT_CONCAT(a, b) IDEMLAB_CONTRACT_CONCAT2(a, b)

#ifdef IDEMLAB_CONTRACT_LIVE
#define IDEMLAB_CONTRACT_WORLD "live: "
#define IDEMLAB_CONTRACT_TAGS "[contract][live]"
#define IDEMLAB_CONTRACT_RUN ::idemlab::contract::run_live
#else
#define IDEMLAB_CONTRACT_WORLD "sim: "
#define IDEMLAB_CONTRACT_TAGS "[contract][sim]"
#define IDEMLAB_CONTRACT_RUN ::idemlab::contract::run_in_sim
#endif

// CONTRACT_TEST("rule", settings) { ... co_await ... } with `world` in scope.
#define CONTRACT_TEST(name, settings) \
  IDEMLAB_CONTRACT_TEST_IMPL(name, settings, IDEMLAB_CONTRACT_CONCAT(contract_rule_, __LINE__))
#define IDEMLAB_CONTRACT_TEST_IMPL(name, settings, fn)                                                 \
  static ::idemlab::sim::Task<void> fn(::idemlab::contract::ContractWorld& world);                     \
  TEST_CASE(IDEMLAB_CONTRACT_WORLD name, IDEMLAB_CONTRACT_TAGS) { IDEMLAB_CONTRACT_RUN(&fn, settings); } \
  static ::idemlab::sim::Task<void> fn([[maybe_unused]] ::idemlab::contract::ContractWorld& world)

// SIM_CONTRACT_TEST("rule", settings, "why the live servers cannot show it").
#ifdef IDEMLAB_CONTRACT_LIVE
// (The settings stay compiled, in a lambda never called, so that their
// helpers are used in this build too.)
#define SIM_CONTRACT_TEST(name, settings, why)                                                           \
  [[maybe_unused]] static const auto IDEMLAB_CONTRACT_CONCAT(contract_settings_, __LINE__) = [] { return settings; }; \
  [[maybe_unused]] static ::idemlab::sim::Task<void> IDEMLAB_CONTRACT_CONCAT(contract_rule_, __LINE__)( \
      [[maybe_unused]] ::idemlab::contract::ContractWorld& world)
#else
#define SIM_CONTRACT_TEST(name, settings, why) CONTRACT_TEST(name, settings)
#endif
