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
#include <utility>
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

inline constexpr const char* kLockNotAvailable = "ERROR: lock_not_available";
inline constexpr const char* kSerialization = "ERROR: serialization_failure";
inline constexpr const char* kUniqueViolation = "ERROR: unique_violation";

// A table of the spec's: created once, emptied and filled before each permutation.
IsolationSpec::SetupFn table_with(ports::TableSchema table, std::vector<ports::Row> rows);
// (key bigint PRIMARY KEY, value text).
ports::TableSchema two_columns(std::string name, std::string key, std::string value);

// The rows a query answers in `tx`, as rows_text prints them, or the error.
sim::Task<std::string> select_rows(ports::Tx& tx, std::string table, ports::Query query, std::vector<std::string> columns);
// Steps: SELECT * FROM table [...]: the rows, or the error; the writes print
// nothing, or the error.
StepBody select_step(std::string table, ports::Query query, std::vector<std::string> columns);
StepBody insert_step(std::string table, ports::Row row, ports::OnConflict on_conflict);
StepBody plain_insert_step(std::string table, ports::Row row);
StepBody update_step(std::string table, ports::Where where, ports::Assignments set);
StepBody delete_step(std::string table, ports::Where where);

// Every order of two sessions' steps that keeps each session's own order,
// session 1's step first where both could go (the tester's order).
std::vector<std::vector<std::string>> interleavings(const std::vector<std::string>& a, const std::vector<std::string>& b);
// "s1a s2a s1b" -> {"s1a", "s2a", "s1b"}.
std::vector<std::string> words(const std::string& text);

// Each permutation (its steps, space-separated) with the log it must give.
using ExpectedLogs = std::vector<std::pair<std::string, std::vector<std::string>>>;
sim::Task<void> check_permutations(ContractWorld& world, const IsolationSpec& spec, const ExpectedLogs& expected);

}  // namespace idemlab::contract
