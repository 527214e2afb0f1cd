#include "realmode/foreign_data.h"

#include <sstream>
#include <vector>

#include "realmode/pg_sql.h"
#include "realmode/redis_kv.h"
#include "sim/strict_json.h"

namespace idemlab::realmode {
namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// "db0:keys=3,expires=0,avg_ttl=0" lines -> the database numbers.
std::vector<std::string> redis_databases(RedisConnection& redis) {
  const RedisConnection::Reply info = redis.command({"INFO", "keyspace"});
  if (info.status != ports::Status::kOk) throw Unreachable("Redis", redis.endpoint(), "INFO keyspace: " + info.text);
  std::vector<std::string> out;
  std::istringstream lines(info.text);
  for (std::string line; std::getline(lines, line);) {
    if (!starts_with(line, "db")) continue;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) out.push_back(line.substr(2, colon - 2));
  }
  return out;
}

const ports::TableSchema& names_schema() {
  static const ports::TableSchema kNames{"names", {{"name", ports::ColumnType::kText}}, {}, {}};
  return kNames;
}

std::vector<std::string> names(PgConnection& pg, const std::string& query) {
  const PgConnection::Outcome o = pg.exec(SqlText{query, {}}, &names_schema());
  if (o.status != ports::Status::kOk) throw Unreachable("PostgreSQL", pg.endpoint(), o.message);
  std::vector<std::string> out;
  for (const ports::Row& row : o.rows) out.push_back(std::get<std::string>(row.at("name")));
  return out;
}

}  // namespace

std::optional<std::string> foreign_redis_data(const Endpoint& redis) {
  RedisConnection probe(redis, redis.connect_timeout_s * sim::kSecond);
  probe.connect();
  for (const std::string& db : redis_databases(probe)) {
    Endpoint one = redis;
    one.path = db;
    RedisConnection in_db(one, redis.connect_timeout_s * sim::kSecond);
    in_db.connect();
    std::string cursor = "0";
    do {
      const RedisConnection::Reply page = in_db.command({"SCAN", cursor, "COUNT", "1000"});
      if (page.status != ports::Status::kOk || page.strings.empty()) {
        throw Unreachable("Redis", one, "SCAN: " + page.text);
      }
      cursor = page.strings.front();
      for (std::size_t i = 1; i < page.strings.size(); ++i) {
        if (!starts_with(page.strings[i], kRedisNamespace)) return "database " + db + " holds key " + sim::shown(page.strings[i]);
      }
    } while (cursor != "0");
  }
  return std::nullopt;
}

std::optional<std::string> foreign_postgres_data(const Endpoint& postgres) {
  PgConnection cluster(postgres);
  cluster.connect();
  const std::vector<std::string> databases =
      names(cluster, "SELECT datname AS name FROM pg_database WHERE NOT datistemplate ORDER BY 1");
  for (const std::string& database : databases) {
    Endpoint in_db = postgres;
    in_db.path = database;
    PgConnection pg(in_db);
    try {
      pg.connect();
    } catch (const Unreachable&) {
      // A database we may not even connect to is someone else's.
      return "it has a database " + sim::shown(database) + " idemlab cannot enter";
    }
    for (const std::string& schema :
         names(pg, "SELECT nspname AS name FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
                   "'information_schema', 'pg_toast', 'public') AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT "
                   "LIKE 'pg_toast_temp_%' ORDER BY 1")) {
      if (!starts_with(schema, kPostgresNamespace)) {
        return "database " + sim::shown(database) + " has schema " + sim::shown(schema);
      }
    }
    for (const std::string& table : names(pg, "SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON "
                                              "n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1")) {
      return "database " + sim::shown(database) + " has " + sim::shown("public." + table);
    }
  }
  return std::nullopt;
}

std::optional<std::string> foreign_queue(const std::string& listing) {
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const std::size_t tab = line.find('\t');
    const std::string vhost = tab == std::string::npos ? "/" : line.substr(0, tab);
    const std::string queue = tab == std::string::npos ? line : line.substr(tab + 1);
    if (!starts_with(queue, kQueueNamespace)) return "vhost " + sim::shown(vhost) + " has queue " + sim::shown(queue);
  }
  return std::nullopt;
}

}  // namespace idemlab::realmode
