// PostgreSQL 15's isolation specs of serializable snapshot isolation
// (read-write-unique*, multiple-row-versions), translated onto the Sql port
// as postgres_isolation_specs_test.cc does and run on the model and on the
// live server: which of two serializable inserts of one key fails with
// 40001 rather than 23505, and which transaction of a dangerous structure
// gives way.
#include <string>
#include <vector>

#include "tests/contract/isolation_spec.h"

namespace idemlab::contract {
namespace {

using ports::Isolation;
using ports::Query;
using ports::Row;
using ports::Value;
using sim::Task;

Settings plain() { return Settings{}; }

std::string completed(const std::string& step, const char* error) { return step + ": <... completed> " + error; }
std::string failed(const std::string& step, const char* error) { return step + ": " + error; }

// read-write-unique.spec and -2: test (i integer PRIMARY KEY); each session
// reads (the whole table, or WHERE i = 42), then inserts 42.
IsolationSpec read_write_unique(Query read) {
  ports::TableSchema test;
  test.name = "test";
  test.columns = {{"i", ports::ColumnType::kBigint, false}};
  test.primary_key = {"i"};
  IsolationSpec spec;
  spec.begin_each = Isolation::kSerializable;
  spec.setup = table_with(test, {});
  const Row row{{"i", std::int64_t{42}}};
  spec.steps = {{"r1", 0, select_step("test", read, {"i"})}, {"w1", 0, plain_insert_step("test", row)},
                {"c1", 0, commit_step()},                    {"r2", 1, select_step("test", read, {"i"})},
                {"w2", 1, plain_insert_step("test", row)},   {"c2", 1, commit_step()}};
  return spec;
}

// Both permutations of read-write-unique and -2: both read first, and the
// second insert is a 40001 once the first commits; or the first committed
// before the second began, and it is a plain 23505.
const ExpectedLogs& read_write_unique_logs() {
  static const ExpectedLogs logs = {
      {"r1 r2 w1 w2 c1 c2",
       {"r1:", "r2:", "w1:", "w2: <waiting ...>", "c1:", completed("w2", kSerialization), "c2:"}},
      {"r1 w1 c1 r2 w2 c2", {"r1:", "w1:", "c1:", "r2: 42", failed("w2", kUniqueViolation), "c2:"}}};
  return logs;
}

// insert_unique(k, v) of read-write-unique-3: INSERT INTO test SELECT k, v
// WHERE NOT EXISTS (SELECT key FROM test WHERE key = k), one statement; as
// a step, the read and then the insert, in the transaction's one snapshot.
Task<std::string> insert_unique(ports::Tx& tx, std::int64_t key, std::string value) {
  const std::string table = "test";
  Query by_key;
  by_key.where["key"] = Value(key);
  auto found = co_await tx.query(table, by_key);
  if (!found.is_ok()) co_return error_text(found.status());
  if (!found.value().empty()) co_return std::string();
  const Row row{{"key", key}, {"val", value}};
  auto inserted = co_await tx.insert(table, row);
  co_return inserted.is_ok() ? std::string() : error_text(inserted.status());
}

// SELECT COALESCE(MAX(invoice_number) + 1, 1) FROM invoice WHERE year = 2016
// of read-write-unique-4, as the highest row of the year.
Task<std::string> next_invoice_number(ports::Tx& tx) {
  Query highest;
  highest.where["year"] = Value(std::int64_t{2016});
  highest.order = {ports::OrderBy{"invoice_number", true}};
  highest.limit = 1;
  const std::string table = "invoice";
  auto rows = co_await tx.query(table, highest);
  if (!rows.is_ok()) co_return error_text(rows.status());
  if (rows.value().empty()) co_return std::string("1");
  co_return std::to_string(std::get<std::int64_t>(rows.value().front().at("invoice_number")) + 1);
}

}  // namespace

CONTRACT_TEST("isolation spec read-write-unique: both permutations answer as expected", plain()) {
  const Query whole_table;
  const IsolationSpec spec = read_write_unique(whole_table);
  co_await check_permutations(world, spec, read_write_unique_logs());
}

CONTRACT_TEST("isolation spec read-write-unique-2: both permutations answer as expected", plain()) {
  Query by_key;
  by_key.where["i"] = Value(std::int64_t{42});
  const IsolationSpec spec = read_write_unique(by_key);
  co_await check_permutations(world, spec, read_write_unique_logs());
}

// read-write-unique-3.spec: test (key integer UNIQUE, val text), the key as
// the primary key (UNIQUE on a column that is never NULL here).
CONTRACT_TEST("isolation spec read-write-unique-3: the permutation answers as expected", plain()) {
  IsolationSpec spec;
  spec.begin_each = Isolation::kSerializable;
  spec.setup = table_with(two_columns("test", "key", "val"), {});
  spec.steps = {{"rw1", 0, [](ContractWorld&, SpecSession& s) { return insert_unique(*s.tx, 1, "1"); }},
                {"c1", 0, commit_step()},
                {"rw2", 1, [](ContractWorld&, SpecSession& s) { return insert_unique(*s.tx, 1, "2"); }},
                {"c2", 1, commit_step()}};
  const ExpectedLogs expected = {
      {"rw1 rw2 c1 c2", {"rw1:", "rw2: <waiting ...>", "c1:", completed("rw2", kSerialization), "c2:"}}};
  co_await check_permutations(world, spec, expected);
}

// read-write-unique-4.spec: a gapless invoice number per year. Only a
// session that read and was read from fails with 40001; one that did not
// read, or was not read from, meets the plain 23505.
CONTRACT_TEST("isolation spec read-write-unique-4: all 3 permutations answer as expected", plain()) {
  ports::TableSchema invoice;
  invoice.name = "invoice";
  invoice.columns = {{"year", ports::ColumnType::kBigint, false}, {"invoice_number", ports::ColumnType::kBigint, false}};
  invoice.primary_key = {"year", "invoice_number"};
  IsolationSpec spec;
  spec.begin_each = Isolation::kSerializable;
  spec.setup = table_with(invoice, {Row{{"year", std::int64_t{2016}}, {"invoice_number", std::int64_t{1}}},
                                    Row{{"year", std::int64_t{2016}}, {"invoice_number", std::int64_t{2}}}});
  const Row third{{"year", std::int64_t{2016}}, {"invoice_number", std::int64_t{3}}};
  spec.steps = {{"r1", 0, [](ContractWorld&, SpecSession& s) { return next_invoice_number(*s.tx); }},
                {"w1", 0, plain_insert_step("invoice", third)},
                {"c1", 0, commit_step()},
                {"r2", 1, [](ContractWorld&, SpecSession& s) { return next_invoice_number(*s.tx); }},
                {"w2", 1, plain_insert_step("invoice", third)},
                {"c2", 1, commit_step()}};
  const ExpectedLogs expected = {
      {"r1 r2 w1 w2 c1 c2",
       {"r1: 3", "r2: 3", "w1:", "w2: <waiting ...>", "c1:", completed("w2", kSerialization), "c2:"}},
      {"r1 w1 w2 c1 c2", {"r1: 3", "w1:", "w2: <waiting ...>", "c1:", completed("w2", kUniqueViolation), "c2:"}},
      {"r2 w1 w2 c1 c2", {"r2: 3", "w1:", "w2: <waiting ...>", "c1:", completed("w2", kUniqueViolation), "c2:"}}};
  co_await check_permutations(world, spec, expected);
}

// multiple-row-versions.spec: four serializable transactions, T1 ->rw T2
// (committed first) and T3 ->rw T4 ->rw T1; T1's last write closes the
// structure and T1, not T3, gives way. The spec's table has a million rows
// so that the updates stay on their pages; the three it touches stand for
// it here (the model keeps no pages, and the live server's rows are few
// enough to share one, where what matters is that nothing reads the others).
CONTRACT_TEST("isolation spec multiple-row-versions: the permutation answers as expected", plain()) {
  IsolationSpec spec;
  spec.sessions = 4;
  spec.begin_each = Isolation::kSerializable;
  spec.setup = table_with(two_columns("t", "id", "txt"),
                          {Row{{"id", std::int64_t{1}}}, Row{{"id", std::int64_t{500000}}}, Row{{"id", std::int64_t{1000000}}}});
  const auto id = [](std::int64_t n) { return ports::Where{{"id", Value(n)}}; };
  const auto txt = [](const char* t) { return ports::Assignments{{"txt", Value(std::string(t))}}; };
  const auto by_id = [&id](std::int64_t n) {
    Query q;
    q.where = id(n);
    return q;
  };
  spec.steps = {{"rx1", 0, select_step("t", by_id(1000000), {"id", "txt"})},
                {"wz1", 0, update_step("t", id(1), txt("a"))},
                {"c1", 0, commit_step()},
                {"wx2", 1, update_step("t", id(1000000), txt("b"))},
                {"c2", 1, commit_step()},
                {"wx3", 2, update_step("t", id(1000000), txt("c"))},
                {"ry3", 2, select_step("t", by_id(500000), {"id", "txt"})},
                {"c3", 2, commit_step()},
                {"wy4", 3, update_step("t", id(500000), txt("d"))},
                {"rz4", 3, select_step("t", by_id(1), {"id", "txt"})},
                {"c4", 3, commit_step()}};
  const ExpectedLogs expected = {{"rx1 wx2 c2 wx3 ry3 wy4 rz4 c4 c3 wz1 c1",
                                  {"rx1: 1000000|", "wx2:", "c2:", "wx3:", "ry3: 500000|", "wy4:", "rz4: 1|", "c4:",
                                   "c3:", failed("wz1", kSerialization), "c1:"}}};
  co_await check_permutations(world, spec, expected);
}

}  // namespace idemlab::contract
