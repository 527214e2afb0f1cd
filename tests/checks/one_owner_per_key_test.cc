#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

using models::PortOp;
using models::RecordState;

namespace {

PortOp lock(TestRun& run, std::uint32_t actor, sim::Duration ttl = 30 * sim::kSecond) {
  return run.write(PortOp::Kind::kKvWrite, actor, "lock:k", RecordState::kOther, PortOp::Guard::kIfAbsent, ttl);
}

}  // namespace

TEST_CASE("one_owner_per_key: a claim released by its owner, or taken after it expired, passes") {
  TestRun run;
  const std::uint32_t a = run.actor();
  const std::uint32_t b = run.actor();
  run.record(lock(run, a));
  run.record(run.op(PortOp::Kind::kKvDelete, a, "lock:k"));  // the owner lets go
  run.record(lock(run, b, 10 * sim::kSecond));
  run.advance(11 * sim::kSecond);  // b's lock expired
  run.record(run.op(PortOp::Kind::kKvDelete, a, "lock:k"));  // whatever a deletes now is no claim of b's
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:k", RecordState::kCompleted));
  CHECK(violations_of(run, kOneOwnerPerKey).empty());
}

TEST_CASE("one_owner_per_key: another request's DEL, or plain SET of an in-progress record, over a standing claim fails") {
  TestRun run;
  const std::uint32_t a = run.actor();
  const std::uint32_t b = run.actor();
  run.record(lock(run, b));
  run.record(run.op(PortOp::Kind::kKvDelete, a, "lock:k"));  // a's finally: DEL, b's lock gone
  // a plain SET after a GET found nothing, and b's GET found nothing too
  run.record(run.write(PortOp::Kind::kKvWrite, a, "idem:k", RecordState::kInProgress));
  run.record(run.write(PortOp::Kind::kKvWrite, b, "idem:k", RecordState::kInProgress));
  const std::vector<Violation> found = violations_of(run, kOneOwnerPerKey);
  REQUIRE(found.size() == 2);
  CHECK(found[0].intent == "idem:k");
  CHECK(found[0].evidence.find("overwrote") != std::string::npos);
  CHECK(found[1].intent == "lock:k");
  CHECK(found[1].evidence.find("api request 1 deleted") != std::string::npos);
}

TEST_CASE("one_owner_per_key: operations that overlapped, or that timed out, are not judged") {
  TestRun run;
  const std::uint32_t a = run.actor();
  const std::uint32_t b = run.actor();
  PortOp slow = lock(run, b);
  slow.answered += 5 * sim::kMillisecond;  // answered after a's DEL went out: either order is possible
  PortOp del = run.op(PortOp::Kind::kKvDelete, a, "lock:k", 10 * sim::kMillisecond);
  run.record(slow);
  run.record(del);
  run.record(lock(run, b));
  PortOp lost = run.op(PortOp::Kind::kKvDelete, a, "lock:k");
  lost.outcome = PortOp::Outcome::kPerhaps;  // its caller crashed waiting
  lost.answered = sim::kTimeNever;
  run.record(lost);
  CHECK(violations_of(run, kOneOwnerPerKey).empty());
}

}  // namespace idemlab::checks::testing
