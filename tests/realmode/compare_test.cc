#include <catch2/catch.hpp>

#include "realmode/compare.h"

namespace idemlab::realmode {
namespace {

scenarios::RunReport report(std::int64_t charges, int last_answer, bool double_charged) {
  scenarios::RunReport r;
  checks::IntentOutcome outcome;
  outcome.intent = "client-1/pi_1";
  outcome.charges = charges;
  outcome.answers = {last_answer};
  r.outcomes.push_back(outcome);
  if (double_charged) {
    checks::Violation v;
    v.invariant = "at_most_one_charge";
    v.intent = outcome.intent;
    r.violations.push_back(v);
  }
  return r;
}

TEST_CASE("targeted faults: the runs agree only when every intent does") {
  CHECK(agree(report(2, 201, true), report(2, 201, true), false));
  CHECK_FALSE(agree(report(2, 201, true), report(3, 201, true), false));
  CHECK_FALSE(agree(report(1, 201, false), report(1, 500, false), false));
  CHECK(differences(report(2, 201, true), report(3, 201, true)) ==
        std::vector<std::string>{"client-1/pi_1: charged 2 times simulated, 3 real"});
}

TEST_CASE("drawn faults: the runs agree when they violate the same invariants") {
  CHECK(agree(report(2, 201, true), report(5, 500, true), true));
  CHECK(agree(report(1, 201, false), report(1, 500, false), true));
  CHECK_FALSE(agree(report(2, 201, true), report(1, 201, false), true));
}

}  // namespace
}  // namespace idemlab::realmode
