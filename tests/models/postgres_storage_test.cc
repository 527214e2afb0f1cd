// Storage accounting of the PostgreSQL model, for the cost model: bytes per
// row version and per table, live and dead.
#include <catch2/catch.hpp>

#include "models/postgres/table.h"
#include "models/world.h"

namespace idemlab::models::postgres {
namespace {

using ports::Value;

TEST_CASE("a row version costs its header, 8 bytes per bigint and text with a 1- or 4-byte length, padded to 8") {
  Version small;
  small.values = {Value(std::int64_t{1}), Value(std::string("abc")), Value()};
  CHECK(Table::version_bytes(small) == 40);  // 24 + 8 + (3 + 1) = 36 -> 40
  Version large;
  large.values = {Value(std::string(200, 'x'))};
  CHECK(Table::version_bytes(large) == 232);  // 24 + 200 + 4 = 228 -> 232
}

ports::Schema schema() {
  ports::TableSchema t;
  t.name = "t";
  t.columns = {{"id", ports::ColumnType::kBigint, false}, {"v", ports::ColumnType::kText, false}};
  t.primary_key = {"id"};
  return ports::Schema{{t}, {}};
}

ports::Row row(std::int64_t id) { return ports::Row{{"id", Value(id)}, {"v", Value(std::string("abc"))}}; }

sim::Task<void> write_rows(Ports ports) {
  auto created = co_await ports.sql.ensure_schema(schema());
  CHECK(created.is_ok());
  auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
  if (!tx.is_ok()) co_return;
  auto& t = *tx.value();
  for (std::int64_t id = 1; id <= 3; ++id) {
    auto inserted = co_await t.insert("t", row(id));
    CHECK(inserted.is_ok());
  }
  const ports::Where first{{"id", Value(std::int64_t{1})}};
  const ports::Assignments longer{{"v", Value(std::string("abcdefghijk"))}};
  auto updated = co_await t.update("t", first, longer);
  CHECK(updated.is_ok());
  auto committed = co_await t.commit();
  CHECK(committed.is_ok());
}

TEST_CASE("table storage counts live rows and the dead versions updates leave behind") {
  sim::RandomTape tape(1);
  WorldConfig config;
  config.clients = 0;
  World world(config, tape);
  world.start();
  world.service().node().spawn(write_rows(world.service_ports()), "writer");
  world.run();
  const Engine::Storage storage = world.postgres().storage("t");
  CHECK(storage.live_rows == 3);
  CHECK(storage.live_bytes == 40 + 40 + 48);  // 24 + 8 + 12 = 44 -> 48 for the updated row
  CHECK(storage.dead_bytes == 40);           // the version the update replaced
}

}  // namespace
}  // namespace idemlab::models::postgres
