// PostgreSQL's isolation tests (src/test/isolation: a spec of sessions and
// steps, permutations of the steps, and the expected output of each), run
// as contract rules over the Sql port, on the model and on the live server.
//
// A permutation runs its steps in order, as the isolation tester does: a
// step that has not finished within kStepWait is waiting ("<waiting ...>")
// and the next step goes ahead; after each step, waiting steps that have
// finished since are logged as "<... completed>". A permutation's log has
// one line per step, "name: output", where the output is what the tester
// prints after the step: rows as "v1|v2" joined by "; ", "ERROR: <status>",
// or nothing.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/contract/contract.h"

namespace idemlab::contract {

struct SpecSession {
  std::unique_ptr<ports::Tx> tx;  // begun by a step, or before the first (IsolationSpec::begin_each)
};

using StepBody = std::function<sim::Task<std::string>(ContractWorld&, SpecSession&)>;

struct SpecStep {
  std::string name;
  std::size_t session = 0;
  StepBody body;
};

struct IsolationSpec {
  std::size_t sessions = 2;
  // The sessions' setup, when it is a BEGIN: each begins at this level
  // before the first step.
  std::optional<ports::Isolation> begin_each;
  // Before each permutation: the table as the spec's setup leaves it (the
  // rows of the last permutation deleted first).
  using SetupFn = std::function<sim::Task<bool>(ContractWorld&)>;
  SetupFn setup;
  std::vector<SpecStep> steps;
};

// The permutation's log (see above).
sim::Task<std::vector<std::string>> run_permutation(ContractWorld& world, const IsolationSpec& spec,
                                                    std::vector<std::string> order);

// Step bodies the specs share.
StepBody begin_step(ports::Isolation isolation);
StepBody commit_step();    // COMMIT (of an aborted transaction too, which prints nothing)
StepBody rollback_step();  // ROLLBACK or ABORT
// "ERROR: <status>" for a failed result, or `ok`'s text.
std::string error_text(ports::Status status);
// Rows as the tester prints them: the columns' values joined by "|", rows by "; ".
std::string rows_text(const std::vector<ports::Row>& rows, const std::vector<std::string>& columns);

}  // namespace idemlab::contract
