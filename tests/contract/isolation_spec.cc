#include "tests/contract/isolation_spec.h"

#include <catch2/catch.hpp>

namespace idemlab::contract {
namespace {

using sim::kMillisecond;
using sim::Task;

// A statement that has not answered in this long is waiting for a lock
// (on the live server a statement answers in a few milliseconds).
constexpr sim::Duration kStepWait = 250 * kMillisecond;
constexpr sim::Duration kPoll = 10 * kMillisecond;

struct Running {
  std::string name;
  std::size_t session = 0;
  bool done = false;
  bool logged = false;
  std::string output;
};

Task<void> run_step(ContractWorld& world, const SpecStep& step, std::shared_ptr<std::vector<SpecSession>> sessions,
                    std::shared_ptr<Running> running) {
  running->output = co_await step.body(world, (*sessions)[step.session]);
  running->done = true;
}

Task<void> wait_for(ContractWorld& world, const std::function<bool()>& done, sim::Duration at_most) {
  for (sim::Duration waited = 0; !done() && waited < at_most; waited += kPoll) co_await world.clock().sleep(kPoll);
}

}  // namespace

std::string error_text(ports::Status status) { return std::string("ERROR: ") + ports::status_name(status); }

std::string rows_text(const std::vector<ports::Row>& rows, const std::vector<std::string>& columns) {
  std::string out;
  for (const ports::Row& row : rows) {
    if (!out.empty()) out += "; ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out += "|";
      const auto it = row.find(columns[i]);
      if (it == row.end()) continue;
      if (const auto* n = std::get_if<std::int64_t>(&it->second)) out += std::to_string(*n);
      if (const auto* s = std::get_if<std::string>(&it->second)) out += *s;
    }
  }
  return out;
}

namespace {

// Coroutines as plain functions; the step lambdas only call them (g++ 12
// miscompiles coroutine lambdas with captures).
Task<std::string> begin_session(ContractWorld& world, SpecSession& session, ports::Isolation isolation) {
  auto tx = co_await world.sql().begin(isolation);
  if (!tx.is_ok()) co_return error_text(tx.status());
  session.tx = std::move(tx).value();
  co_return "";
}

Task<std::string> commit_session(SpecSession& session) {
  if (!session.tx) co_return error_text(ports::Status::kClosed);
  auto committed = co_await session.tx->commit();
  (void)committed;  // COMMIT of an aborted transaction rolls back and prints nothing
  session.tx.reset();
  co_return "";
}

Task<std::string> rollback_session(SpecSession& session) {
  if (!session.tx) co_return error_text(ports::Status::kClosed);
  auto rolled_back = co_await session.tx->rollback();
  session.tx.reset();
  co_return rolled_back.is_ok() ? std::string() : error_text(rolled_back.status());
}

}  // namespace

StepBody begin_step(ports::Isolation isolation) {
  return [isolation](ContractWorld& world, SpecSession& session) { return begin_session(world, session, isolation); };
}

StepBody commit_step() {
  return [](ContractWorld&, SpecSession& session) { return commit_session(session); };
}

StepBody rollback_step() {
  return [](ContractWorld&, SpecSession& session) { return rollback_session(session); };
}

Task<std::vector<std::string>> run_permutation(ContractWorld& world, const IsolationSpec& spec,
                                               std::vector<std::string> order) {
  std::vector<std::string> log;
  const bool set_up = co_await spec.setup(world);
  REQUIRE(set_up);
  auto sessions = std::make_shared<std::vector<SpecSession>>(spec.sessions);
  if (spec.begin_each) {
    for (SpecSession& s : *sessions) {
      auto tx = co_await world.sql().begin(*spec.begin_each);
      REQUIRE(tx.is_ok());
      s.tx = std::move(tx).value();
    }
  }
  std::vector<std::shared_ptr<Running>> steps;
  const auto log_completed = [&] {
    for (const std::shared_ptr<Running>& r : steps) {
      if (!r->done || r->logged) continue;
      r->logged = true;
      log.push_back(r->name + ": <... completed>" + (r->output.empty() ? "" : " " + r->output));
    }
  };
  for (const std::string& name : order) {
    const SpecStep* step = nullptr;
    for (const SpecStep& s : spec.steps) step = s.name == name ? &s : step;
    REQUIRE(step != nullptr);
    auto running = std::make_shared<Running>();
    running->name = name;
    running->session = step->session;
    world.start(run_step(world, *step, sessions, running));
    co_await wait_for(world, [&running] { return running->done; }, kStepWait);
    if (running->done) {
      running->logged = true;
      log.push_back(name + ":" + (running->output.empty() ? "" : " " + running->output));
    } else {
      log.push_back(name + ": <waiting ...>");
    }
    steps.push_back(running);
    // A waiting step this one released finishes soon after it.
    const auto none_waiting = [&steps] {
      for (const std::shared_ptr<Running>& r : steps) {
        if (!r->done) return false;
      }
      return true;
    };
    if (running->done) co_await wait_for(world, none_waiting, kStepWait);
    log_completed();
  }
  // What is left open ends, and every step with it: first the sessions
  // with no step running (a transaction runs one statement at a time), which
  // releases the others.
  const auto busy = [&steps](std::size_t session) {
    for (const std::shared_ptr<Running>& r : steps) {
      if (!r->done && r->session == session) return true;
    }
    return false;
  };
  const auto all_done = [&steps] {
    for (const std::shared_ptr<Running>& r : steps) {
      if (!r->done) return false;
    }
    return true;
  };
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < sessions->size(); ++i) {
      SpecSession& s = (*sessions)[i];
      if (!s.tx || busy(i)) continue;
      auto rolled_back = co_await s.tx->rollback();
      (void)rolled_back;
      s.tx.reset();
    }
    co_await wait_for(world, all_done, 20 * kStepWait);
  }
  CHECK(all_done());
  co_return log;
}


