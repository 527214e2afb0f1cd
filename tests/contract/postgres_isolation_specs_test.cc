// PostgreSQL 15's own isolation specs (src/test/isolation/specs/*.spec with
// expected/*.out), translated step for step onto the Sql port and run on the
// model and on the live server. Each permutation's expected log is the .out
// file's, in isolation_spec.h's notation: rows, errors, who waits and when
// it completes. Where a spec uses SQL the port has no statement for, the
// translation says what stands for it.
#include <cctype>
#include <string>
#include <vector>

#include "tests/contract/isolation_spec.h"

namespace idemlab::contract {
namespace {

using ports::Isolation;
using ports::OnConflict;
using ports::Query;
using ports::Row;
using ports::RowLock;
using ports::Value;
using sim::Task;

Settings plain() { return Settings{}; }

// SELECT * FROM ints outside any transaction.
Task<std::string> show_ints(ContractWorld& world) {
  auto tx = co_await world.sql().begin(Isolation::kReadCommitted);
  if (!tx.is_ok()) co_return error_text(tx.status());
  std::vector<std::string> columns = {"key", "val"};
  Query all;
  const std::string rows = co_await select_rows(*tx.value(), "ints", std::move(all), std::move(columns));
  auto done = co_await tx.value()->commit();
  (void)done;
  co_return rows;
}

}  // namespace

// skip-locked.spec: two sessions take "SELECT * FROM queue ORDER BY id FOR
// UPDATE SKIP LOCKED LIMIT 1" twice each, then commit; every one of the 20
// orders of their steps.
CONTRACT_TEST("isolation spec skip-locked: each of the 20 permutations answers as expected/skip-locked.out", plain()) {
  ports::TableSchema queue;
  queue.name = "queue";
  queue.columns = {{"id", ports::ColumnType::kBigint, false},
                   {"data", ports::ColumnType::kText, false},
                   {"status", ports::ColumnType::kText, false}};
  queue.primary_key = {"id"};
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(queue, {Row{{"id", std::int64_t{1}}, {"data", std::string("foo")}, {"status", std::string("NEW")}},
                                  Row{{"id", std::int64_t{2}}, {"data", std::string("bar")}, {"status", std::string("NEW")}}});
  Query first_free;
  first_free.order = {ports::OrderBy{"id", false}};
  first_free.limit = 1;
  first_free.lock = RowLock::kForUpdateSkipLocked;
  const std::vector<std::string> columns = {"id", "data", "status"};
  for (std::size_t s = 0; s < 2; ++s) {
    const std::string p = "s" + std::to_string(s + 1);
    spec.steps.push_back({p + "a", s, select_step("queue", first_free, columns)});
    spec.steps.push_back({p + "b", s, select_step("queue", first_free, columns)});
    spec.steps.push_back({p + "c", s, commit_step()});
  }
  // expected/skip-locked.out: the row each SELECT takes, in the file's order of permutations.
  const std::vector<std::string> taken = {"1 1 1 1", "1 1 2 1", "1 1 2 2", "1 1 2 2", "1 2 1 1", "1 2 1 2", "1 2 1 2",
                                          "1 2 2 1", "1 2 2 1", "1 2 2 1", "1 2 2 1", "1 2 2 1", "1 2 2 1", "1 2 1 2",
                                          "1 2 1 2", "1 2 1 1", "1 1 2 2", "1 1 2 2", "1 1 2 1", "1 1 1 1"};
  const std::vector<std::vector<std::string>> orders = interleavings({"s1a", "s1b", "s1c"}, {"s2a", "s2b", "s2c"});
  REQUIRE(orders.size() == taken.size());
  ExpectedLogs expected;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    std::string order;
    std::vector<std::string> log;
    std::size_t next = 0;
    const std::vector<std::string> ids = words(taken[i]);
    for (const std::string& step : orders[i]) {
      order += (order.empty() ? "" : " ") + step;
      if (step.back() == 'c') {
        log.push_back(step + ":");
      } else {
        log.push_back(step + ": " + (ids[next++] == "1" ? "1|foo|NEW" : "2|bar|NEW"));
      }
    }
    expected.emplace_back(order, log);
  }
  co_await check_permutations(world, spec, expected);
}

