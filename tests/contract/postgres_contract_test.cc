// The PostgreSQL rules the strategies rely on, as contract tests over the
// Sql port. Concurrent transactions are separate coroutines; sleeps order
// their steps (every statement here takes far less than a step, kStep).
#include <memory>
#include <string>

#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

using ports::Isolation;
using ports::OnConflict;
using ports::Row;
using ports::RowLock;
using ports::Status;
using ports::Value;
using sim::kMillisecond;
using sim::Task;

// Long enough for a statement on a loaded machine against the live server;
// five steps stay under deadlock_timeout (1 s).
constexpr sim::Duration kStep = 100 * kMillisecond;

ports::Schema payments_schema() {
  ports::TableSchema payments;
  payments.name = "payments";
  payments.columns = {{"id", ports::ColumnType::kBigint, false},
                      {"key", ports::ColumnType::kText, false},
                      {"status", ports::ColumnType::kText, false},
                      {"amount", ports::ColumnType::kBigint, true},
                      {"state", ports::ColumnType::kJson, true}};
  payments.primary_key = {"id"};
  payments.unique_keys = {{"key"}};
  return ports::Schema{{payments}, {"payment_ids"}};
}

Row payment(std::int64_t id, std::string key, std::string status = "pending") {
  return Row{{"id", id}, {"key", std::move(key)}, {"status", std::move(status)}, {"amount", std::int64_t{100}},
             {"state", std::monostate{}}};
}

// Statement arguments come from these functions, not from braced lists in a
// co_await expression: g++ 12 cannot compile an initializer_list there.
ports::Where by_id(std::int64_t id) { return ports::Where{{"id", Value(id)}}; }
ports::Where by_key(std::string key) { return ports::Where{{"key", Value(std::move(key))}}; }
ports::Where by_status(std::string status) { return ports::Where{{"status", Value(std::move(status))}}; }
ports::Where by_id_and_status(std::int64_t id, std::string status) {
  return ports::Where{{"id", Value(id)}, {"status", Value(std::move(status))}};
}
ports::Assignments set_status(std::string status) { return ports::Assignments{{"status", Value(std::move(status))}}; }
ports::Assignments set_state(std::string json) { return ports::Assignments{{"state", Value(std::move(json))}}; }
OnConflict conflict_on(std::string column, OnConflict::Action action, ports::Assignments set = {}) {
  return OnConflict{{std::move(column)}, action, std::move(set), {}};
}

Settings plain() { return Settings{}; }

// Creates the schema; false (with a failed check) if it could not.
Task<bool> create_schema(ContractWorld& world) {
  auto created = co_await world.sql().ensure_schema(payments_schema());
  CHECK(created.is_ok());
  co_return created.is_ok();
}

Task<std::unique_ptr<ports::Tx>> begin(ContractWorld& world, Isolation isolation = Isolation::kReadCommitted) {
  auto tx = co_await world.sql().begin(isolation);
  CHECK(tx.is_ok());
  if (!tx.is_ok()) co_return nullptr;
  co_return std::move(tx).value();
}

// Inserts and commits one payment in its own transaction.
Task<void> committed_payment(ContractWorld& world, std::int64_t id, std::string key, std::string status = "pending") {
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto inserted = co_await tx->insert("payments", payment(id, key, status));
  CHECK(inserted.is_ok());
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
}

Task<std::size_t> count_committed(ContractWorld& world, ports::Where where) {
  auto tx = co_await begin(world);
  if (!tx) co_return 0;
  auto rows = co_await tx->select("payments", where, RowLock::kNone);
  auto done = co_await tx->commit();
  CHECK(done.is_ok());
  co_return rows.is_ok() ? rows.value().size() : 0;
}

std::string status_of(const Row& row) { return std::get<std::string>(row.at("status")); }

// ---- visibility -------------------------------------------------------------

