#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;
using models::RecordState;

TEST_CASE("completed_never_reopened: claims completed, expired or found gone and claimed again pass") {
  TestRun run;
  const std::uint32_t a = run.actor();
  const std::uint32_t b = run.actor();
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:k", RecordState::kInProgress, PortOp::Guard::kIfAbsent));
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:k", RecordState::kCompleted, PortOp::Guard::kNone,
                   10 * sim::kSecond));
  run.advance(11 * sim::kSecond);  // the completed record expired
  run.record(run.write(PortOp::Kind::kKvWrite, b, "idem:k", RecordState::kInProgress));
  run.record(run.write(PortOp::Kind::kRowWrite, a, "claims('k')", RecordState::kCompleted));
  run.record(run.op(PortOp::Kind::kKvAbsent, b, "idem:j"));
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:j", RecordState::kCompleted));
  run.record(run.op(PortOp::Kind::kKvAbsent, b, "idem:j"));  // lost in a restart
  run.record(run.write(PortOp::Kind::kKvWrite, b, "idem:j", RecordState::kInProgress));
  run.record(run.write(PortOp::Kind::kTableUnknown, b, "claims", RecordState::kOther));  // DELETE ... WHERE lease < now
  run.record(run.write(PortOp::Kind::kRowWrite, b, "claims('k')", RecordState::kInProgress));
  CHECK(violations_of(run, kCompletedNeverReopened).empty());
}

TEST_CASE("completed_never_reopened: an in-progress write over a standing completed key or row fails") {
  TestRun run;
  const std::uint32_t a = run.actor();
  const std::uint32_t b = run.actor();
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:k", RecordState::kCompleted, PortOp::Guard::kNone,
                   60 * sim::kSecond));
  run.record(run.write(PortOp::Kind::kKvWrite, b, "idem:k", RecordState::kInProgress, PortOp::Guard::kIfMatches));
  run.record(run.write(PortOp::Kind::kRowWrite, a, "claims('k')", RecordState::kCompleted, PortOp::Guard::kIfAbsent));
  run.record(run.write(PortOp::Kind::kRowWrite, b, "claims('k')", RecordState::kInProgress));  // UPDATE ... SET status='pending'
  const std::vector<Violation> found = violations_of(run, kCompletedNeverReopened);
  REQUIRE(found.size() == 2);
  CHECK(found[0].intent == "idem:k");
  CHECK(found[1].intent == "claims('k')");
  CHECK(found[1].evidence.find("api request 2 wrote an in-progress record") != std::string::npos);
}

}  // namespace idemlab::checks::testing
