// Planted bugs (tests/planted/planted.h): explore finds each one from a
// workload-only script with the fewest faults that expose it, breadth first,
// and finds nothing in the correct twin under the same search.
#include <catch2/catch.hpp>

#include "scenarios/explore.h"
#include "scenarios/scenario_json.h"
#include "scenarios/shipped.h"
#include "tests/planted/planted.h"

namespace idemlab::scenarios {
namespace {

using Action = TargetedFault::Action;

ExploreOptions workload_only(int faults, std::set<Action> actions = {}) {
  ExploreOptions o;
  o.faults_max = faults;
  o.keep_script_faults = false;
  o.actions = std::move(actions);
  return o;
}

// Delays of the network's extra_delay only: a request held past the API's
// processor timeout is an unknown outcome, which no lock survives without a
// downstream key (a bug of another kind than the lock's TTL).
ExploreOptions slow_calls_only() {
  ExploreOptions o = workload_only(1, {Action::kDelay});
  o.delays_past_timeout = false;
  return o;
}

// One client paying once, retrying every second after a 2 s timeout, and
// the world's faults taken out: what the search starts from.
Scenario one_payment() { return find_scenario("crash_after_charge_before_commit"); }

// The same client against a processor that answers in about 150 ms, with
// delays (when the search places one) of 3 s: longer than the client's
// timeout and its backoff together, shorter than the API's processor timeout.
Scenario one_payment_slow_links() {
  return parse_scenario(R"({
    "format": "idemlab-scenario/1",
    "name": "one_payment_slow_links",
    "clients": 1,
    "workload": {"intents": 1},
    "client": {"request_timeout": "2s", "give_up_after": "120s",
               "retry": {"backoff": "fixed", "base": "1s", "attempts_max": 150, "retry_409": true}},
    "network": {"latency": {"constant": "1ms"}, "extra_delay": {"constant": "3s"}},
    "processor": {"processing_time": {"log_normal": {"median": "150ms", "sigma": 0.4, "cap": "900ms"}}},
    "strategy_options": {"lock_ttl": "60s"},
    "timeouts": {"processor": "30s"},
    "run_limit": "600s"
  })", "one_payment_slow_links");
}

// The violation `planted` shows breadth first: it needs exactly `faults`
// faults, placed where `where` says (a part of their text), and `fixed`,
// searched the same way to the end, shows none.
void check_planted(const Scenario& s, const strategies::StrategyInfo& planted, const strategies::StrategyInfo& fixed,
                   const ExploreOptions& options, const std::string& invariant, std::size_t faults,
                   const std::string& where) {
  const ExploreResult safe = explore(s, fixed, options);
  CHECK(safe.exhausted);
  CHECK(safe.runs > 5);  // every site of the fault-free run, every action allowed
  for (const auto& [name, example] : safe.first) FAIL_CHECK(fixed.name << " violates " << name << ": " << example.evidence);

  const ExploreResult found = explore(s, planted, options);
  INFO(planted.name << ": " << found.runs << " runs");
  REQUIRE(found.first.count(invariant));
  const Counterexample& c = found.first.at(invariant);
  std::string placement;
  for (const TargetedFault& f : c.added) placement += fault_text(f) + "; ";
  INFO("first counterexample at run " << c.run << ": " << placement << c.evidence);
  CHECK(c.added.size() == faults);
  CHECK(placement.find(where) != std::string::npos);
}

TEST_CASE("planted: a claim deleted on a processor error lets the retry charge again under a new payment id") {
  check_planted(one_payment(), planted::claim_released_on_error(true), planted::claim_released_on_error(false),
                workload_only(1), "at_most_one_charge", 1, "processor.charge");
}

TEST_CASE("planted: a lookup and a claim in two transactions let two copies of one request both charge") {
  check_planted(one_payment(), planted::check_and_insert_apart(true), planted::check_and_insert_apart(false),
                workload_only(1), "at_most_one_charge", 1, "postgres");  // a slow statement makes them overlap
}

TEST_CASE("planted: a consumer that acks on receipt loses the payment when it crashes before the commit") {
  check_planted(one_payment(), planted::ack_before_commit(true), planted::ack_before_commit(false), workload_only(1),
                "every_intent_resolved", 1,
                "crash at after:queue.ack@payments-consumer");
}

TEST_CASE("planted: a lock shorter than the work lets a retry charge while the first holder still is") {
  check_planted(one_payment_slow_links(), planted::lock_shorter_than_work(true), planted::lock_shorter_than_work(false),
                slow_calls_only(), "at_most_one_charge", 1, "delay at request:api->processor");
}

TEST_CASE("planted: the bugs are not in the fault-free run, so the search is what finds them") {
  for (const strategies::StrategyInfo* planted :
       {&planted::claim_released_on_error(true), &planted::check_and_insert_apart(true),
        &planted::ack_before_commit(true)}) {
    INFO(planted->name);
    CHECK(explore(one_payment(), *planted, workload_only(0)).first.empty());
  }
  CHECK(explore(one_payment_slow_links(), planted::lock_shorter_than_work(true), workload_only(0)).first.empty());
}

}  // namespace
}  // namespace idemlab::scenarios