// nowait.spec: "SELECT * FROM foo FOR UPDATE NOWAIT" in each session.
CONTRACT_TEST("isolation spec nowait: each of the 6 permutations answers as expected/nowait.out", plain()) {
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(two_columns("foo", "id", "data"), {Row{{"id", std::int64_t{1}}, {"data", std::string("x")}}});
  Query all;
  all.lock = RowLock::kForUpdateNowait;
  spec.steps = {{"s1a", 0, select_step("foo", all, {"id", "data"})},
                {"s1b", 0, commit_step()},
                {"s2a", 1, select_step("foo", all, {"id", "data"})},
                {"s2b", 1, commit_step()}};
  const ExpectedLogs expected = {
      {"s1a s1b s2a s2b", {"s1a: 1|x", "s1b:", "s2a: 1|x", "s2b:"}},
       {"s1a s2a s1b s2b", {"s1a: 1|x", std::string("s2a: ") + kLockNotAvailable, "s1b:", "s2b:"}},
       {"s1a s2a s2b s1b", {"s1a: 1|x", std::string("s2a: ") + kLockNotAvailable, "s2b:", "s1b:"}},
       {"s2a s1a s1b s2b", {"s2a: 1|x", std::string("s1a: ") + kLockNotAvailable, "s1b:", "s2b:"}},
       {"s2a s1a s2b s1b", {"s2a: 1|x", std::string("s1a: ") + kLockNotAvailable, "s2b:", "s1b:"}},
       {"s2a s2b s1a s1b", {"s2a: 1|x", "s2b:", "s1a: 1|x", "s1b:"}}};
  co_await check_permutations(world, spec, expected);
}

// insert-conflict-do-nothing.spec: session 1 inserts key 1, session 2's
// insert of the same key waits for it, then does nothing (commit) or
// inserts (abort).
CONTRACT_TEST("isolation spec insert-conflict-do-nothing: both permutations answer as expected", plain()) {
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(two_columns("ints", "key", "val"), {});
  const OnConflict nothing{{"key"}, OnConflict::Action::kDoNothing, {}, {}};
  spec.steps = {{"donothing1", 0, insert_step("ints", Row{{"key", std::int64_t{1}}, {"val", std::string("donothing1")}}, nothing)},
                {"c1", 0, commit_step()},
                {"a1", 0, rollback_step()},
                {"donothing2", 1, insert_step("ints", Row{{"key", std::int64_t{1}}, {"val", std::string("donothing2")}}, nothing)},
                {"select2", 1, select_step("ints", Query{}, {"key", "val"})},
                {"c2", 1, commit_step()},
                {"a2", 1, rollback_step()}};
  const ExpectedLogs expected = {
      {"donothing1 donothing2 c1 select2 c2",
        {"donothing1:", "donothing2: <waiting ...>", "c1:", "donothing2: <... completed>", "select2: 1|donothing1", "c2:"}},
       {"donothing1 donothing2 a1 select2 c2",
        {"donothing1:", "donothing2: <waiting ...>", "a1:", "donothing2: <... completed>", "select2: 1|donothing2", "c2:"}}};
  co_await check_permutations(world, spec, expected);
}

