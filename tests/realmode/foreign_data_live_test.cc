// Real mode never touches data it did not create: with foreign keys (in two
// Redis databases), a foreign schema, table and rows in PostgreSQL and a
// foreign queue holding messages planted on the servers of scripts/infra,
// the checks find each, every server fault a script can ask for is refused
// before it is made, and every foreign object is byte-identical afterwards,
// also after runs without server faults. Against the live servers; run
// serially.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "realmode/amqp_queue.h"
#include "realmode/foreign_data.h"
#include "realmode/infra_control.h"
#include "realmode/pg_sql.h"
#include "realmode/real_run.h"
#include "realmode/redis_kv.h"
#include "realmode/servers.h"
#include "scenarios/shipped.h"
#include "tests/realmode/live_servers.h"

namespace idemlab::realmode {
namespace {

constexpr const char* kForeignQueue = "shop.orders";

Endpoint in_database(Endpoint e, const std::string& db) {
  e.path = db;
  return e;
}

// What the planted objects look like now, byte for byte.
struct Snapshot {
  std::vector<std::string> redis;  // DUMP and PTTL class of each planted key
  std::vector<ports::Row> rows;
  std::optional<std::int64_t> queued;
  bool operator==(const Snapshot&) const = default;
};

struct Planted {
  Servers servers = servers_from("", "", "", "");
  RedisConnection db0{in_database(servers.redis, "0"), 5 * sim::kSecond};
  RedisConnection db5{in_database(servers.redis, "5"), 5 * sim::kSecond};
  PgConnection pg{servers.postgres};
  AmqpConnection amqp{servers.amqp, 5 * sim::kSecond};

  // Planted after construction, so that the destructor removes whatever a
  // failed step left.
  void plant() {
    INFO("IDEMLAB_INFRA must name the scripts/infra that started the servers");
    REQUIRE(!servers.infra.empty());
    REQUIRE(db0.command({"SET", "customer:1", "precious"}).status == ports::Status::kOk);
    REQUIRE(db5.command({"SET", "session:9", "also precious", "PX", "86400000"}).status == ports::Status::kOk);
    for (const char* statement : {"CREATE SCHEMA shop", "CREATE TABLE shop.orders (id int PRIMARY KEY, note text)",
                                  "INSERT INTO shop.orders VALUES (1, 'first'), (2, 'second')"}) {
      INFO(statement);
      REQUIRE(pg.exec(statement).status == ports::Status::kOk);
    }
    amqp.connect(true);
    ports::QueueOptions durable;
    REQUIRE(amqp.declare(kForeignQueue, durable).status == ports::Status::kOk);
    for (int i = 0; i < 3; ++i) {
      ports::Message m;
      m.id = "order-" + std::to_string(i);
      m.body = "{}";
      REQUIRE(amqp.publish(kForeignQueue, m).status == ports::Status::kOk);
    }
  }
  ~Planted() {
    (void)db0.command({"DEL", "customer:1"});
    (void)db5.command({"DEL", "session:9"});
    (void)pg.exec("DROP SCHEMA IF EXISTS shop CASCADE");
    (void)amqp.remove(kForeignQueue);
  }

  Snapshot snapshot() {
    Snapshot s;
    for (auto* c : {&db0, &db5}) {
      for (const char* key : {"customer:1", "session:9"}) {
        const RedisConnection::Reply dump = c->command({"DUMP", key});
        const RedisConnection::Reply ttl = c->command({"PTTL", key});
        s.redis.push_back(dump.text + (ttl.integer == -1 ? "|persistent" : ttl.integer > 0 ? "|expires" : "|gone"));
      }
    }
    static const ports::TableSchema kOrders{"orders", {{"id", ports::ColumnType::kBigint}, {"note", ports::ColumnType::kText}}, {}, {}};
    s.rows = pg.exec(SqlText{"SELECT id::bigint AS id, note FROM shop.orders ORDER BY id", {}}, &kOrders).rows;
    s.queued = amqp.ready_count(kForeignQueue);
    return s;
  }
};

TEST_CASE("live: the foreign-data checks find foreign keys, schemas, tables and queues") {
  Planted planted;
  planted.plant();
  const std::optional<std::string> redis = foreign_redis_data(planted.servers.redis);
  REQUIRE(redis.has_value());
  CHECK((redis->find("customer:1") != std::string::npos || redis->find("session:9") != std::string::npos));
  const std::optional<std::string> pg = foreign_postgres_data(planted.servers.postgres);
  REQUIRE(pg.has_value());
  CHECK(pg->find("\"shop\"") != std::string::npos);
  InfraControl infra(planted.servers.infra);
  const std::optional<std::string> queue = foreign_queue(infra.queues());
  REQUIRE(queue.has_value());
  CHECK(queue->find(kForeignQueue) != std::string::npos);
  CHECK_FALSE(foreign_queue("/\tidemlab.r1x2.payments\n").has_value());
}

TEST_CASE("live: every server fault is refused on servers holding foreign data, which stays byte-identical") {
  Planted planted;
  planted.plant();
  const Snapshot before = planted.snapshot();
  REQUIRE(before.queued == std::optional<std::int64_t>(3));
  REQUIRE(before.rows.size() == 2);
  const std::pair<const char*, const char*> faulted[] = {
      {"redis_restart_loses_result", "idempotency_key"},
      {"redis_failover_loses_claim", "idempotency_key"},
      {"postgres_restart_after_charge", "db_unique"},
      {"broker_restart_after_charge", "outbox"},
  };
  for (const auto& [name, strategy] : faulted) {
    INFO(name);
    const scenarios::Scenario scenario = scenarios::find_scenario(name);
    REQUIRE_FALSE(real_mode_refusal(scenario, planted.servers).has_value());
    CHECK_THROWS_AS(run_real(scenario, *strategies::find_strategy(strategy), 1, planted.servers), ForeignData);
    CHECK(planted.snapshot() == before);
  }
  // Runs without server faults go ahead, beside the foreign data.
  for (const char* name : {"partial_failure"}) {
    INFO(name);
    const scenarios::Scenario scenario = scenarios::find_scenario(name);
    const scenarios::RunReport report = run_real(scenario, *strategies::find_strategy("outbox"), 1, planted.servers);
    CHECK(report.outcome == scenarios::RunOutcome::kJudged);
    CHECK(planted.snapshot() == before);
  }
}

}  // namespace
}  // namespace idemlab::realmode
