#include <catch2/catch.hpp>

#include "realmode/sql_text.h"

namespace idemlab::realmode {
namespace {

using ports::Value;

ports::TableSchema keys_table() {
  ports::TableSchema t;
  t.name = "idempotency_keys";
  t.columns = {{"key", ports::ColumnType::kText, false},
               {"status", ports::ColumnType::kBigint, false},
               {"body", ports::ColumnType::kJson, true}};
  t.primary_key = {"key"};
  t.unique_keys = {{"status", "body"}};
  return t;
}

TEST_CASE("tables are created in real mode's own schema, JSON columns as exact text") {
  const std::vector<std::string> ddl = create_objects("idemlab_run_1", ports::Schema{{keys_table()}, {"payment_ids"}});
  REQUIRE(ddl.size() == 2);
  CHECK(ddl[0] ==
        "CREATE TABLE IF NOT EXISTS \"idemlab_run_1\".\"idempotency_keys\" (\"key\" text NOT NULL, \"status\" bigint "
        "NOT NULL, \"body\" text, PRIMARY KEY (\"key\"), UNIQUE (\"status\", \"body\"))");
  CHECK(ddl[1] == "CREATE SEQUENCE IF NOT EXISTS \"idemlab_run_1\".\"payment_ids\"");
  CHECK(drop_schema("idemlab_run_1") == "DROP SCHEMA IF EXISTS \"idemlab_run_1\" CASCADE");
}

TEST_CASE("an insert on conflict renders its target, its update and its parameters in order") {
  const ports::Row row{{"key", Value(std::string("k"))}, {"status", Value(std::int64_t{201})}, {"body", Value()}};
  const ports::OnConflict update{{"key"}, ports::OnConflict::Action::kDoUpdate, {{"status", Value(std::int64_t{409})}}, {}};
  const SqlText sql = insert_on_conflict_text("s", "idempotency_keys", row, update);
  CHECK(sql.text ==
        "INSERT INTO \"s\".\"idempotency_keys\" (\"body\", \"key\", \"status\") VALUES ($1, $2, $3) ON CONFLICT "
        "(\"key\") DO UPDATE SET \"status\" = $4 RETURNING *");
  REQUIRE(sql.params.size() == 4);
  CHECK(std::holds_alternative<std::monostate>(sql.params[0]));
  CHECK(sql.params[3] == Value(std::int64_t{409}));
  const ports::OnConflict nothing{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
  CHECK(insert_on_conflict_text("s", "t", row, nothing).text.find("ON CONFLICT (\"key\") DO NOTHING RETURNING *") !=
        std::string::npos);
}

TEST_CASE("an upsert's DO UPDATE WHERE names the table's columns, not EXCLUDED's") {
  ports::OnConflict conditional{{"key"}, ports::OnConflict::Action::kDoUpdate, {{"status", Value(std::int64_t{201})}}, {}};
  conditional.where = {{"status", Value(std::int64_t{500})}};
  const ports::Row row{{"key", Value(std::string("k"))}};
  const SqlText sql = insert_on_conflict_text("s", "idempotency_keys", row, conditional);
  CHECK(sql.text ==
        "INSERT INTO \"s\".\"idempotency_keys\" (\"key\") VALUES ($1) ON CONFLICT (\"key\") DO UPDATE SET "
        "\"status\" = $2 WHERE \"idempotency_keys\".\"status\" = $3 RETURNING *");
  REQUIRE(sql.params.size() == 3);
  CHECK(sql.params[2] == Value(std::int64_t{500}));
}

TEST_CASE("a select reads in primary-key order, a null in the where clause is IS NULL, FOR UPDATE locks") {
  ports::Query query;
  query.where = {{"body", Value()}, {"status", Value(std::int64_t{201})}};
  query.lock = ports::RowLock::kForUpdate;
  const SqlText sql = select_text("s", keys_table(), query);
  CHECK(sql.text ==
        "SELECT * FROM \"s\".\"idempotency_keys\" WHERE \"body\" IS NULL AND \"status\" = $1 ORDER BY \"key\" "
        "COLLATE \"C\" FOR UPDATE");
  CHECK(sql.params.size() == 1);
  CHECK(select_text("s", keys_table(), ports::Query{}).text ==
        "SELECT * FROM \"s\".\"idempotency_keys\" ORDER BY \"key\" COLLATE \"C\"");
}

TEST_CASE("a query's ranges, order and limit render in the model's terms: text COLLATE \"C\", then the primary key") {
  ports::Query query;
  query.ranges = {{"status", ports::Range::Op::kGreaterEqual, Value(std::int64_t{400})},
                  {"body", ports::Range::Op::kNotEqual, Value(std::string("x"))}};
  query.order = {{"status", true}};
  query.limit = 10;
  query.lock = ports::RowLock::kForUpdateSkipLocked;
  const SqlText sql = select_text("s", keys_table(), query);
  CHECK(sql.text ==
        "SELECT * FROM \"s\".\"idempotency_keys\" WHERE \"status\" >= $1 AND \"body\" COLLATE \"C\" <> $2 ORDER BY "
        "\"status\" DESC, \"key\" COLLATE \"C\" LIMIT 10 FOR UPDATE SKIP LOCKED");
  REQUIRE(sql.params.size() == 2);
  CHECK(sql.params[1] == Value(std::string("x")));
  query.lock = ports::RowLock::kForUpdateNowait;
  CHECK(select_text("s", keys_table(), query).text.find("LIMIT 10 FOR UPDATE NOWAIT") != std::string::npos);
}

TEST_CASE("update, delete and nextval render as one parameterised statement each") {
  const SqlText update = update_text("s", "t", {{"key", Value(std::string("k"))}}, {{"status", Value(std::int64_t{1})}});
  CHECK(update.text == "UPDATE \"s\".\"t\" SET \"status\" = $1 WHERE \"key\" = $2 RETURNING *");
  CHECK(remove_text("s", "t", {{"key", Value(std::string("k"))}}).text == "DELETE FROM \"s\".\"t\" WHERE \"key\" = $1");
  const SqlText next = nextval_text("s", "ids");
  CHECK(next.text == "SELECT nextval($1::regclass)");
  CHECK(next.params[0] == Value(std::string("\"s\".\"ids\"")));
}

TEST_CASE("identifiers are quoted, so no name can escape its quotes") {
  CHECK(quote_identifier("we\"ird") == "\"we\"\"ird\"");
  CHECK(begin_text(ports::Isolation::kSerializable) == "BEGIN ISOLATION LEVEL SERIALIZABLE");
}

}  // namespace
}  // namespace idemlab::realmode
