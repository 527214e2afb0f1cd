// State hashing's writers (sim/state_writer.h): every component of a world
// writes what it holds, so that two worlds that differ in any one of them
// write different bytes and hash differently. Each case changes one
// component by its own means and checks that component's bytes and the
// whole world's hash.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "models/world.h"
#include "sim/state_writer.h"

namespace idemlab::models {
namespace {

// A world without clients, keeping process positions, started.
struct HashedWorld {
  sim::RandomTape tape{7};
  World world;

  static WorldConfig config() {
    WorldConfig c;
    c.clients = 0;
    c.simulator.positions = true;
    c.network.latency = sim::LatencyModel::constant(100 * sim::kMicrosecond);
    return c;
  }
  HashedWorld() : world(config(), tape) { world.start(); }

  std::uint64_t hash() {
    sim::StateWriter out;
    world.write_state(out);
    return out.hash();
  }
  // Runs `task` on the API node until nothing more happens.
  void run(sim::Task<void> task) {
    world.service().node().spawn(std::move(task), "change");
    world.run();
  }
};

template <class Component>
std::string bytes_of(const Component& c) {
  sim::StateWriter out;
  c.write_state(out);
  return out.bytes();
}

// Arguments are bound to variables before each co_await: g++ 12 may
// destroy class-type temporaries in a co_await expression twice.
sim::Task<void> set_key(ports::Ports ports, std::string key, sim::Duration ttl) {
  const ports::SetOptions options{ports::SetOptions::Condition::kAlways, ttl};
  std::string value = "v";
  auto r = co_await ports.kv.set(key, value, options);
  REQUIRE(r.is_ok());
}

sim::Task<void> insert_row(ports::Ports ports, std::int64_t id) {
  ports::Schema schema;
  schema.tables.push_back({"t", {{"id", ports::ColumnType::kBigint, false}}, {"id"}, {}});
  auto ensured = co_await ports.sql.ensure_schema(schema);
  REQUIRE(ensured.is_ok());
  auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
  REQUIRE(tx.is_ok());
  std::unique_ptr<ports::Tx> t = std::move(tx).value();
  ports::Row row;
  row["id"] = id;
  std::string table = "t";
  auto inserted = co_await t->insert(table, row);
  REQUIRE(inserted.is_ok());
  auto committed = co_await t->commit();
  REQUIRE(committed.is_ok());
}

sim::Task<void> publish(ports::Ports ports, std::string id) {
  const ports::QueueOptions options;
  std::string queue = "q";
  auto declared = co_await ports.queue.declare(queue, options);
  REQUIRE(declared.is_ok());
  ports::Message m;
  m.id = id;
  auto published = co_await ports.queue.publish(queue, m);
  REQUIRE(published.is_ok());
}

sim::Task<void> charge(ports::Ports ports, std::int64_t amount) {
  ports::ChargeRequest request;
  request.intent = "pi";
  request.amount = amount;
  auto charged = co_await ports.processor.charge(request);
  REQUIRE(charged.is_ok());
}

sim::Task<void> read_key(ports::Ports ports, std::string key) {
  auto r = co_await ports.kv.get(key);
  (void)r;
  co_await ports.clock.sleep(60 * sim::kSecond);  // still there when the state is written
}

TEST_CASE("state bytes: two worlds alike write the same bytes") {
  HashedWorld a, b;
  CHECK(a.hash() == b.hash());
  a.run(set_key(a.world.service_ports(), "k", 0));
  b.run(set_key(b.world.service_ports(), "k", 0));
  CHECK(a.hash() == b.hash());
}

TEST_CASE("state bytes: a Redis key, its value's expiry, and the server's node") {
  HashedWorld a, b, c;
  a.run(set_key(a.world.service_ports(), "k", 0));
  b.run(set_key(b.world.service_ports(), "k", 10 * sim::kSecond));
  c.run(set_key(c.world.service_ports(), "other", 0));
  CHECK(bytes_of(a.world.redis()) != bytes_of(b.world.redis()));
  CHECK(bytes_of(a.world.redis()) != bytes_of(c.world.redis()));
  CHECK(a.hash() != b.hash());
  const std::uint64_t before = a.hash();
  a.world.redis().node().crash();
  CHECK(a.hash() != before);
}

TEST_CASE("state bytes: a PostgreSQL row") {
  HashedWorld a, b;
  a.run(insert_row(a.world.service_ports(), 1));
  b.run(insert_row(b.world.service_ports(), 2));
  CHECK(bytes_of(a.world.postgres()) != bytes_of(b.world.postgres()));
  CHECK(a.hash() != b.hash());
}

TEST_CASE("state bytes: a queued message") {
  HashedWorld a, b;
  a.run(publish(a.world.service_ports(), "m1"));
  b.run(publish(b.world.service_ports(), "m2"));
  CHECK(bytes_of(a.world.broker()) != bytes_of(b.world.broker()));
  CHECK(a.hash() != b.hash());
}

TEST_CASE("state bytes: the processor's ledger") {
  HashedWorld a, b;
  a.run(charge(a.world.service_ports(), 100));
  b.run(charge(b.world.service_ports(), 200));
  CHECK(bytes_of(a.world.processor()) != bytes_of(b.world.processor()));
  CHECK(a.hash() != b.hash());
}

TEST_CASE("state bytes: what a waiting process read is where it stands") {
  // Both processes sleep at the same point; one read a key that was there,
  // the other one that was not.
  HashedWorld a, b;
  a.run(set_key(a.world.service_ports(), "k", 0));
  b.run(set_key(b.world.service_ports(), "k", 0));
  a.world.service().node().spawn(read_key(a.world.service_ports(), "k"), "reader");
  b.world.service().node().spawn(read_key(b.world.service_ports(), "absent"), "reader");
  a.world.sim().run_until(a.world.sim().now() + sim::kSecond);
  b.world.sim().run_until(b.world.sim().now() + sim::kSecond);
  sim::StateWriter sa, sb;
  a.world.sim().write_state(sa);
  b.world.sim().write_state(sb);
  CHECK(sa.bytes() != sb.bytes());
}

TEST_CASE("state bytes: the clock, a pending event, a forced network fault, the history") {
  HashedWorld a;
  std::uint64_t h = a.hash();
  const auto changed = [&a, &h] {
    const std::uint64_t now = a.hash();
    const bool differs = now != h;
    h = now;
    return differs;
  };
  a.world.sim().run_until(a.world.sim().now() + sim::kSecond);
  CHECK(changed());  // the clock
  a.world.sim().schedule(a.world.sim().now() + sim::kSecond, [](void*, std::uint64_t) {}, nullptr);
  CHECK(changed());  // a pending event
  a.world.net().inject(a.world.service().node(), a.world.redis().node(), sim::Fault::kDropReply);
  CHECK(changed());  // a forced fault
  a.world.history().add(clients::HistoryEvent{});
  CHECK(changed());  // the history
  a.world.net().partition(a.world.service().node(), a.world.redis().node());
  CHECK(changed());  // a partition
}

}  // namespace
}  // namespace idemlab::models
