#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;

namespace {

void publish(TestRun& run, std::uint32_t actor, const std::string& queue, const std::string& message) {
  PortOp o = run.op(PortOp::Kind::kPublish, actor, message);
  o.queue = queue;
  run.record(o);
}
void consume(TestRun& run, std::uint32_t consumer, const std::string& queue) {
  PortOp o = run.op(PortOp::Kind::kConsume, consumer, "");
  o.queue = queue;
  run.record(o);
}
void deliver(TestRun& run, std::uint32_t consumer, const std::string& message, std::uint64_t tag, bool settle) {
  PortOp o = run.op(PortOp::Kind::kDelivered, consumer, message);
  o.queue = "jobs";
  o.tag = tag;
  run.record(o);
  if (!settle) return;
  PortOp a = run.op(PortOp::Kind::kSettled, consumer, "");
  a.queue = "jobs";
  a.tag = tag;
  run.record(a);
}

}  // namespace

TEST_CASE("every_message_handled: messages acked in the end, and those to a queue nobody here reads, pass") {
  TestRun run;
  const std::uint32_t api = run.actor();
  const std::uint32_t consumer = run.actor("worker");
  consume(run, consumer, "jobs");
  publish(run, api, "jobs", "m1");
  publish(run, api, "notifications", "n1");  // an outside party's queue
  deliver(run, consumer, "m1", 1, false);    // crashed before its ack
  deliver(run, consumer, "m1", 2, true);
  publish(run, api, "jobs", "m2");
  deliver(run, consumer, "m2", 3, false);
  PortOp ack = run.op(PortOp::Kind::kSettled, consumer, "");
  ack.queue = "jobs";
  ack.tag = 3;
  ack.outcome = PortOp::Outcome::kPerhaps;  // the consumer crashed right after its ack went out
  ack.answered = sim::kTimeNever;
  run.record(ack);
  CHECK(violations_of(run, kEveryMessageHandled).empty());
}

TEST_CASE("every_message_handled: a confirmed message never acked fails at quiescence only") {
  TestRun run;
  const std::uint32_t api = run.actor();
  const std::uint32_t consumer = run.actor("worker");
  consume(run, consumer, "jobs");
  publish(run, api, "jobs", "m1");
  publish(run, api, "jobs", "m2");
  deliver(run, consumer, "m1", 1, true);
  deliver(run, consumer, "m2", 2, false);  // dead-lettered after its delivery limit
  CHECK(violations_of(run, kEveryMessageHandled, /*liveness=*/false).empty());
  const std::vector<Violation> found = violations_of(run, kEveryMessageHandled);
  REQUIRE(found.size() == 1);
  CHECK(found[0].intent == "m2");
}

}  // namespace idemlab::checks::testing
