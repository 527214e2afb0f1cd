#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;

namespace {

void deliver(TestRun& run, std::uint32_t consumer, const std::string& message, std::uint64_t tag) {
  PortOp o = run.op(PortOp::Kind::kDelivered, consumer, message);
  o.queue = "events";
  o.tag = tag;
  run.record(o);
}
void ack(TestRun& run, std::uint32_t consumer, std::uint64_t tag) {
  PortOp o = run.op(PortOp::Kind::kSettled, consumer, "");
  o.queue = "events";
  o.tag = tag;
  run.record(o);
}

}  // namespace

TEST_CASE("message_applied_at_most_once: a redelivery that finds the message applied changes nothing and passes") {
  TestRun run;
  const std::uint32_t first = run.actor("consumer");
  const std::uint32_t second = run.actor("consumer");
  deliver(run, first, "evt-1", 1);
  run.record(run.op(PortOp::Kind::kMoneyMoved, first, "client-1/pi_1"));
  // the consumer crashed before its commit; the message comes back
  deliver(run, second, "evt-1", 1);
  run.record(run.op(PortOp::Kind::kCommitChanged, second, ""));  // the charge was answered from its downstream key
  ack(run, second, 1);
  deliver(run, second, "evt-1", 2);  // published again by the relay: applied already
  ack(run, second, 2);
  run.record(run.op(PortOp::Kind::kCommitChanged, second, ""));  // after the ack: no delivery's doing
  CHECK(violations_of(run, kMessageAppliedOnce).empty());
}

TEST_CASE("message_applied_at_most_once: two deliveries of one message that each move money, or each commit, fail") {
  TestRun run;
  const std::uint32_t consumer = run.actor("consumer");
  deliver(run, consumer, "evt-1", 1);
  run.record(run.op(PortOp::Kind::kMoneyMoved, consumer, "client-1/pi_1"));
  run.record(run.op(PortOp::Kind::kCommitChanged, consumer, ""));
  ack(run, consumer, 1);
  deliver(run, consumer, "evt-1", 2);
  run.record(run.op(PortOp::Kind::kMoneyMoved, consumer, "client-1/pi_1"));
  run.record(run.op(PortOp::Kind::kCommitChanged, consumer, ""));
  ack(run, consumer, 2);
  const std::vector<Violation> found = violations_of(run, kMessageAppliedOnce);
  REQUIRE(found.size() == 2);
  CHECK(found[0].intent == "evt-1");
  CHECK(found[0].evidence == "2 of its deliveries moved money");
  CHECK(found[1].evidence == "2 of its deliveries committed changes");
}

}  // namespace idemlab::checks::testing
