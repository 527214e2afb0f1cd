// The payment processor's rules, as contract tests over the Processor port
// and the processor's ledger.
#include <memory>
#include <string>

#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

using ports::ChargeRequest;
using ports::Status;
using sim::kMillisecond;
using sim::kSecond;
using sim::Task;

Settings plain() { return Settings{}; }

Settings retention(sim::Duration window) {
  Settings s;
  s.processor.key_retention = window;
  return s;
}

// Every charge takes a second: long enough for a second request to arrive
// while the first runs, on a loaded machine too.
Settings slow_processing() {
  Settings s;
  s.processor.processing_time = sim::LatencyModel::constant(1 * kSecond);
  return s;
}

Settings always_declines() {
  Settings s;
  s.processor.decline = sim::Ratio{1, 1};
  return s;
}

ChargeRequest charge(std::string intent, std::optional<std::string> key, std::int64_t amount = 100) {
  ChargeRequest r;
  r.intent = std::move(intent);
  r.amount = amount;
  r.customer = "cus_1";
  r.idempotency_key = std::move(key);
  return r;
}

ports::RefundRequest refund(std::string charge_id, std::int64_t amount) {
  ports::RefundRequest r;
  r.charge_id = std::move(charge_id);
  r.amount = amount;
  return r;
}

CONTRACT_TEST("without an idempotency key every charge request charges", plain()) {
  auto first = co_await world.processor().charge(charge("pi_1", std::nullopt));
  auto second = co_await world.processor().charge(charge("pi_1", std::nullopt));
  CHECK(first.is_ok());
  CHECK(second.is_ok());
  if (first.is_ok() && second.is_ok()) CHECK(first.value().charge_id != second.value().charge_id);
  CHECK(world.charges_for("pi_1") == 2);
}

CONTRACT_TEST("a repeated request with the same key returns the first response and charges once", plain()) {
  auto first = co_await world.processor().charge(charge("pi_1", "key-1"));
  auto again = co_await world.processor().charge(charge("pi_1", "key-1"));
  CHECK(first.is_ok());
  CHECK(again.is_ok());
  if (first.is_ok() && again.is_ok()) {
    CHECK(again.value().charge_id == first.value().charge_id);
    CHECK(again.value().replayed);
    CHECK_FALSE(first.value().replayed);
  }
  CHECK(world.charges_for("pi_1") == 1);
}

CONTRACT_TEST("a key reused with other parameters is refused and charges nothing", plain()) {
  auto first = co_await world.processor().charge(charge("pi_1", "key-1", 100));
  auto other = co_await world.processor().charge(charge("pi_1", "key-1", 999));
  CHECK(first.is_ok());
  CHECK(other.status() == Status::kError);
  CHECK(world.charges_for("pi_1") == 1);
}

// A charge's outcome, kept past the rule's frame: a task the rule started
// may still run when the rule fails early.
struct Outcome {
  bool done = false;
  Status status = Status::kOk;
};

Task<void> charge_later(ContractWorld& world, sim::Duration after, std::shared_ptr<Outcome> out) {
  co_await world.clock().sleep(after);
  auto r = co_await world.processor().charge(charge("pi_1", "key-1"));
  out->status = r.status();
  out->done = true;
}

// Which of the two claims the key first is the servers' to decide: on a
// loaded machine the later request can reach the ledger first. Whichever
// it is charges; the other, arriving while it runs, gets a conflict.
CONTRACT_TEST("a request whose key is still in progress gets a conflict", slow_processing()) {
  auto first = std::make_shared<Outcome>();
  auto second = std::make_shared<Outcome>();
  world.start(charge_later(world, 0, first));
  world.start(charge_later(world, 200 * kMillisecond, second));
  for (int waited = 0; !(first->done && second->done) && waited < 1000; ++waited) {
    co_await world.clock().sleep(10 * kMillisecond);
  }
  CHECK(first->done);
  CHECK(second->done);
  if (!first->done || !second->done) co_return;
  const bool first_won = first->status == Status::kOk;
  CHECK((first_won ? second : first)->status == Status::kConflict);
  CHECK((first_won || second->status == Status::kOk));
  CHECK(world.charges_for("pi_1") == 1);
}

