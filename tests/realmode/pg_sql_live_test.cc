// The Sql port against the live PostgreSQL that scripts/infra starts (its URL
// in IDEMLAB_PG; scripts/test sets it). Without it these tests fail.
#include <catch2/catch.hpp>

#include <chrono>

#include "realmode/pg_sql.h"
#include "sim/tape.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::realmode {
namespace {

using ports::Status;
using ports::Value;

Endpoint live_pg() { return live_endpoint("IDEMLAB_PG", "postgresql"); }

ports::Schema payments_schema() {
  ports::TableSchema t;
  t.name = "payments";
  t.columns = {{"key", ports::ColumnType::kText, false},
               {"amount", ports::ColumnType::kBigint, true},
               {"body", ports::ColumnType::kJson, true}};
  t.primary_key = {"key"};
  return ports::Schema{{t}, {"payment_numbers"}};
}

// The real-time loop, a Sql in a schema of the test's own, dropped at the end.
struct LiveSql : LiveLoop {
  explicit LiveSql(sim::Duration timeout = 5 * sim::kSecond, std::size_t sessions_max = 16)
      : sql(loop, live_pg(), "idemlab_test_" + run_id, timeout, sessions_max) {}
  RealSql sql;

  ~LiveSql() { sql.drop_everything(); }

  // The tests' tables, in the run's schema.
  void make_tables() {
    Status made = Status::kError;
    auto setup = [](ports::Sql& port, Status& status) -> sim::Task<void> {
      auto result = co_await port.ensure_schema(payments_schema());
      status = result.status();
    };
    run(setup(sql, made));
    REQUIRE(made == Status::kOk);
  }
};

TEST_CASE("live PostgreSQL: a committed row reads back with NULLs, numbers and JSON text as written") {
  LiveSql w;
  w.make_tables();
  std::vector<ports::Row> read;
  auto body = [](ports::Sql& sql, std::vector<ports::Row>& out) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Row row{{"key", Value(std::string("k1"))}, {"amount", Value(std::int64_t{1234})},
                         {"body", Value(std::string("{\"b\": 1,  \"a\":2}"))}};
    auto inserted = co_await tx.value()->insert("payments", row);
    const ports::Row nulls{{"key", Value(std::string("k2"))}, {"amount", Value()}, {"body", Value()}};
    auto inserted_nulls = co_await tx.value()->insert("payments", nulls);
    auto committed = co_await tx.value()->commit();
    auto reader = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Where all;
    auto rows = co_await reader.value()->select("payments", all, ports::RowLock::kNone);
    auto done = co_await reader.value()->commit();
    if (inserted.is_ok() && inserted_nulls.is_ok() && committed.is_ok() && done.is_ok() && rows.is_ok()) {
      out = rows.value();
    }
  };
  w.run(body(w.sql, read));
  REQUIRE(read.size() == 2);
  CHECK(read[0].at("amount") == Value(std::int64_t{1234}));
  CHECK(read[0].at("body") == Value(std::string("{\"b\": 1,  \"a\":2}")));
  CHECK(std::holds_alternative<std::monostate>(read[1].at("amount")));
}

TEST_CASE("live PostgreSQL: a duplicate key is 23505, and the aborted transaction cannot commit") {
  LiveSql w;
  w.make_tables();
  std::vector<Status> statuses;
  auto body = [](ports::Sql& sql, std::vector<Status>& out) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Row row{{"key", Value(std::string("k"))}, {"amount", Value(std::int64_t{1})}, {"body", Value()}};
    out.push_back((co_await tx.value()->insert("payments", row)).status());
    out.push_back((co_await tx.value()->insert("payments", row)).status());
    const ports::Where all;
    out.push_back((co_await tx.value()->select("payments", all, ports::RowLock::kNone)).status());
    out.push_back((co_await tx.value()->commit()).status());
  };
  w.run(body(w.sql, statuses));
  CHECK(statuses == std::vector<Status>{Status::kOk, Status::kUniqueViolation, Status::kClosed, Status::kClosed});
}