CONTRACT_TEST("an inserted row is visible to its own transaction, and to others only after commit", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto writer = co_await begin(world);
  auto reader = co_await begin(world);
  if (!writer || !reader) co_return;
  auto inserted = co_await writer->insert("payments", payment(1, "k1"));
  CHECK(inserted.is_ok());
  auto own = co_await writer->select("payments", by_key("k1"), RowLock::kNone);
  CHECK(own.value().size() == 1);
  auto before = co_await reader->select("payments", by_key("k1"), RowLock::kNone);
  CHECK(before.value().empty());
  auto committed = co_await writer->commit();
  CHECK(committed.is_ok());
  auto after = co_await reader->select("payments", by_key("k1"), RowLock::kNone);
  CHECK(after.value().size() == 1);  // READ COMMITTED: a new snapshot per statement
}

CONTRACT_TEST("REPEATABLE READ keeps the first statement's snapshot for the whole transaction", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto reader = co_await begin(world, Isolation::kRepeatableRead);
  if (!reader) co_return;
  auto first = co_await reader->select("payments", {}, RowLock::kNone);
  CHECK(first.value().empty());
  co_await committed_payment(world, 1, "k1");
  auto second = co_await reader->select("payments", {}, RowLock::kNone);
  CHECK(second.value().empty());
  auto done = co_await reader->commit();
  CHECK(done.is_ok());
  const std::size_t count_1 = co_await count_committed(world, {});
  CHECK(count_1 == 1);
}

// ---- unique keys and waiting --------------------------------------------------

struct Race {
  Status second_status = Status::kOk;
  sim::Time second_done_at = -1;
};

Task<void> second_inserter(ContractWorld& world, Race& race) {
  co_await world.clock().sleep(kStep);  // after the first has inserted
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto inserted = co_await tx->insert("payments", payment(2, "same-key"));
  race.second_status = inserted.status();
  race.second_done_at = world.clock().now();
  if (inserted.is_ok()) {
    auto committed = co_await tx->commit();
    CHECK(committed.is_ok());
  }
}

// A first transaction inserts "same-key" and stays open; a second inserter of
// the same key starts behind it and is still waiting when this returns.
Task<std::unique_ptr<ports::Tx>> first_holds_key_while_second_waits(ContractWorld& world, Race& race) {
  if (!co_await create_schema(world)) co_return nullptr;
  auto first = co_await begin(world);
  if (!first) co_return nullptr;
  auto inserted = co_await first->insert("payments", payment(1, "same-key"));
  CHECK(inserted.is_ok());
  world.start(second_inserter(world, race));
  co_await world.clock().sleep(5 * kStep);
  CHECK(race.second_done_at == -1);  // still waiting for the first
  co_return first;
}

CONTRACT_TEST("second inserter blocks until the first commits, then gets unique violation", plain()) {
  Race race;
  auto first = co_await first_holds_key_while_second_waits(world, race);
  if (!first) co_return;
  const sim::Time committed_at = world.clock().now();
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(race.second_status == Status::kUniqueViolation);
  CHECK(race.second_done_at >= committed_at);
  const std::size_t count_2 = co_await count_committed(world, {});
  CHECK(count_2 == 1);
}