CONTRACT_TEST("after the key's retention window the same key charges again", retention(10 * kSecond)) {
  auto first = co_await world.processor().charge(charge("pi_1", "key-1"));
  CHECK(first.is_ok());
  co_await world.clock().sleep(11 * kSecond);
  auto late_retry = co_await world.processor().charge(charge("pi_1", "key-1"));
  CHECK(late_retry.is_ok());
  if (late_retry.is_ok()) CHECK_FALSE(late_retry.value().replayed);
  CHECK(world.charges_for("pi_1") == 2);
}

CONTRACT_TEST("a charge whose reply is lost happened although the caller timed out", plain()) {
  world.faults().drop_next_processor_reply();
  auto lost = co_await world.processor().charge(charge("pi_1", std::nullopt));
  CHECK(lost.status() == Status::kTimeout);
  CHECK(world.charges_for("pi_1") == 1);
}

CONTRACT_TEST("refunds never exceed what the charge has left", plain()) {
  auto charged = co_await world.processor().charge(charge("pi_1", std::nullopt, 100));
  CHECK(charged.is_ok());
  if (!charged.is_ok()) co_return;
  const std::string id = charged.value().charge_id;
  auto part = co_await world.processor().refund(refund(id, 60));
  auto too_much = co_await world.processor().refund(refund(id, 60));
  auto rest = co_await world.processor().refund(refund(id, 40));
  CHECK(part.is_ok());
  CHECK(too_much.status() == Status::kError);
  CHECK(rest.is_ok());
}

CONTRACT_TEST("a declined charge is a definitive answer and moves no money", always_declines()) {
  auto declined = co_await world.processor().charge(charge("pi_1", "key-1"));
  CHECK(declined.is_ok());
  if (declined.is_ok()) {
    CHECK_FALSE(declined.value().succeeded);
    CHECK(declined.value().decline_reason == "card_declined");
  }
  CHECK(world.charges_for("pi_1") == 0);
}

ports::RefundRequest refund_by_key(std::string charge_key, std::int64_t amount) {
  ports::RefundRequest r;
  r.charge_key = std::move(charge_key);
  r.amount = amount;
  r.intent = "pi_1";
  return r;
}

CONTRACT_TEST("a charge is found by its downstream key: in progress while it runs, then charged", slow_processing()) {
  auto first = std::make_shared<Outcome>();
  world.start(charge_later(world, 0, first));
  co_await world.clock().sleep(300 * kMillisecond);
  auto running = co_await world.processor().find_charge("key-1");
  CHECK(running.is_ok());
  if (running.is_ok()) CHECK(running.value().state == ports::ChargeLookup::State::kInProgress);
  for (int waited = 0; !first->done && waited < 500; ++waited) co_await world.clock().sleep(10 * kMillisecond);
  CHECK(first->status == Status::kOk);
  auto done = co_await world.processor().find_charge("key-1");
  CHECK(done.is_ok());
  if (done.is_ok()) {
    CHECK(done.value().state == ports::ChargeLookup::State::kCharged);
    CHECK(done.value().charge_id.rfind("ch_", 0) == 0);
  }
  auto never = co_await world.processor().find_charge("key-never-used");
  CHECK(never.is_ok());
  if (never.is_ok()) CHECK(never.value().state == ports::ChargeLookup::State::kNotFound);
}

CONTRACT_TEST("a refund by the charge's key refunds it; before the charge it finds nothing, and the charge lands after", plain()) {
  auto early = co_await world.processor().refund(refund_by_key("key-2", 100));
  CHECK(early.status() == Status::kError);
  CHECK(early.message().find(ports::kNoChargeUnderKey) != std::string::npos);
  auto charged = co_await world.processor().charge(charge("pi_1", "key-2", 100));
  CHECK(charged.is_ok());
  CHECK(world.charges_for("pi_1") == 1);  // the early refund did not stop it
  auto later = co_await world.processor().refund(refund_by_key("key-2", 100));
  CHECK(later.is_ok());
  auto again = co_await world.processor().refund(refund_by_key("key-2", 1));
  CHECK(again.status() == Status::kError);  // nothing left to refund
  auto by_refund_key = co_await world.processor().find_charge("no-such-charge-key");
  CHECK(by_refund_key.is_ok());
}

}  // namespace
}  // namespace idemlab::contract