// insert-conflict-do-nothing-2.spec, at REPEATABLE READ and SERIALIZABLE.
// Session 2's statement inserts (1, 'donothing2') and (1, 'donothing3') in
// one statement; the port inserts one row per statement, and the second of
// that statement's rows conflicts with its first and is skipped, so one
// insert of (1, 'donothing2') answers alike.
CONTRACT_TEST("isolation spec insert-conflict-do-nothing-2: all 8 permutations answer as expected", plain()) {
  IsolationSpec spec;
  spec.setup = table_with(two_columns("ints", "key", "val"), {});
  const OnConflict nothing{{"key"}, OnConflict::Action::kDoNothing, {}, {}};
  spec.steps = {{"beginrr1", 0, begin_step(Isolation::kRepeatableRead)},
                {"begins1", 0, begin_step(Isolation::kSerializable)},
                {"donothing1", 0, insert_step("ints", Row{{"key", std::int64_t{1}}, {"val", std::string("donothing1")}}, nothing)},
                {"c1", 0, commit_step()},
                {"show", 0, [](ContractWorld& w, SpecSession&) { return show_ints(w); }},
                {"beginrr2", 1, begin_step(Isolation::kRepeatableRead)},
                {"begins2", 1, begin_step(Isolation::kSerializable)},
                {"donothing2", 1, insert_step("ints", Row{{"key", std::int64_t{1}}, {"val", std::string("donothing2")}}, nothing)},
                {"c2", 1, commit_step()}};
  ExpectedLogs expected;
  for (const std::string level : {"rr", "s"}) {
    const std::string b1 = "begin" + level + "1";
    const std::string b2 = "begin" + level + "2";
    const std::string serialization = std::string(kSerialization);
    expected.push_back({b1 + " " + b2 + " donothing1 c1 donothing2 c2 show",
                        {b1 + ":", b2 + ":", "donothing1:", "c1:", "donothing2:", "c2:", "show: 1|donothing1"}});
    expected.push_back({b1 + " " + b2 + " donothing2 c2 donothing1 c1 show",
                        {b1 + ":", b2 + ":", "donothing2:", "c2:", "donothing1:", "c1:", "show: 1|donothing2"}});
    expected.push_back({b1 + " " + b2 + " donothing1 donothing2 c1 c2 show",
                        {b1 + ":", b2 + ":", "donothing1:", "donothing2: <waiting ...>", "c1:",
                         "donothing2: <... completed> " + serialization, "c2:", "show: 1|donothing1"}});
    expected.push_back({b1 + " " + b2 + " donothing2 donothing1 c2 c1 show",
                        {b1 + ":", b2 + ":", "donothing2:", "donothing1: <waiting ...>", "c2:",
                         "donothing1: <... completed> " + serialization, "c1:", "show: 1|donothing2"}});
  }
  co_await check_permutations(world, spec, expected);
}

// insert-conflict-do-update.spec: session 2's upsert of key 1 waits for
// session 1's insert of it, then updates that row (commit) or inserts its
// own (abort). The spec's SET val = upsert.val || ' updated by insert2' is
// an expression over the row; the port's SET takes values, so it stands as
// the value the expression yields on the row it would update: the
// permutation shows which row the upsert met either way.
CONTRACT_TEST("isolation spec insert-conflict-do-update: both permutations answer as expected", plain()) {
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(two_columns("upsert", "key", "val"), {});
  OnConflict update1{{"key"}, OnConflict::Action::kDoUpdate, {}, {}};
  update1.set["val"] = Value(std::string("? updated by insert1"));  // never met: session 1 always inserts
  OnConflict update2{{"key"}, OnConflict::Action::kDoUpdate, {}, {}};
  update2.set["val"] = Value(std::string("insert1 updated by insert2"));
  spec.steps = {{"insert1", 0, insert_step("upsert", Row{{"key", std::int64_t{1}}, {"val", std::string("insert1")}},
                                           update1)},
                {"c1", 0, commit_step()},
                {"a1", 0, rollback_step()},
                {"insert2", 1, insert_step("upsert", Row{{"key", std::int64_t{1}}, {"val", std::string("insert2")}},
                                           update2)},
                {"select2", 1, select_step("upsert", Query{}, {"key", "val"})},
                {"c2", 1, commit_step()},
                {"a2", 1, rollback_step()}};
  const ExpectedLogs expected = {
      {"insert1 insert2 c1 select2 c2",
       {"insert1:", "insert2: <waiting ...>", "c1:", "insert2: <... completed>", "select2: 1|insert1 updated by insert2",
        "c2:"}},
      {"insert1 insert2 a1 select2 c2",
       {"insert1:", "insert2: <waiting ...>", "a1:", "insert2: <... completed>", "select2: 1|insert2", "c2:"}}};
  co_await check_permutations(world, spec, expected);
}

