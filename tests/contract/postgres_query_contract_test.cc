// The Sql port's queries beyond equality, as contract rules on the model and
// on live PostgreSQL: ranges, ORDER BY (text in byte order, NULLs last
// ascending and first descending), LIMIT, and the row locks real outbox
// relays and job queues take (FOR UPDATE SKIP LOCKED, NOWAIT).
#include <memory>
#include <string>
#include <vector>

#include "tests/contract/contract.h"

namespace idemlab::contract {
namespace {

using ports::Isolation;
using ports::OrderBy;
using ports::Query;
using ports::Range;
using ports::Row;
using ports::RowLock;
using ports::Status;
using ports::Value;
using sim::kMillisecond;
using sim::Task;

constexpr sim::Duration kStep = 100 * kMillisecond;

ports::Schema jobs_schema() {
  ports::TableSchema jobs;
  jobs.name = "jobs";
  jobs.columns = {{"id", ports::ColumnType::kBigint, false},
                  {"name", ports::ColumnType::kText, false},
                  {"status", ports::ColumnType::kText, false},
                  {"due", ports::ColumnType::kBigint, true}};
  jobs.primary_key = {"id"};
  return ports::Schema{{jobs}, {}};
}

Row job(std::int64_t id, std::string name, std::string status, Value due) {
  return Row{{"id", id}, {"name", std::move(name)}, {"status", std::move(status)}, {"due", std::move(due)}};
}

Task<std::unique_ptr<ports::Tx>> begin(ContractWorld& world) {
  auto tx = co_await world.sql().begin(Isolation::kReadCommitted);
  CHECK(tx.is_ok());
  if (!tx.is_ok()) co_return nullptr;
  co_return std::move(tx).value();
}

// Five jobs, committed: names in an order where byte order and a
// dictionary's differ, one without a due time.
Task<bool> five_jobs(ContractWorld& world) {
  auto created = co_await world.sql().ensure_schema(jobs_schema());
  CHECK(created.is_ok());
  if (!created.is_ok()) co_return false;
  auto tx = co_await begin(world);
  if (!tx) co_return false;
  const std::vector<Row> rows = {job(1, "b", "pending", Value(std::int64_t{30})), job(2, "B", "pending", Value()),
                                 job(3, "a", "pending", Value(std::int64_t{10})), job(4, "A", "sent", Value(std::int64_t{20})),
                                 job(5, "c", "pending", Value(std::int64_t{40}))};
  for (const Row& row : rows) {
    auto inserted = co_await tx->insert("jobs", row);
    CHECK(inserted.is_ok());
  }
  auto committed = co_await tx->commit();
  CHECK(committed.is_ok());
  co_return committed.is_ok();
}

std::vector<std::int64_t> ids(const ports::Result<std::vector<Row>>& rows) {
  std::vector<std::int64_t> out;
  if (!rows.is_ok()) return out;
  for (const Row& row : rows.value()) out.push_back(std::get<std::int64_t>(row.at("id")));
  return out;
}

Query pending_first(std::int64_t limit, RowLock lock) {
  Query q;
  q.where = ports::Where{{"status", Value(std::string("pending"))}};
  q.limit = limit;
  q.lock = lock;
  return q;
}

Settings plain() { return Settings{}; }

}  // namespace

CONTRACT_TEST("a query's ranges, order and limit: text in byte order, NULLs last ascending and first descending", plain()) {
  if (!co_await five_jobs(world)) co_return;
  auto tx = co_await begin(world);
  if (!tx) co_return;
  Query by_name;
  by_name.order = {OrderBy{"name", false}};
  {
    auto rows = co_await tx->query("jobs", by_name);
    CHECK(ids(rows) == std::vector<std::int64_t>{4, 2, 3, 1, 5});
  }  // A B a b c
  Query by_due;
  by_due.order = {OrderBy{"due", false}};
  {
    auto rows = co_await tx->query("jobs", by_due);
    CHECK(ids(rows) == std::vector<std::int64_t>{3, 4, 1, 5, 2});
  }
  by_due.order = {OrderBy{"due", true}};
  {
    auto rows = co_await tx->query("jobs", by_due);
    CHECK(ids(rows) == std::vector<std::int64_t>{2, 5, 1, 4, 3});
  }
  Query window;
  window.ranges = {Range{"due", Range::Op::kGreaterEqual, Value(std::int64_t{20})},
                   Range{"name", Range::Op::kNotEqual, Value(std::string("c"))}};
  {
    auto rows = co_await tx->query("jobs", window);
    CHECK(ids(rows) == std::vector<std::int64_t>{1, 4});
  }  // NULL matches no range
  window.ranges = {Range{"name", Range::Op::kLess, Value(std::string("a"))}};
  window.order = {OrderBy{"name", true}};
  window.limit = 1;
  {
    auto rows = co_await tx->query("jobs", window);
    CHECK(ids(rows) == std::vector<std::int64_t>{2});
  }  // "B" < "a" < "b"
  window.limit = 0;
  {
    auto rows = co_await tx->query("jobs", window);
    CHECK(ids(rows).empty());
  }
  auto done = co_await tx->commit();
  CHECK(done.is_ok());
}

CONTRACT_TEST("FOR UPDATE SKIP LOCKED passes over the rows another transaction holds, at once", plain()) {
  if (!co_await five_jobs(world)) co_return;
  auto first = co_await begin(world);
  auto second = co_await begin(world);
  if (!first || !second) co_return;
  {
    auto rows = co_await first->query("jobs", pending_first(2, RowLock::kForUpdateSkipLocked));
    CHECK(ids(rows) == std::vector<std::int64_t>{1, 2});
  }
  const sim::Time asked = world.clock().now();
  {
    auto rows = co_await second->query("jobs", pending_first(1, RowLock::kForUpdateSkipLocked));
    CHECK(ids(rows) == std::vector<std::int64_t>{3});
  }
  CHECK(world.clock().now() - asked < kStep);  // it did not wait for the first
  {
    auto rows = co_await second->query("jobs", pending_first(-1, RowLock::kForUpdateSkipLocked));
    CHECK(ids(rows) == std::vector<std::int64_t>{3, 5});
  }
  auto done = co_await first->commit();
  CHECK(done.is_ok());
  done = co_await second->commit();
  CHECK(done.is_ok());
}

CONTRACT_TEST("FOR UPDATE NOWAIT fails at once with 55P03 on a row another holds, and aborts its transaction", plain()) {
  if (!co_await five_jobs(world)) co_return;
  auto first = co_await begin(world);
  auto second = co_await begin(world);
  if (!first || !second) co_return;
  {
    auto rows = co_await first->query("jobs", pending_first(1, RowLock::kForUpdate));
    CHECK(ids(rows) == std::vector<std::int64_t>{1});
  }
  Query free_row = pending_first(1, RowLock::kForUpdateNowait);
  free_row.where["id"] = Value(std::int64_t{3});
  {
    auto rows = co_await second->query("jobs", free_row);
    CHECK(ids(rows) == std::vector<std::int64_t>{3});
  }  // not held: locked
  const sim::Time asked = world.clock().now();
  auto refused = co_await second->query("jobs", pending_first(1, RowLock::kForUpdateNowait));
  CHECK(refused.status() == Status::kLockNotAvailable);
  CHECK(world.clock().now() - asked < kStep);
  auto after = co_await second->query("jobs", pending_first(1, RowLock::kNone));
  CHECK(after.status() == Status::kClosed);
  auto rolled_back = co_await second->rollback();
  CHECK(rolled_back.is_ok());
  auto done = co_await first->commit();
  CHECK(done.is_ok());
}

namespace {

struct Taken {
  std::vector<std::int64_t> ids;
  sim::Time at = -1;
};

Task<void> take_one_pending(ContractWorld& world, Taken& taken) {
  auto tx = co_await begin(world);
  if (!tx) co_return;
  auto rows = co_await tx->query("jobs", pending_first(1, RowLock::kForUpdate));
  taken.ids = ids(rows);
  taken.at = world.clock().now();
  auto done = co_await tx->commit();
  CHECK(done.is_ok());
}

}  // namespace

CONTRACT_TEST("LIMIT counts rows returned: a row a concurrent update took out of the WHERE gives its place to the next",
              plain()) {
  if (!co_await five_jobs(world)) co_return;
  auto sender = co_await begin(world);
  if (!sender) co_return;
  ports::Where first_job{{"id", Value(std::int64_t{1})}};
  ports::Assignments sent{{"status", Value(std::string("sent"))}};
  auto updated = co_await sender->update("jobs", first_job, sent);
  CHECK(updated.is_ok());
  Taken taken;
  world.start(take_one_pending(world, taken));
  co_await world.clock().sleep(3 * kStep);
  CHECK(taken.at == -1);  // waiting for job 1's lock
  auto committed = co_await sender->commit();
  CHECK(committed.is_ok());
  co_await world.clock().sleep(3 * kStep);
  CHECK(taken.ids == std::vector<std::int64_t>{2});  // job 1 rechecked, no longer pending: job 2 instead
}

}  // namespace idemlab::contract
