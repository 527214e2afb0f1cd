#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;

TEST_CASE("message_applied_at_most_once: a redelivery that finds the message applied changes nothing and passes") {
  TestRun run;
  const std::uint32_t first = run.actor("consumer");
  const std::uint32_t second = run.actor("consumer");
  run.delivered(first, "events", "evt-1", 1);
  run.record(run.op(PortOp::Kind::kMoneyMoved, first, "client-1/pi_1"));
  // the consumer crashed before its commit; the message comes back
  run.delivered(second, "events", "evt-1", 1);
  run.record(run.op(PortOp::Kind::kCommitChanged, second, ""));  // the charge was answered from its downstream key
  run.acked(second, "events", 1);
  run.delivered(second, "events", "evt-1", 2);  // published again by the relay: applied already
  run.acked(second, "events", 2);
  run.record(run.op(PortOp::Kind::kCommitChanged, second, ""));  // after the ack: no delivery's doing
  CHECK(violations_of(run, kMessageAppliedOnce).empty());
}

TEST_CASE("message_applied_at_most_once: two deliveries of one message that each move money, or each commit, fail") {
  TestRun run;
  const std::uint32_t consumer = run.actor("consumer");
  run.delivered(consumer, "events", "evt-1", 1);
  run.record(run.op(PortOp::Kind::kMoneyMoved, consumer, "client-1/pi_1"));
  run.record(run.op(PortOp::Kind::kCommitChanged, consumer, ""));
  run.acked(consumer, "events", 1);
  run.delivered(consumer, "events", "evt-1", 2);
  run.record(run.op(PortOp::Kind::kMoneyMoved, consumer, "client-1/pi_1"));
  run.record(run.op(PortOp::Kind::kCommitChanged, consumer, ""));
  run.acked(consumer, "events", 2);
  const std::vector<Violation> found = violations_of(run, kMessageAppliedOnce);
  REQUIRE(found.size() == 2);
  CHECK(found[0].intent == "evt-1");
  CHECK(found[0].evidence == "2 of its deliveries moved money");
  CHECK(found[1].evidence == "2 of its deliveries committed changes");
}

}  // namespace idemlab::checks::testing