CONTRACT_TEST("second inserter blocks until the first rolls back, then proceeds", plain()) {
  Race race;
  auto first = co_await first_holds_key_while_second_waits(world, race);
  if (!first) co_return;
  auto rolled_back = co_await first->rollback();
  CHECK(rolled_back.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(race.second_status == Status::kOk);
  const std::size_t count_3 = co_await count_committed(world, by_key("same-key"));
  CHECK(count_3 == 1);
}

CONTRACT_TEST("a lost connection rolls back its open transaction and frees its keys", plain()) {
  Race race;
  auto first = co_await first_holds_key_while_second_waits(world, race);
  if (!first) co_return;
  first.reset();  // the connection goes away without COMMIT
  co_await world.clock().sleep(5 * kStep);
  CHECK(race.second_status == Status::kOk);
  const std::size_t count_4 = co_await count_committed(world, by_id(1));
  CHECK(count_4 == 0);
}

// ---- ON CONFLICT -------------------------------------------------------------

OnConflict do_nothing_on_key() { return conflict_on("key", OnConflict::Action::kDoNothing); }

CONTRACT_TEST("INSERT ON CONFLICT DO NOTHING returns no row for the duplicate", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1");
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto duplicate = co_await tx->insert_on_conflict("payments", payment(2, "k1"), do_nothing_on_key());
  CHECK(duplicate.is_ok());
  CHECK_FALSE(duplicate.value().has_value());
  auto fresh = co_await tx->insert_on_conflict("payments", payment(3, "k3"), do_nothing_on_key());
  CHECK(fresh.value().has_value());
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
  const std::size_t count_5 = co_await count_committed(world, {});
  CHECK(count_5 == 2);
}

CONTRACT_TEST("INSERT ON CONFLICT DO UPDATE returns the updated row", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1");
  auto tx = co_await begin(world);
  if (!tx) co_return;
  const OnConflict upsert = conflict_on("key", OnConflict::Action::kDoUpdate, set_status("retried"));
  auto row = co_await tx->insert_on_conflict("payments", payment(2, "k1"), upsert);
  CHECK(row.is_ok());
  CHECK(row.value().has_value());
  if (row.is_ok() && row.value()) {
    CHECK(row.value()->at("id") == Value(std::int64_t{1}));  // the existing row, updated
    CHECK(status_of(*row.value()) == "retried");
  }
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
}

CONTRACT_TEST("ON CONFLICT on columns without a unique key is an error", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto r = co_await tx->insert_on_conflict("payments", payment(1, "k1"),
                                           conflict_on("status", OnConflict::Action::kDoNothing));
  CHECK(r.status() == Status::kError);
}

struct Winner {
  bool inserted = false;
};

Task<void> concurrent_do_nothing(ContractWorld& world, Winner& winner) {
  co_await world.clock().sleep(kStep);
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto mine = co_await tx->insert_on_conflict("payments", payment(2, "same-key"), do_nothing_on_key());
  CHECK(mine.is_ok());
  winner.inserted = mine.is_ok() && mine.value().has_value();
  // The statement waited for the first transaction; a new statement (new
  // snapshot) sees the row it committed.
  auto seen = co_await tx->select("payments", by_key("same-key"), RowLock::kNone);
  CHECK(seen.value().size() == 1);
  if (seen.is_ok() && seen.value().size() == 1) CHECK(seen.value()[0].at("id") == Value(std::int64_t{1}));
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
}

CONTRACT_TEST("after DO NOTHING a SELECT in the same READ COMMITTED transaction sees the committed winner", plain()) {
  if (!co_await create_schema(world)) co_return;
  Winner second;
  auto first = co_await begin(world);
  if (!first) co_return;
  auto inserted = co_await first->insert_on_conflict("payments", payment(1, "same-key"), do_nothing_on_key());
  CHECK(inserted.value().has_value());
  world.start(concurrent_do_nothing(world, second));
  co_await world.clock().sleep(5 * kStep);
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK_FALSE(second.inserted);
}

CONTRACT_TEST("REPEATABLE READ: DO NOTHING against a row committed after the snapshot fails with 40001", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto reader = co_await begin(world, Isolation::kRepeatableRead);
  if (!reader) co_return;
  auto snapshot = co_await reader->select("payments", {}, RowLock::kNone);  // takes the snapshot
  CHECK(snapshot.is_ok());
  co_await committed_payment(world, 1, "k1");
  auto r = co_await reader->insert_on_conflict("payments", payment(2, "k1"), do_nothing_on_key());
  CHECK(r.status() == Status::kSerializationFailure);
}

struct FirstStatement {
  Status status = Status::kOk;
  bool done = false;
};

Task<void> repeatable_read_do_nothing_first(ContractWorld& world, FirstStatement& out) {
  co_await world.clock().sleep(kStep);
  auto tx = co_await begin(world, Isolation::kRepeatableRead);
  if (!tx) co_return;
  // The transaction's first statement: its snapshot is taken as it starts,
  // before it waits for the first transaction's key.
  auto mine = co_await tx->insert_on_conflict("payments", payment(2, "same-key"), do_nothing_on_key());
  out.status = mine.status();
  out.done = true;
  auto rolled_back = co_await tx->rollback();
  (void)rolled_back;  // after a 40001 the transaction is aborted either way
}

// PostgreSQL's isolation test insert-conflict-do-nothing-2, third permutation
// (beginrr2 donothing1 donothing2 c1 select2 c2): the waiting DO NOTHING
// cannot skip a row that its snapshot, taken before the wait, does not show.
CONTRACT_TEST("REPEATABLE READ: a first-statement DO NOTHING that waited for the winner's commit fails with 40001", plain()) {
  if (!co_await create_schema(world)) co_return;
  FirstStatement second;
  auto first = co_await begin(world);
  if (!first) co_return;
  auto inserted = co_await first->insert_on_conflict("payments", payment(1, "same-key"), do_nothing_on_key());
  CHECK(inserted.value().has_value());
  world.start(repeatable_read_do_nothing_first(world, second));
  co_await world.clock().sleep(5 * kStep);
  CHECK_FALSE(second.done);  // waiting for the first transaction's key
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.done);
  CHECK(second.status == Status::kSerializationFailure);
}