TEST_CASE("live PostgreSQL: ON CONFLICT DO NOTHING skips, DO UPDATE returns the updated row") {
  LiveSql w;
  w.make_tables();
  std::vector<std::optional<ports::Row>> results;
  auto body = [](ports::Sql& sql, std::vector<std::optional<ports::Row>>& out) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Row row{{"key", Value(std::string("k"))}, {"amount", Value(std::int64_t{1})}, {"body", Value()}};
    const ports::OnConflict nothing{{"key"}, ports::OnConflict::Action::kDoNothing, {}, {}};
    const ports::OnConflict update{{"key"}, ports::OnConflict::Action::kDoUpdate, {{"amount", Value(std::int64_t{2})}}, {}};
    out.push_back((co_await tx.value()->insert_on_conflict("payments", row, nothing)).value());
    out.push_back((co_await tx.value()->insert_on_conflict("payments", row, nothing)).value());
    out.push_back((co_await tx.value()->insert_on_conflict("payments", row, update)).value());
    auto committed = co_await tx.value()->commit();
    (void)committed;
  };
  w.run(body(w.sql, results));
  REQUIRE(results.size() == 3);
  CHECK(results[0].has_value());
  CHECK_FALSE(results[1].has_value());
  REQUIRE(results[2].has_value());
  CHECK(results[2]->at("amount") == Value(std::int64_t{2}));
}

TEST_CASE("live PostgreSQL: a second inserter of a key waits for the first to commit, then fails with 23505") {
  LiveSql w;
  w.make_tables();
  std::vector<std::string> events;
  // The first holds its uncommitted row for 300 ms; 100 ms into that, the
  // second inserts the same key, and can only be answered once the first
  // has committed. Both waits are timers of the same loop: their order holds
  // however slow the machine.
  int second_done = 0;
  auto second = [](ports::Sql& sql, sim::Simulator& sim, std::vector<std::string>& out, int& done) -> sim::Task<void> {
    co_await sim.sleep(100 * sim::kMillisecond);
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Row row{{"key", Value(std::string("k"))}, {"amount", Value(std::int64_t{2})}, {"body", Value()}};
    out.push_back("second inserts");
    auto inserted = co_await tx.value()->insert("payments", row);
    out.push_back(std::string("second: ") + ports::status_name(inserted.status()));
    auto rolled_back = co_await tx.value()->rollback();
    (void)rolled_back;
    ++done;
  };
  auto first = [&second](ports::Sql& sql, sim::Simulator& sim, std::vector<std::string>& out,
                         int& done) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    const ports::Row row{{"key", Value(std::string("k"))}, {"amount", Value(std::int64_t{1})}, {"body", Value()}};
    auto inserted = co_await tx.value()->insert("payments", row);
    out.push_back(inserted.is_ok() ? "first inserted" : "first failed");
    sim.spawn(second(sql, sim, out, done), nullptr, "second");
    co_await sim.sleep(300 * sim::kMillisecond);
    out.push_back("first commits");
    auto committed = co_await tx.value()->commit();
    (void)committed;
  };
  w.run(first(w.sql, w.sim, events, second_done));
  REQUIRE(w.loop.run([&] { return second_done == 1; }, 30 * sim::kSecond));
  CHECK(events ==
        std::vector<std::string>{"first inserted", "second inserts", "first commits", "second: unique_violation"});
}

