#include <catch2/catch.hpp>

#include "tests/checks/test_run.h"

namespace idemlab::checks::testing {

TEST_CASE("saga_completed_or_compensated: finished sagas pass; one left running or holding funds fails") {
  TestRun run;
  run.row("sagas", {{"key", std::string("s1")}, {"status", std::string("completed")}});
  run.row("sagas", {{"key", std::string("s2")}, {"status", std::string("compensated")}});
  run.row("saga_reservations", {{"key", std::string("s2")}, {"released", std::int64_t{1}}});
  CHECK(violations_of(run, kSagaFinished).empty());

  run.row("sagas", {{"key", std::string("s3")}, {"status", std::string("charging")}});
  run.row("sagas", {{"key", std::string("s4")}, {"status", std::string("compensated")}});
  run.row("saga_reservations", {{"key", std::string("s4")}, {"released", std::int64_t{0}}});
  const std::vector<Violation> found = violations_of(run, kSagaFinished);
  REQUIRE(found.size() == 2);
  CHECK(found[0].evidence == "saga still charging at the end of the run");
  CHECK(found[1].evidence == "compensated, but its funds are still reserved");
}

}  // namespace idemlab::checks::testing