// ---- updates and row locks -------------------------------------------------------

struct Outcome {
  Status status = Status::kOk;
  std::size_t rows = 0;
  sim::Time done_at = -1;
};

Task<void> update_pending(ContractWorld& world, Isolation isolation, Outcome& out, bool take_snapshot_first) {
  auto tx = co_await begin(world, isolation);
  if (!tx) co_return;
  if (take_snapshot_first) {
    auto snapshot = co_await tx->select("payments", {}, RowLock::kNone);
    CHECK(snapshot.is_ok());
  }
  co_await world.clock().sleep(kStep);
  // The conditional claim of the strategies: WHERE status = 'pending' RETURNING.
  auto updated = co_await tx->update("payments", by_id_and_status(1, "pending"),
                                     set_status("claimed-by-second"));
  out.status = updated.status();
  out.rows = updated.is_ok() ? updated.value().size() : 0;
  out.done_at = world.clock().now();
  if (updated.is_ok()) {
    auto committed = co_await tx->commit();
    CHECK(committed.is_ok());
  }
}

CONTRACT_TEST("conditional UPDATE ... RETURNING changes and returns only matching rows", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1", "pending");
  co_await committed_payment(world, 2, "k2", "done");
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto updated = co_await tx->update("payments", by_status("pending"), set_status("claimed"));
  CHECK(updated.value().size() == 1);
  if (updated.is_ok() && updated.value().size() == 1) {
    CHECK(updated.value()[0].at("id") == Value(std::int64_t{1}));
    CHECK(status_of(updated.value()[0]) == "claimed");
  }
  auto again = co_await tx->update("payments", by_status("pending"), set_status("claimed"));
  CHECK(again.value().empty());
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
}

CONTRACT_TEST("READ COMMITTED: an UPDATE that waited on a row lock re-checks the new version", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1", "pending");
  Outcome second;
  auto first = co_await begin(world);
  if (!first) co_return;
  auto claimed = co_await first->update("payments", by_id_and_status(1, "pending"),
                                        set_status("claimed-by-first"));
  CHECK(claimed.value().size() == 1);
  world.start(update_pending(world, Isolation::kReadCommitted, second, false));
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.done_at == -1);  // blocked on the row lock
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.status == Status::kOk);
  CHECK(second.rows == 0);  // the new version no longer matches status = 'pending'
}

CONTRACT_TEST("REPEATABLE READ: updating a row changed by a concurrent committed transaction fails with 40001", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1", "pending");
  Outcome second;
  world.start(update_pending(world, Isolation::kRepeatableRead, second, true));
  co_await world.clock().sleep(kStep / 2);  // the second has its snapshot, not yet its update
  auto first = co_await begin(world);
  if (!first) co_return;
  auto changed = co_await first->update("payments", by_id(1), set_status("changed"));
  CHECK(changed.value().size() == 1);
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.status == Status::kSerializationFailure);
}

CONTRACT_TEST("SERIALIZABLE: updating a row changed by a concurrent committed transaction fails with 40001", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1", "pending");
  Outcome second;
  world.start(update_pending(world, Isolation::kSerializable, second, true));
  co_await world.clock().sleep(kStep / 2);
  auto first = co_await begin(world);
  if (!first) co_return;
  auto changed = co_await first->update("payments", by_id(1), set_status("changed"));
  CHECK(changed.value().size() == 1);
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.status == Status::kSerializationFailure);
}

