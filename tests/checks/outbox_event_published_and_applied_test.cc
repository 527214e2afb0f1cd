#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("outbox_event_published_and_applied: a sent and applied event passes; an unsent or unapplied one fails") {
  TestRun run;
  run.row("outbox_events", {{"event_id", std::string("e1")}, {"sent", std::int64_t{1}}});
  run.row("outbox_applied", {{"event_id", std::string("e1")}});
  CHECK(violations_of(run, kOutboxDelivered).empty());

  run.row("outbox_events", {{"event_id", std::string("e2")}, {"sent", std::int64_t{0}}});
  run.row("outbox_events", {{"event_id", std::string("e3")}, {"sent", std::int64_t{1}}});
  const std::vector<Violation> found = violations_of(run, kOutboxDelivered);
  REQUIRE(found.size() == 2);
  CHECK(found[0].evidence == "a committed outbox event was never marked sent");
  CHECK(found[1].evidence == "a published outbox event was never applied");
}

}  // namespace idemlab::checks::testing
