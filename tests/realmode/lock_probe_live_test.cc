// The turnstile's question on the live PostgreSQL of scripts/infra: how many
// of the run's sessions wait on a lock another holds (pg_blocking_pids).
#include <catch2/catch.hpp>


#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::realmode {
namespace {

using ports::Status;
using ports::Value;

Servers live_servers() {
  return Servers{live_endpoint("IDEMLAB_REDIS", "redis"), live_endpoint("IDEMLAB_PG", "postgresql"),
                 live_endpoint("IDEMLAB_AMQP", "amqp"), ""};
}

ports::Schema claims_schema() {
  ports::TableSchema t;
  t.name = "claims";
  t.columns = {{"key", ports::ColumnType::kText, false}};
  t.primary_key = {"key"};
  return ports::Schema{{t}, {}};
}

struct Seen {
  int before = -1;
  int while_blocked = -1;
  Status second_insert = Status::kOk;
};

// The first transaction inserts the key and holds it; while the second's
// insert of the same key waits, the probe asks; then the first commits.
sim::Task<void> first(sim::Simulator& sim, LiveBackends& live, ports::Sql& sql, Seen& seen) {
  seen.before = co_await live.sessions_waiting_on_locks();
  auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
  const ports::Row row{{"key", Value(std::string("k"))}};
  auto inserted = co_await tx.value()->insert("claims", row);
  co_await sim.sleep(200 * sim::kMillisecond);  // the second transaction comes and waits
  seen.while_blocked = co_await live.sessions_waiting_on_locks();
  auto committed = co_await tx.value()->commit();
}

sim::Task<void> second(sim::Simulator& sim, ports::Sql& sql, Seen& seen) {
  co_await sim.sleep(50 * sim::kMillisecond);
  auto tx = co_await sql.begin(ports::Isolation::kReadCommitted);
  const ports::Row row{{"key", Value(std::string("k"))}};
  auto inserted = co_await tx.value()->insert("claims", row);
  seen.second_insert = inserted.status();
  auto rolled_back = co_await tx.value()->rollback();
}

sim::Task<void> make_tables(ports::Sql& sql, Status& status) {
  auto made = co_await sql.ensure_schema(claims_schema());
  status = made.status();
}

sim::Task<void> ask(LiveBackends& live, int& waiting) { waiting = co_await live.sessions_waiting_on_locks(); }

TEST_CASE("live PostgreSQL: a run's session waiting on another's row lock is counted, and only while it waits") {
  LiveLoop w;
  const models::WorldConfig config;
  LiveBackends live(w.loop, live_servers(), config, w.run_id);
  models::SimClock clock(w.sim);
  ports::Sql& sql = live.ports(clock).sql;
  Status made = Status::kError;
  w.run(make_tables(sql, made));
  REQUIRE(made == Status::kOk);

  Seen seen;
  std::vector<sim::Task<void>> bodies;
  bodies.push_back(first(w.sim, live, sql, seen));
  bodies.push_back(second(w.sim, sql, seen));
  w.run(std::move(bodies));
  int after = -1;
  w.run(ask(live, after));

  CHECK(seen.before == 0);
  CHECK(seen.while_blocked == 1);
  CHECK(seen.second_insert == Status::kUniqueViolation);
  CHECK(after == 0);
}

}  // namespace
}  // namespace idemlab::realmode