Task<void> lock_for_update(ContractWorld& world, Outcome& out) {
  co_await world.clock().sleep(kStep);
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto locked = co_await tx->select("payments", by_id(1), RowLock::kForUpdate);
  out.status = locked.status();
  out.rows = locked.is_ok() ? locked.value().size() : 0;
  out.done_at = world.clock().now();
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
}

// "Only rows for which this expression returns true will be updated, although
// all rows will be locked when the ON CONFLICT DO UPDATE action is taken"
// (PostgreSQL's INSERT documentation).
CONTRACT_TEST("DO UPDATE ... WHERE updates only a matching row, and locks the row either way", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1", "completed");
  auto tx = co_await begin(world);
  if (!tx) co_return;
  OnConflict retry_failed = conflict_on("key", OnConflict::Action::kDoUpdate, set_status("retried"));
  retry_failed.where = by_status("failed");
  auto skipped = co_await tx->insert_on_conflict("payments", payment(2, "k1"), retry_failed);
  CHECK(skipped.is_ok());
  CHECK(skipped.value() == std::nullopt);  // completed, not failed: left alone
  Outcome second;
  world.start(lock_for_update(world, second));
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.done_at == -1);  // the row is locked all the same
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.status == Status::kOk);
  const std::size_t completed = co_await count_committed(world, by_status("completed"));
  CHECK(completed == 1);
  co_await committed_payment(world, 3, "k3", "failed");
  auto retry = co_await begin(world);
  if (!retry) co_return;
  auto updated = co_await retry->insert_on_conflict("payments", payment(4, "k3"), retry_failed);
  CHECK(updated.is_ok());
  CHECK((updated.is_ok() && updated.value() && status_of(*updated.value()) == "retried"));
  auto done = co_await retry->commit();
  CHECK(done.is_ok());
}

CONTRACT_TEST("SELECT FOR UPDATE waits for the transaction holding the row lock", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1");
  Outcome second;
  auto first = co_await begin(world);
  if (!first) co_return;
  auto locked = co_await first->select("payments", by_id(1), RowLock::kForUpdate);
  CHECK(locked.value().size() == 1);
  world.start(lock_for_update(world, second));
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.done_at == -1);
  const sim::Time released_at = world.clock().now();
  auto committed = co_await first->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(5 * kStep);
  CHECK(second.status == Status::kOk);
  CHECK(second.rows == 1);
  CHECK(second.done_at >= released_at);
}

struct Deadlock {
  Status first = Status::kOk;
  Status second = Status::kOk;
};

// Locks row `a`, waits, then locks row `b`.
Task<void> lock_two(ContractWorld& world, std::int64_t a, std::int64_t b, Status& out) {
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto first = co_await tx->select("payments", by_id(a), RowLock::kForUpdate);
  CHECK(first.is_ok());
  co_await world.clock().sleep(kStep);
  auto second = co_await tx->select("payments", by_id(b), RowLock::kForUpdate);
  out = second.status();
  if (second.is_ok()) {
    auto committed = co_await tx->commit();
    CHECK(committed.is_ok());
  } else {
    auto rolled_back = co_await tx->rollback();
    CHECK(rolled_back.is_ok());
  }
}

CONTRACT_TEST("two transactions locking rows in opposite order: one is aborted with 40P01, the other proceeds", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1");
  co_await committed_payment(world, 2, "k2");
  Deadlock outcome;
  world.start(lock_two(world, 1, 2, outcome.first));
  world.start(lock_two(world, 2, 1, outcome.second));
  co_await world.clock().sleep(3 * sim::kSecond);  // past deadlock_timeout
  const int deadlocked = (outcome.first == Status::kDeadlock) + (outcome.second == Status::kDeadlock);
  const int succeeded = (outcome.first == Status::kOk) + (outcome.second == Status::kOk);
  CHECK(deadlocked == 1);
  CHECK(succeeded == 1);
}

