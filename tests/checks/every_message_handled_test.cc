#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;

TEST_CASE("every_message_handled: messages acked in the end, and those to a queue nobody here reads, pass") {
  TestRun run;
  const std::uint32_t api = run.actor();
  const std::uint32_t consumer = run.actor("worker");
  run.consumed(consumer, "jobs");
  run.published(api, "jobs", "m1");
  run.published(api, "notifications", "n1");  // an outside party's queue
  run.delivered(consumer, "jobs", "m1", 1);    // crashed before its ack
  run.delivered(consumer, "jobs", "m1", 2);
  run.acked(consumer, "jobs", 2);
  run.published(api, "jobs", "m2");
  run.delivered(consumer, "jobs", "m2", 3);
  run.acked(consumer, "jobs", 3, PortOp::Outcome::kPerhaps);  // the consumer crashed right after its ack went out
  CHECK(violations_of(run, kEveryMessageHandled).empty());
}

TEST_CASE("every_message_handled: a confirmed message never acked fails at quiescence only") {
  TestRun run;
  const std::uint32_t api = run.actor();
  const std::uint32_t consumer = run.actor("worker");
  run.consumed(consumer, "jobs");
  run.published(api, "jobs", "m1");
  run.published(api, "jobs", "m2");
  run.delivered(consumer, "jobs", "m1", 1);
  run.acked(consumer, "jobs", 1);
  run.delivered(consumer, "jobs", "m2", 2);  // dead-lettered after its delivery limit
  CHECK(violations_of(run, kEveryMessageHandled, /*liveness=*/false).empty());
  const std::vector<Violation> found = violations_of(run, kEveryMessageHandled);
  REQUIRE(found.size() == 1);
  CHECK(found[0].intent == "m2");
}

}  // namespace idemlab::checks::testing