TEST_CASE("live PostgreSQL: a statement past the timeout ends its transaction: cancelled, rolled back, session free") {
  LiveSql w(300 * sim::kMillisecond, 2);  // two sessions: the lock holder's, and one to share
  w.make_tables();
  std::vector<std::string> events;
  int done = 0;
  auto row = [](const char* key, std::int64_t amount) {
    return ports::Row{{"key", Value(std::string(key))}, {"amount", Value(amount)}, {"body", Value()}};
  };
  // The second waits on the first's row past its timeout; the third then
  // gets the second's session at once, which it could not if the second's
  // insert were still waiting on it.
  auto third = [](ports::Sql& sql, std::vector<std::string>& out) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    if (!tx.is_ok()) {
      out.push_back(std::string("third: ") + ports::status_name(tx.status()));
      co_return;
    }
    const ports::Where everything;
    auto read = co_await tx.value()->select("payments", everything, ports::RowLock::kNone);
    out.push_back(std::string("third reads: ") + ports::status_name(read.status()));
    auto ended = co_await tx.value()->commit();
    (void)ended;
  };
  auto second = [&row, &third](ports::Sql& sql, std::vector<std::string>& out) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    auto other = co_await tx.value()->insert("payments", row("other", 2));
    out.push_back(std::string("second inserts other: ") + ports::status_name(other.status()));
    auto waited = co_await tx.value()->insert("payments", row("k", 2));
    out.push_back(std::string("second: ") + ports::status_name(waited.status()));
    auto after = co_await tx.value()->commit();
    out.push_back(std::string("second commits: ") + ports::status_name(after.status()));
    co_await third(sql, out);
  };
  auto first = [&row, &second](ports::Sql& sql, std::vector<std::string>& out, int& finished) -> sim::Task<void> {
    auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
    auto inserted = co_await tx.value()->insert("payments", row("k", 1));
    out.push_back(inserted.is_ok() ? "first inserted" : "first failed");
    co_await second(sql, out);
    out.push_back("first commits");
    auto committed = co_await tx.value()->commit();
    (void)committed;
    ++finished;
  };
  w.run(first(w.sql, events, done));
  REQUIRE(w.loop.run([&] { return done == 1; }, 30 * sim::kSecond));
  CHECK(events == std::vector<std::string>{"first inserted", "second inserts other: ok", "second: timeout",
                                           "second commits: closed", "third reads: ok", "first commits"});
  const std::vector<ports::Row> rows = w.sql.committed_rows("payments");
  REQUIRE(rows.size() == 1);  // the second's "other" was rolled back
  CHECK(rows[0].at("key") == Value(std::string("k")));
  CHECK(rows[0].at("amount") == Value(std::int64_t{1}));
}

TEST_CASE("live PostgreSQL: dropping the run's schema leaves every other schema alone") {
  const Endpoint endpoint = live_pg();
  PgConnection other(endpoint);
  const std::string outsider =
      "idemlab_outsider_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  REQUIRE(other.exec("CREATE SCHEMA " + outsider).status == Status::kOk);
  std::string schema;
  {
    LiveSql w;
    schema = w.sql.schema();
    w.make_tables();
  }
  ports::TableSchema names;
  names.columns = {{"nspname", ports::ColumnType::kText, false}};
  const PgConnection::Outcome left =
      other.exec(SqlText{"SELECT nspname FROM pg_namespace WHERE nspname IN ($1, $2)",
                         {Value(schema), Value(outsider)}},
                 &names);
  REQUIRE(left.rows.size() == 1);
  CHECK(left.rows[0].at("nspname") == Value(outsider));
  other.exec("DROP SCHEMA " + outsider);
}

TEST_CASE("an unreachable PostgreSQL is named with its URL, without the password") {
  std::string error;
  const auto endpoint = parse_endpoint("postgresql://shop:s3cret@127.0.0.1:1/idemlab", "postgresql", error);
  REQUIRE(endpoint.has_value());
  PgConnection connection(*endpoint);
  try {
    connection.connect();
    FAIL("connected to port 1");
  } catch (const Unreachable& e) {
    const std::string what = e.what();
    CHECK(what.rfind("PostgreSQL at postgresql://shop:***@127.0.0.1:1/idemlab: ", 0) == 0);
    CHECK(what.find("s3cret") == std::string::npos);
  }
  CHECK(connection.exec("SELECT 1").status == Status::kUnavailable);
}

}  // namespace
}  // namespace idemlab::realmode