namespace {

using ports::Isolation;
using ports::OnConflict;
using ports::Query;
using ports::Row;

// Coroutines are plain functions with their arguments by value; the steps'
// lambdas only call them (g++ 12 miscompiles coroutine lambdas with captures).
sim::Task<bool> fill_table(ContractWorld& world, ports::TableSchema table, std::vector<Row> rows) {
  ports::Schema schema;
  schema.tables.push_back(table);
  auto created = co_await world.sql().ensure_schema(std::move(schema));
  if (!created.is_ok()) co_return false;
  auto tx = co_await world.sql().begin(Isolation::kReadCommitted);
  if (!tx.is_ok()) co_return false;
  ports::Where every_row;
  auto emptied = co_await tx.value()->remove(table.name, std::move(every_row));
  if (!emptied.is_ok()) co_return false;
  for (const Row& row : rows) {
    auto inserted = co_await tx.value()->insert(table.name, row);
    if (!inserted.is_ok()) co_return false;
  }
  auto committed = co_await tx.value()->commit();
  co_return committed.is_ok();
}

sim::Task<std::string> insert_row(ports::Tx& tx, std::string table, Row row, OnConflict on_conflict) {
  auto inserted = co_await tx.insert_on_conflict(table, row, on_conflict);
  co_return inserted.is_ok() ? std::string() : error_text(inserted.status());
}

sim::Task<std::string> insert_plain(ports::Tx& tx, std::string table, Row row) {
  auto inserted = co_await tx.insert(table, row);
  co_return inserted.is_ok() ? std::string() : error_text(inserted.status());
}

sim::Task<std::string> update_rows(ports::Tx& tx, std::string table, ports::Where where, ports::Assignments set) {
  auto updated = co_await tx.update(table, where, set);
  co_return updated.is_ok() ? std::string() : error_text(updated.status());
}

sim::Task<std::string> remove_rows(ports::Tx& tx, std::string table, ports::Where where) {
  auto removed = co_await tx.remove(table, where);
  co_return removed.is_ok() ? std::string() : error_text(removed.status());
}

// Every order of the two sessions' steps that keeps each session's own
// order, session 1's step first where both could go (the tester's order).
void interleave(const std::vector<std::string>& a, std::size_t i, const std::vector<std::string>& b, std::size_t j,
                std::vector<std::string>& prefix, std::vector<std::vector<std::string>>& out) {
  if (i == a.size() && j == b.size()) out.push_back(prefix);
  if (i < a.size()) {
    prefix.push_back(a[i]);
    interleave(a, i + 1, b, j, prefix, out);
    prefix.pop_back();
  }
  if (j < b.size()) {
    prefix.push_back(b[j]);
    interleave(a, i, b, j + 1, prefix, out);
    prefix.pop_back();
  }
}

}  // namespace

sim::Task<std::string> select_rows(ports::Tx& tx, std::string table, Query query, std::vector<std::string> columns) {
  auto rows = co_await tx.query(table, query);
  co_return rows.is_ok() ? rows_text(rows.value(), columns) : error_text(rows.status());
}

// A table of the spec's: created once, emptied and filled before each permutation.
IsolationSpec::SetupFn table_with(ports::TableSchema table, std::vector<Row> rows) {
  return [table, rows](ContractWorld& world) { return fill_table(world, table, rows); };
}

ports::TableSchema two_columns(std::string name, std::string key, std::string value) {
  ports::TableSchema t;
  t.name = std::move(name);
  t.columns = {{key, ports::ColumnType::kBigint, false}, {std::move(value), ports::ColumnType::kText, true}};
  t.primary_key = {std::move(key)};
  return t;
}

// SELECT * FROM table [...]: the rows, or the error.
StepBody select_step(std::string table, Query query, std::vector<std::string> columns) {
  return [table, query, columns](ContractWorld&, SpecSession& session) {
    return select_rows(*session.tx, table, query, columns);
  };
}

// INSERT INTO table VALUES (row) ON CONFLICT ...: nothing, or the error.
StepBody insert_step(std::string table, Row row, OnConflict on_conflict) {
  return [table, row, on_conflict](ContractWorld&, SpecSession& session) {
    return insert_row(*session.tx, table, row, on_conflict);
  };
}

// INSERT INTO table VALUES (row): nothing, or the error.
StepBody plain_insert_step(std::string table, Row row) {
  return [table, row](ContractWorld&, SpecSession& session) { return insert_plain(*session.tx, table, row); };
}

StepBody update_step(std::string table, ports::Where where, ports::Assignments set) {
  return [table, where, set](ContractWorld&, SpecSession& session) {
    return update_rows(*session.tx, table, where, set);
  };
}

StepBody delete_step(std::string table, ports::Where where) {
  return [table, where](ContractWorld&, SpecSession& session) { return remove_rows(*session.tx, table, where); };
}

std::vector<std::vector<std::string>> interleavings(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> prefix;
  interleave(a, 0, b, 0, prefix, out);
  return out;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  return out;
}

sim::Task<void> check_permutations(ContractWorld& world, const IsolationSpec& spec, const ExpectedLogs& expected) {
  for (const auto& [order, log] : expected) {
    INFO("permutation " << order);
    const std::vector<std::string> got = co_await run_permutation(world, spec, words(order));
    CHECK(got == log);
  }
}



}  // namespace idemlab::contract