// ---- sequences, errors, JSON, faults ----------------------------------------------

CONTRACT_TEST("sequences hand out ids before commit, so ids can commit out of order, and rollbacks leave gaps", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto early = co_await begin(world);
  auto late = co_await begin(world);
  if (!early || !late) co_return;
  auto id1 = co_await early->nextval("payment_ids");
  auto id2 = co_await late->nextval("payment_ids");
  CHECK(id1.value() < id2.value());
  auto i2 = co_await late->insert("payments", payment(id2.value(), "late"));
  CHECK(i2.is_ok());
  auto c2 = co_await late->commit();  // the higher id commits first
  CHECK(c2.is_ok());
  const std::size_t count_6 = co_await count_committed(world, by_id(id2.value()));
  CHECK(count_6 == 1);
  const std::size_t count_7 = co_await count_committed(world, by_id(id1.value()));
  CHECK(count_7 == 0);
  auto rolled_back = co_await early->rollback();
  CHECK(rolled_back.is_ok());
  auto next = co_await begin(world);
  if (!next) co_return;
  auto id3 = co_await next->nextval("payment_ids");
  CHECK(id3.value() == id2.value() + 1);  // id1 is never handed out again
}

CONTRACT_TEST("after an error the transaction refuses statements and COMMIT rolls it back", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "k1");
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto fresh = co_await tx->insert("payments", payment(2, "k2"));
  CHECK(fresh.is_ok());
  auto duplicate = co_await tx->insert("payments", payment(3, "k1"));
  CHECK(duplicate.status() == Status::kUniqueViolation);
  auto refused = co_await tx->select("payments", {}, RowLock::kNone);
  CHECK(refused.status() == Status::kClosed);
  auto commit = co_await tx->commit();
  CHECK(commit.status() == Status::kClosed);
  const std::size_t count_8 = co_await count_committed(world, by_key("k2"));
  CHECK(count_8 == 0);
}

CONTRACT_TEST("JSON columns store and return their text", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto tx = co_await begin(world);
  if (!tx) co_return;
  Row row = payment(1, "k1");
  row["state"] = Value(R"({"step":"charge","done":["reserve"]})");
  auto inserted = co_await tx->insert("payments", row);
  CHECK(inserted.is_ok());
  auto updated = co_await tx->update("payments", by_id(1),
                                     set_state(R"({"step":"notify"})"));
  CHECK(updated.value().size() == 1);
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
  auto reader = co_await begin(world);
  if (!reader) co_return;
  auto rows = co_await reader->select("payments", by_id(1), RowLock::kNone);
  CHECK(rows.value().size() == 1);
  if (rows.is_ok() && rows.value().size() == 1) CHECK(rows.value()[0].at("state") == Value(R"({"step":"notify"})"));
}

CONTRACT_TEST("committed data survives a server restart, and open transactions are rolled back", plain()) {
  if (!co_await create_schema(world)) co_return;
  co_await committed_payment(world, 1, "committed");
  auto open = co_await begin(world);
  if (!open) co_return;
  auto inserted = co_await open->insert("payments", payment(2, "open"));
  CHECK(inserted.is_ok());
  co_await world.faults().restart_postgres();
  auto lost = co_await open->commit();
  CHECK(lost.status() == Status::kClosed);
  const std::size_t count_9 = co_await count_committed(world, by_key("committed"));
  CHECK(count_9 == 1);
  const std::size_t count_10 = co_await count_committed(world, by_key("open"));
  CHECK(count_10 == 0);
}

CONTRACT_TEST("a lost COMMIT reply leaves the outcome unknown to the client, and the transaction committed", plain()) {
  if (!co_await create_schema(world)) co_return;
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto inserted = co_await tx->insert("payments", payment(1, "k1"));
  CHECK(inserted.is_ok());
  world.faults().drop_next_postgres_reply();
  auto commit = co_await tx->commit();
  CHECK(commit.status() == Status::kTimeout);
  const std::size_t count_11 = co_await count_committed(world, by_key("k1"));
  CHECK(count_11 == 1);
}

}  // namespace
}  // namespace idemlab::contract
