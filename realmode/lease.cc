#include "realmode/lease.h"

#include <cassert>
#include <chrono>
#include <sstream>

#include "realmode/amqp_queue.h"
#include "realmode/redis_kv.h"

namespace idemlab::realmode {
namespace {

constexpr const char* kRegistry = "idemlab_registry";

const ports::TableSchema& lease_rows() {
  static const ports::TableSchema kRows{
      "leases", {{"run_id", ports::ColumnType::kText}, {"queues", ports::ColumnType::kText}}, {}, {}};
  return kRows;
}

// The registry, made if missing. Two runs may make it at once: the loser's
// CREATE fails on the catalogue's unique index, and the second try finds it.
void ensure_registry(PgConnection& pg) {
  for (int attempt = 0;; ++attempt) {
    const PgConnection::Outcome schema = pg.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + kRegistry);
    const PgConnection::Outcome table =
        schema.status != ports::Status::kOk
            ? schema
            : pg.exec(std::string("CREATE TABLE IF NOT EXISTS ") + kRegistry +
                      ".leases (run_id text PRIMARY KEY, expires_at timestamptz NOT NULL, queues text NOT NULL "
                      "DEFAULT '')");
    if (table.status == ports::Status::kOk) return;
    if (attempt == 1) throw Unreachable("PostgreSQL", pg.endpoint(), "the lease registry: " + table.message);
  }
}

std::string expiry_in(sim::Duration ttl) {
  return "now() + interval '" + std::to_string(ttl / sim::kMillisecond) + " milliseconds'";
}

}  // namespace

std::string redis_prefix_of(const std::string& run_id) { return "idemlab:" + run_id + ":"; }
std::string schema_of(const std::string& run_id) { return "idemlab_" + run_id; }
std::string processor_schema_of(const std::string& run_id) { return "idemlab_processor_" + run_id; }
std::string queue_prefix_of(const std::string& run_id) { return "idemlab." + run_id + "."; }

Lease::Lease(const Endpoint& postgres, std::string run_id, sim::Duration ttl)
    : run_id_(std::move(run_id)), ttl_(ttl), connection_(postgres) {
  assert(ttl >= sim::kSecond);
  connection_.connect();
  ensure_registry(connection_);
  const PgConnection::Outcome o = connection_.exec(
      SqlText{std::string("INSERT INTO ") + kRegistry + ".leases (run_id, expires_at) VALUES ($1, " + expiry_in(ttl_) +
                  ")",
              {ports::Value(run_id_)}});
  if (o.status != ports::Status::kOk) throw Unreachable("PostgreSQL", postgres, "registering the run's lease: " + o.message);
  renewer_ = std::thread([this] { renew_until_stopped(); });
}

Lease::~Lease() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  renewer_.join();
}

void Lease::renew_until_stopped() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto period = std::chrono::nanoseconds(ttl_ / 3);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    // A failed renewal (PostgreSQL restarting) is retried at the next period.
    (void)connection_.exec(SqlText{std::string("UPDATE ") + kRegistry + ".leases SET expires_at = " + expiry_in(ttl_) +
                                       " WHERE run_id = $1",
                                   {ports::Value(run_id_)}});
  }
}

void Lease::add_queue(const std::string& queue) {
  const std::lock_guard<std::mutex> lock(mutex_);
  (void)connection_.exec(SqlText{std::string("UPDATE ") + kRegistry +
                                     ".leases SET queues = queues || $2 || E'\\n' WHERE run_id = $1",
                                 {ports::Value(run_id_), ports::Value(queue)}});
}

void Lease::release() {
  const std::lock_guard<std::mutex> lock(mutex_);
  (void)connection_.exec(
      SqlText{std::string("DELETE FROM ") + kRegistry + ".leases WHERE run_id = $1", {ports::Value(run_id_)}});
}

std::vector<std::string> clean_abandoned(const Servers& servers) {
  PgConnection pg(servers.postgres);
  pg.connect();
  ensure_registry(pg);
  const PgConnection::Outcome lapsed = pg.exec(
      SqlText{std::string("SELECT run_id, queues FROM ") + kRegistry + ".leases WHERE expires_at < now() ORDER BY 1", {}},
      &lease_rows());
  if (lapsed.status != ports::Status::kOk) throw Unreachable("PostgreSQL", servers.postgres, lapsed.message);
  std::vector<std::string> removed;
  if (lapsed.rows.empty()) return removed;
  RedisConnection redis(servers.redis, servers.redis.connect_timeout_s * sim::kSecond);
  redis.connect();
  AmqpConnection amqp(servers.amqp, servers.amqp.connect_timeout_s * sim::kSecond);
  amqp.connect(false);
  for (const ports::Row& row : lapsed.rows) {
    const std::string run_id = std::get<std::string>(row.at("run_id"));
    delete_keys_with_prefix(redis, redis_prefix_of(run_id));
    for (const std::string& schema : {schema_of(run_id), processor_schema_of(run_id)}) {
      const PgConnection::Outcome dropped = pg.exec(drop_schema(schema));
      if (dropped.status != ports::Status::kOk) throw Unreachable("PostgreSQL", servers.postgres, dropped.message);
    }
    std::istringstream queues(std::get<std::string>(row.at("queues")));
    int queue_count = 0;
    for (std::string queue; std::getline(queues, queue);) {
      if (queue.rfind(queue_prefix_of(run_id), 0) != 0) continue;  // only the run's own names
      amqp.remove(queue);
      amqp.connect(false);  // a failed delete closed the channel
      ++queue_count;
    }
    (void)pg.exec(SqlText{std::string("DELETE FROM ") + kRegistry + ".leases WHERE run_id = $1", {ports::Value(run_id)}});
    removed.push_back("run " + run_id + ": its Redis keys, its 2 schemas and " + std::to_string(queue_count) +
                      " queues (its lease had lapsed)");
  }
  amqp.close();
  return removed;
}

}  // namespace idemlab::realmode