// insert-conflict-do-update-2.spec: the arbiter is a unique index on
// lower(key), and the upsert's DO UPDATE changes key itself (to the
// excluded row's, same in lower case). The expression index stands as a
// stored column holding lower(key), the table's primary key; the SETs stand
// as the values their expressions yield, as in insert-conflict-do-update.
CONTRACT_TEST("isolation spec insert-conflict-do-update-2: both permutations answer as expected", plain()) {
  ports::TableSchema upsert;
  upsert.name = "upsert";
  upsert.columns = {{"key_lower", ports::ColumnType::kText, false},
                    {"key", ports::ColumnType::kText, false},
                    {"payload", ports::ColumnType::kText, true}};
  upsert.primary_key = {"key_lower"};
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(upsert, {});
  auto row = [](const char* key, const char* payload) {
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Row{{"key_lower", lower}, {"key", std::string(key)}, {"payload", std::string(payload)}};
  };
  OnConflict update1{{"key_lower"}, OnConflict::Action::kDoUpdate, {}, {}};
  update1.set["key"] = Value(std::string("FooFoo"));
  update1.set["payload"] = Value(std::string("? updated by insert1"));  // never met: session 1 always inserts
  OnConflict update2{{"key_lower"}, OnConflict::Action::kDoUpdate, {}, {}};
  update2.set["key"] = Value(std::string("FOOFOO"));
  update2.set["payload"] = Value(std::string("insert1 updated by insert2"));
  spec.steps = {{"insert1", 0, insert_step("upsert", row("FooFoo", "insert1"), update1)},
                {"c1", 0, commit_step()},
                {"a1", 0, rollback_step()},
                {"insert2", 1, insert_step("upsert", row("FOOFOO", "insert2"), update2)},
                {"select2", 1, select_step("upsert", Query{}, {"key", "payload"})},
                {"c2", 1, commit_step()},
                {"a2", 1, rollback_step()}};
  const ExpectedLogs expected = {
      {"insert1 insert2 c1 select2 c2",
       {"insert1:", "insert2: <waiting ...>", "c1:", "insert2: <... completed>",
        "select2: FOOFOO|insert1 updated by insert2", "c2:"}},
      {"insert1 insert2 a1 select2 c2",
       {"insert1:", "insert2: <waiting ...>", "a1:", "insert2: <... completed>", "select2: FOOFOO|insert2", "c2:"}}};
  co_await check_permutations(world, spec, expected);
}

// insert-conflict-do-update-3.spec's insert1: a CTE upserting keys 1 and 2
// (DO UPDATE ... WHERE colors.is_active), whose outer SELECT prints the
// table as the statement's snapshot shows it, before the upserts. As three
// statements: the SELECT first (in READ COMMITTED its snapshot is as old as
// the CTE's would be: taken before the wait), then each VALUES row's upsert.
sim::Task<std::string> upsert_colors_then_select(ports::Tx& tx) {
  const std::vector<std::string> columns = {"key", "color", "is_active"};
  Query by_key;
  by_key.order = {{"key", false}};
  std::string before = co_await select_rows(tx, "colors", by_key, columns);
  const std::vector<std::pair<std::int64_t, std::string>> values = {{1, "Brown"}, {2, "Gray"}};
  for (const auto& [key, color] : values) {
    OnConflict update{{"key"}, OnConflict::Action::kDoUpdate, {{"color", Value(color)}}, {}};
    update.where = {{"is_active", Value(std::int64_t{1})}};
    const Row row{{"key", key}, {"color", color}, {"is_active", std::int64_t{1}}};
    auto upserted = co_await tx.insert_on_conflict("colors", row, update);
    if (!upserted.is_ok()) co_return error_text(upserted.status());
  }
  co_return before;
}

// insert-conflict-do-update-3.spec: the upsert's WHERE is evaluated on the
// row version it locked (session 2's, committed while it waited), not on
// the one its snapshot shows, so key 1 becomes Brown though the snapshot
// says inactive. is_active boolean as a bigint, 0 or 1 (the port has no
// boolean type).
CONTRACT_TEST("isolation spec insert-conflict-do-update-3: its permutation answers as expected", plain()) {
  ports::TableSchema colors;
  colors.name = "colors";
  colors.columns = {{"key", ports::ColumnType::kBigint, false},
                    {"color", ports::ColumnType::kText, true},
                    {"is_active", ports::ColumnType::kBigint, true}};
  colors.primary_key = {"key"};
  auto row = [](std::int64_t key, const char* color) {
    return Row{{"key", key}, {"color", std::string(color)}, {"is_active", std::int64_t{0}}};
  };
  IsolationSpec spec;
  spec.begin_each = Isolation::kReadCommitted;
  spec.setup = table_with(colors, {row(1, "Red"), row(2, "Green"), row(3, "Blue")});
  Query by_key;
  by_key.order = {{"key", false}};
  spec.steps = {{"insert1", 0, [](ContractWorld&, SpecSession& session) { return upsert_colors_then_select(*session.tx); }},
                {"select1surprise", 0, select_step("colors", by_key, {"key", "color", "is_active"})},
                {"c1", 0, commit_step()},
                {"update2", 1, update_step("colors", ports::Where{{"key", Value(std::int64_t{1})}},
                                           ports::Assignments{{"is_active", Value(std::int64_t{1})}})},
                {"c2", 1, commit_step()}};
  const ExpectedLogs expected = {
      {"update2 insert1 c2 select1surprise c1",
       {"update2:", "insert1: <waiting ...>", "c2:", "insert1: <... completed> 1|Red|0; 2|Green|0; 3|Blue|0",
        "select1surprise: 1|Brown|1; 2|Green|0; 3|Blue|0", "c1:"}}};
  co_await check_permutations(world, spec, expected);
}

// lock-update-delete.spec: session 2 updates the row session 1's REPEATABLE
// READ snapshot shows, then deletes it or changes its key; session 1's lock
// of the row waits, then fails with 40001 (commit) or gets the row it saw
// (rollback). The spec's FOR KEY SHARE stands as FOR UPDATE: both conflict
// with a DELETE and with an UPDATE of the key, which is all the spec does.
CONTRACT_TEST("isolation spec lock-update-delete: all 4 permutations answer as expected", plain()) {
  ports::TableSchema foo;
  foo.name = "foo";
  foo.columns = {{"key", ports::ColumnType::kBigint, false}, {"value", ports::ColumnType::kBigint, true}};
  foo.primary_key = {"key"};
  IsolationSpec spec;
  spec.setup = table_with(foo, {Row{{"key", std::int64_t{1}}, {"value", std::int64_t{1}}}});
  const ports::Where key1{{"key", Value(std::int64_t{1})}};
  Query locked;
  locked.lock = RowLock::kForUpdate;
  spec.steps = {{"s1b", 0, begin_step(Isolation::kRepeatableRead)},
                {"s1s", 0, select_step("foo", Query{}, {"key", "value"})},
                {"s1l", 0, select_step("foo", locked, {"key", "value"})},
                {"s1c", 0, commit_step()},
                {"s2b", 1, begin_step(Isolation::kReadCommitted)},
                {"s2u", 1, update_step("foo", key1, ports::Assignments{{"value", Value(std::int64_t{2})}})},
                {"s2d", 1, delete_step("foo", ports::Where{})},
                {"s2u2", 1, update_step("foo", key1, ports::Assignments{{"key", Value(std::int64_t{2})}})},
                {"s2c", 1, commit_step()},
                {"s2r", 1, rollback_step()}};
  ExpectedLogs expected;
  for (const std::string second_write : {"s2d", "s2u2"}) {
    const std::vector<std::string> start = {"s1b:", "s2b:", "s1s: 1|1", "s2u:", second_write + ":", "s1l: <waiting ...>"};
    std::vector<std::string> committed = start;
    committed.insert(committed.end(), {"s2c:", std::string("s1l: <... completed> ") + kSerialization, "s1c:"});
    std::vector<std::string> rolled_back = start;
    rolled_back.insert(rolled_back.end(), {"s2r:", "s1l: <... completed> 1|1", "s1c:"});
    expected.emplace_back("s1b s2b s1s s2u " + second_write + " s1l s2c s1c", committed);
    expected.emplace_back("s1b s2b s1s s2u " + second_write + " s1l s2r s1c", rolled_back);
  }
  co_await check_permutations(world, spec, expected);
}

}  // namespace idemlab::contract
