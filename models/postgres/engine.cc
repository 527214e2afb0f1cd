#include "models/postgres/engine.h"

#include "sim/state_writer.h"
#include <algorithm>
#include <cassert>

namespace idemlab::models::postgres {
namespace {

using ports::Result;
using ports::Row;
using ports::Status;
using ports::Unit;

constexpr const char* kConnectionLost = "server closed the connection unexpectedly";
constexpr const char* kSerializationMessage = "could not serialize access due to concurrent update";
constexpr const char* kDeadlockMessage = "deadlock detected";

const char* query_kind(const ports::Query& query) {
  switch (query.lock) {
    case ports::RowLock::kNone: break;
    case ports::RowLock::kForUpdate: return "SELECT FOR UPDATE";
    case ports::RowLock::kForUpdateSkipLocked: return "SELECT FOR UPDATE SKIP LOCKED";
    case ports::RowLock::kForUpdateNowait: return "SELECT FOR UPDATE NOWAIT";
  }
  return "SELECT";
}

// The trace's words for a query: "tx 3 t {a=1} -> 2 rows" for equalities
// alone, as before ranges, order and limit were added after them.
std::string query_detail(std::uint64_t tx, const std::string& table, const ports::Query& query, std::size_t rows) {
  std::string out = "tx " + std::to_string(tx) + " " + table + " " + ports::row_text(query.where);
  for (const ports::Range& r : query.ranges) out += " and " + r.column + ports::range_operator_text(r.op) + ports::value_text(r.value);
  for (std::size_t i = 0; i < query.order.size(); ++i) {
    out += (i == 0 ? " order by " : ", ") + query.order[i].column + (query.order[i].descending ? " desc" : "");
  }
  if (query.limit >= 0) out += " limit " + std::to_string(query.limit);
  return out + " -> " + std::to_string(rows) + " rows";
}

std::string relation_missing(const std::string& name) { return "relation \"" + name + "\" does not exist"; }

}  // namespace

// ---- waiting ---------------------------------------------------------------

void TxWaitAwaiter::unregister() {
  engine.sim_.cancel(deadlock_check);
  deadlock_check = {};
  if (!registered) return;
  registered = false;
  auto it = engine.waiters_.find(holder);
  if (it != engine.waiters_.end()) {
    auto& list = it->second;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
    if (list.empty()) engine.waiters_.erase(it);
  }
  engine.waiting_for_.erase(waiter);
}

TxWaitAwaiter::~TxWaitAwaiter() {
  unregister();
  engine.sim_.cancel_wake(wake);
}

void TxWaitAwaiter::check_deadlock(void* context, std::uint64_t) {
  auto* self = static_cast<TxWaitAwaiter*>(context);
  self->deadlock_check = {};
  // Like PostgreSQL, a waiter checks once, deadlock_timeout after it began
  // to wait; a cycle closed later is found by the check of its last waiter.
  if (!self->registered || !self->engine.in_deadlock(self->waiter)) return;
  self->unregister();
  self->outcome = Outcome::kDeadlock;
  self->engine.trace("deadlock", "tx " + std::to_string(self->waiter) + " is the victim");
  self->engine.sim_.resume(self->wake.process, self->wake.handle);
}

bool Engine::in_deadlock(TxId waiter) const {
  TxId current = waiter;
  for (std::size_t steps = 0; steps <= waiting_for_.size(); ++steps) {
    auto it = waiting_for_.find(current);
    if (it == waiting_for_.end()) return false;
    current = it->second;
    if (current == waiter) return true;
  }
  return false;
}

void Engine::wake_waiters(TxId tx) {
  auto it = waiters_.find(tx);
  if (it == waiters_.end()) return;
  std::vector<TxWaitAwaiter*> list = std::move(it->second);
  waiters_.erase(it);
  for (TxWaitAwaiter* w : list) {
    w->registered = false;
    sim_.cancel(w->deadlock_check);
    w->deadlock_check = {};
    waiting_for_.erase(w->waiter);
    w->outcome = TxWaitAwaiter::Outcome::kEnded;
    sim_.wake_at(w->wake, sim_.now());
  }
}

// ---- transactions and visibility -------------------------------------------

Engine::Engine(sim::Simulator& sim, std::string name, PgConfig config)
    : sim_(sim), config_(std::move(config)), node_(sim, std::move(name)) {
  node_.start();
}

Engine::~Engine() {
  // Statements in flight point into this engine.
  if (node_.up()) node_.crash();
}

void Engine::trace(const std::string& kind, const std::string& detail) {
  if (sim_.trace().enabled()) sim_.record(node_.name(), kind, detail);
}

Engine::Snapshot Engine::take_snapshot() const {
  return Snapshot{static_cast<TxId>(states_.size()), std::vector<TxId>(active_txs_.begin(), active_txs_.end())};
}

bool Engine::sees(const Snapshot& snapshot, TxId tx) const {
  return tx != kNoTx && tx < snapshot.xmax &&
         !std::binary_search(snapshot.in_progress.begin(), snapshot.in_progress.end(), tx) && committed(tx);
}

bool Engine::visible(const Session& session, const Snapshot& snapshot, const Version& version) const {
  const bool created = version.xmin == session.tx || sees(snapshot, version.xmin);
  if (!created) return false;
  if (version.xmax == kNoTx) return true;
  if (version.xmax == session.tx) return false;
  return !sees(snapshot, version.xmax);
}

const Engine::Snapshot& Engine::statement_snapshot(Session& session) {
  // READ COMMITTED: a snapshot per statement; REPEATABLE READ and
  // SERIALIZABLE: the first statement's, for the whole transaction.
  if (session.isolation == ports::Isolation::kReadCommitted || !session.snapshot) {
    session.snapshot = take_snapshot();
    if (session.isolation == ports::Isolation::kSerializable) ssi_.snapshot_taken(session.tx);
  }
  return *session.snapshot;
}

void Engine::end_transaction(TxId tx, TxState state) {
  assert(active(tx));
  assert(state != TxState::kInProgress);
  states_[tx] = state;
  active_txs_.erase(tx);
  if (state == TxState::kCommitted) {
    ssi_.committed(tx);
  } else {
    ssi_.aborted(tx);
  }
  wake_waiters(tx);
}

void Engine::abort_for_error(Session& session, const std::string& message) {
  if (active(session.tx)) end_transaction(session.tx, TxState::kAborted);
  session.failed = true;
  trace("ERROR", "tx " + std::to_string(session.tx) + ": " + message);
}

template <class T>
Result<T> Engine::fail(Session& session, Status status, std::string message) {
  abort_for_error(session, message);
  return Result<T>::failure(status, std::move(message));
}

template <class T>
std::optional<Result<T>> Engine::lock_failed(Session& session, LockOutcome outcome) {
  switch (outcome) {
    case LockOutcome::kDeadlock: return fail<T>(session, Status::kDeadlock, kDeadlockMessage);
    case LockOutcome::kSerialization: return fail<T>(session, Status::kSerializationFailure, kSerializationMessage);
    case LockOutcome::kLocked:
    case LockOutcome::kGone:
    case LockOutcome::kWouldWait: break;
  }
  return std::nullopt;
}

sim::Task<Engine::Statement> Engine::enter(SessionId id, const std::string* table_name) {
  co_await sim_.sleep(statement_time());
  Statement statement;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    statement.status = Status::kClosed;
    statement.failure = kConnectionLost;
    co_return statement;
  }
  if (it->second.failed) {
    statement.status = Status::kClosed;
    statement.failure = kAbortedMessage;
    co_return statement;
  }
  if (table_name != nullptr) {
    statement.table = find_table(*table_name);
    if (statement.table == nullptr) {
      statement.status = Status::kError;
      statement.failure = relation_missing(*table_name);
      abort_for_error(it->second, statement.failure);
      co_return statement;
    }
  }
  it->second.running = sim_.current()->id;
  statement.session = &it->second;
  co_return statement;
}

Table* Engine::find_table(const std::string& name) {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second.get();
}

void Engine::sort_by_primary_key(const Table& table, std::vector<std::uint32_t>& versions) const {
  std::sort(versions.begin(), versions.end(), [&](std::uint32_t a, std::uint32_t b) {
    return *table.encode_key(0, table.version(a).values) < *table.encode_key(0, table.version(b).values);
  });
}

std::vector<std::uint32_t> Engine::visible_matches(Session& session, const Table& table, const ResolvedWhere& where) {
  const Snapshot& snapshot = statement_snapshot(session);
  std::vector<std::uint32_t> out;
  for (std::uint32_t index : table.candidates(where)) {
    const Version& version = table.version(index);
    if (visible(session, snapshot, version) && Table::matches(version.values, where)) out.push_back(index);
  }
  sort_by_primary_key(table, out);
  return out;
}

bool Engine::serializable_read(Session& session, const Table& table, const ResolvedWhere& where,
                               const ResolvedRanges* ranges, const std::vector<std::uint32_t>& returned) {
  if (!ssi_.tracked(session.tx)) return false;
  const Snapshot& snapshot = statement_snapshot(session);
  for (std::uint32_t index : table.candidates(where)) {
    const Version& version = table.version(index);
    if (!Table::matches(version.values, where) || (ranges != nullptr && !Table::in_ranges(version.values, *ranges))) {
      continue;
    }
    if (!visible(session, snapshot, version)) {
      if (version.xmin != session.tx) ssi_.read_met_write(session.tx, version.xmin);  // made after our snapshot
    } else if (version.xmax != kNoTx && version.xmax != session.tx) {
      ssi_.read_met_write(session.tx, version.xmax);  // removed after our snapshot
    }
  }
  ssi_.read(session.tx, table, where, ranges, returned);
  return serialization_doomed(session);
}

bool Engine::serializable_write(Session& session, const Table& table, std::uint32_t index, const ResolvedWhere* set) {
  if (!ssi_.tracked(session.tx)) return false;
  const std::vector<ports::Value>& before = table.version(index).values;
  if (set == nullptr) {
    ssi_.write(session.tx, table, index, &before, nullptr);
  } else {
    std::vector<ports::Value> after = before;
    Table::assign(after, *set);
    ssi_.write(session.tx, table, index, &before, &after);
  }
  return serialization_doomed(session);
}

// ---- row locks and unique checks --------------------------------------------

sim::Task<Engine::Lock> Engine::lock_row(Session& session, Table& table, std::uint32_t index,
                                         const ResolvedWhere& where, const ResolvedRanges* ranges,
                                         WaitPolicy policy) {
  for (;;) {
    const Version& version = table.version(index);
    TxId blocker = kNoTx;
    if (version.xmax != session.tx && active(version.xmax)) {
      blocker = version.xmax;
    } else if (version.locked_by != session.tx && active(version.locked_by)) {
      blocker = version.locked_by;
    }
    if (blocker != kNoTx && policy == WaitPolicy::kDontWait) co_return Lock{LockOutcome::kWouldWait, index};
    if (blocker != kNoTx) {
      trace("wait", "tx " + std::to_string(session.tx) + " waits for tx " + std::to_string(blocker) + " (row lock)");
      const TxWaitAwaiter::Outcome outcome = co_await TxWaitAwaiter(*this, session.tx, blocker);
      if (outcome == TxWaitAwaiter::Outcome::kDeadlock) co_return Lock{LockOutcome::kDeadlock, index};
      continue;
    }
    if (committed(version.xmax)) {
      // Replaced or deleted by a transaction that committed after our
      // snapshot. REPEATABLE READ cannot go on; READ COMMITTED re-checks
      // the newest version (EvalPlanQual).
      if (session.isolation != ports::Isolation::kReadCommitted) co_return Lock{LockOutcome::kSerialization, index};
      if (version.next < 0) co_return Lock{LockOutcome::kGone, index};
      index = static_cast<std::uint32_t>(version.next);
      const std::vector<ports::Value>& newest = table.version(index).values;
      if (!Table::matches(newest, where) || (ranges != nullptr && !Table::in_ranges(newest, *ranges))) {
        co_return Lock{LockOutcome::kGone, index};
      }
      continue;
    }
    table.version(index).locked_by = session.tx;
    co_return Lock{LockOutcome::kLocked, index};
  }
}

sim::Task<Engine::Conflict> Engine::find_conflict(Session& session, Table& table,
                                                  const std::vector<ports::Value>& values,
                                                  std::optional<std::uint32_t> replacing) {
  for (std::size_t key = 0; key < table.unique_key_count(); ++key) {
    if (table.key_has_null(key, values)) continue;  // a NULL in the key: never a conflict
    for (;;) {
      TxId wait_for = kNoTx;
      std::optional<std::uint32_t> found;
      const std::vector<std::uint32_t> holders = table.versions_with_key(key, values);
      for (std::uint32_t index : holders) {
        if (replacing && index == *replacing) continue;
        const Version& version = table.version(index);
        if (aborted(version.xmin)) continue;
        if (version.xmax == session.tx || committed(version.xmax)) continue;  // gone
        if (version.xmin != session.tx && active(version.xmin)) {
          wait_for = version.xmin;  // inserted by an open transaction: its fate decides
          break;
        }
        if (active(version.xmax)) {
          wait_for = version.xmax;  // being deleted by an open transaction
          break;
        }
        found = index;
        break;
      }
      if (wait_for != kNoTx) {
        trace("wait", "tx " + std::to_string(session.tx) + " waits for tx " + std::to_string(wait_for) + " (" +
                          table.unique_key_name(key) + ")");
        const TxWaitAwaiter::Outcome outcome = co_await TxWaitAwaiter(*this, session.tx, wait_for);
        if (outcome == TxWaitAwaiter::Outcome::kDeadlock) co_return Conflict{Conflict::Kind::kDeadlock, key, 0};
        continue;
      }
      if (found) co_return Conflict{Conflict::Kind::kFound, key, *found};
      break;
    }
  }
  co_return Conflict{};
}

std::uint32_t Engine::replace(Session& session, Table& table, std::uint32_t index, const ResolvedWhere& set) {
  Version newer;
  newer.values = table.version(index).values;
  Table::assign(newer.values, set);
  newer.xmin = session.tx;
  const std::uint32_t newer_index = table.append(std::move(newer));
  Version& older = table.version(index);  // after append: it may have moved
  older.xmax = session.tx;
  older.next = static_cast<std::int32_t>(newer_index);
  return newer_index;
}

// ---- statements ---------------------------------------------------------------

sim::Task<Result<Unit>> Engine::ensure_schema(ports::Schema schema) {
  co_await sim_.sleep(statement_time());
  for (const auto& table : schema.tables) {
    if (auto problem = validate_schema(table)) co_return Result<Unit>::failure(Status::kError, *problem);
  }
  for (auto& table : schema.tables) {
    if (!tables_.count(table.name)) {
      trace("CREATE TABLE", table.name);
      std::string name = table.name;
      tables_.emplace(std::move(name), std::make_unique<Table>(std::move(table)));
    }
  }
  for (const auto& sequence : schema.sequences) sequences_.emplace(sequence, 0);
  co_return Result<Unit>::ok({});
}

sim::Task<Result<SessionId>> Engine::begin(ports::Isolation isolation) {
  co_await sim_.sleep(statement_time());
  if (sessions_.size() >= config_.max_connections) {
    co_return Result<SessionId>::failure(Status::kUnavailable, "sorry, too many clients already");
  }
  assert(states_.size() < UINT32_MAX);
  const auto tx = static_cast<TxId>(states_.size());
  states_.push_back(TxState::kInProgress);
  active_txs_.insert(tx);
  const SessionId id = next_session_++;
  sessions_.emplace(id, Session{tx, isolation, std::nullopt, false, {}});
  if (isolation == ports::Isolation::kSerializable) ssi_.begin(tx);
  trace("BEGIN", "tx " + std::to_string(tx) + " " + ports::isolation_name(isolation));
  co_return Result<SessionId>::ok(id);
}

sim::Task<Result<Row>> Engine::insert(SessionId id, std::string table_name, Row row) {
  const Statement statement = co_await enter(id, &table_name);
  if (statement.session == nullptr) co_return statement.failed<Row>();
  Session* session = statement.session;
  Table* table = statement.table;
  std::vector<ports::Value> values;
  if (auto problem = table->to_values(row, values)) co_return fail<Row>(*session, Status::kError, *problem);
  // SERIALIZABLE: the new row is a write into what others read, before the
  // unique check and again after it (a wait may have doomed this one, or
  // made a reader's commit the first of a dangerous structure).
  if (ssi_.tracked(session->tx)) (void)statement_snapshot(*session);
  ssi_.write(session->tx, *table, std::nullopt, nullptr, &values);
  if (serialization_doomed(*session)) co_return fail<Row>(*session, Status::kSerializationFailure, kSsiMessage);
  const Conflict conflict = co_await find_conflict(*session, *table, values, std::nullopt);
  if (conflict.kind == Conflict::Kind::kDeadlock) co_return fail<Row>(*session, Status::kDeadlock, kDeadlockMessage);
  ssi_.write(session->tx, *table, std::nullopt, nullptr, &values);
  if (serialization_doomed(*session)) co_return fail<Row>(*session, Status::kSerializationFailure, kSsiMessage);
  if (conflict.kind == Conflict::Kind::kFound) {
    co_return fail<Row>(*session, Status::kUniqueViolation,
                        "duplicate key value violates unique constraint \"" + table->unique_key_name(conflict.key) + "\"");
  }
  table->append(Version{values, session->tx});
  trace("INSERT", "tx " + std::to_string(session->tx) + " " + table_name + " " + ports::row_text(row));
  co_return Result<Row>::ok(table->to_row(values));
}

sim::Task<Result<std::optional<Row>>> Engine::insert_on_conflict(SessionId id, std::string table_name, Row row,
                                                                ports::OnConflict on_conflict) {
  using Out = std::optional<Row>;
  const Statement statement = co_await enter(id, &table_name);
  if (statement.session == nullptr) co_return statement.failed<Out>();
  Session* session = statement.session;
  Table* table = statement.table;
  std::vector<ports::Value> values;
  if (auto problem = table->to_values(row, values)) co_return fail<Out>(*session, Status::kError, *problem);
  const std::optional<std::size_t> target = table->find_unique_key(on_conflict.columns);
  if (!target) {
    co_return fail<Out>(*session, Status::kError,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification");
  }
  ResolvedWhere set;
  if (auto problem = table->resolve(on_conflict.set, set)) co_return fail<Out>(*session, Status::kError, *problem);
  ResolvedWhere update_where;
  if (auto problem = table->resolve(on_conflict.where, update_where)) {
    co_return fail<Out>(*session, Status::kError, *problem);
  }
  const std::string tx_name = "tx " + std::to_string(session->tx) + " ";
  // The statement's snapshot is taken as it starts, before any wait: in
  // REPEATABLE READ the first statement's is the transaction's, so that a
  // row committed while this one waited is not in it (PostgreSQL's
  // insert-conflict-do-nothing-2, whose third permutation answers 40001).
  if (session->isolation != ports::Isolation::kReadCommitted) (void)statement_snapshot(*session);

  for (;;) {
    const Conflict conflict = co_await find_conflict(*session, *table, values, std::nullopt);
    if (conflict.kind == Conflict::Kind::kDeadlock) co_return fail<Out>(*session, Status::kDeadlock, kDeadlockMessage);
    if (conflict.kind == Conflict::Kind::kNone) {
      ssi_.write(session->tx, *table, std::nullopt, nullptr, &values);
      if (serialization_doomed(*session)) co_return fail<Out>(*session, Status::kSerializationFailure, kSsiMessage);
      table->append(Version{values, session->tx});
      trace("INSERT", tx_name + table_name + " " + ports::row_text(row) + " (no conflict)");
      co_return Result<Out>::ok(table->to_row(values));
    }
    if (conflict.key != *target) {
      co_return fail<Out>(*session, Status::kUniqueViolation,
                          "duplicate key value violates unique constraint \"" + table->unique_key_name(conflict.key) + "\"");
    }
    // REPEATABLE READ cannot act on a conflicting row its snapshot does not
    // show (committed by a concurrent transaction).
    if (session->isolation != ports::Isolation::kReadCommitted &&
        !visible(*session, statement_snapshot(*session), table->version(conflict.version))) {
      co_return fail<Out>(*session, Status::kSerializationFailure, kSerializationMessage);
    }
    if (on_conflict.action == ports::OnConflict::Action::kDoNothing) {
      trace("INSERT", tx_name + table_name + " ON CONFLICT DO NOTHING: skipped");
      co_return Result<Out>::ok(std::nullopt);
    }
    const ResolvedWhere any_version;  // the conflicting row, whatever it holds now
    const Lock lock = co_await lock_row(*session, *table, conflict.version, any_version);
    if (auto failed = lock_failed<Out>(*session, lock.outcome)) co_return std::move(*failed);
    if (lock.outcome == LockOutcome::kGone) continue;  // deleted meanwhile: try the insert again
    // The WHERE is evaluated once, on the version just locked, even when the
    // statement's snapshot shows another (insert-conflict-do-update-3).
    if (!Table::matches(table->version(lock.version).values, update_where)) {
      trace("INSERT", tx_name + table_name + " ON CONFLICT DO UPDATE WHERE: not met, row locked");
      co_return Result<Out>::ok(std::nullopt);
    }
    if (serializable_write(*session, *table, lock.version, &set)) {
      co_return fail<Out>(*session, Status::kSerializationFailure, kSsiMessage);
    }
    const std::uint32_t newer = replace(*session, *table, lock.version, set);
    trace("INSERT", tx_name + table_name + " ON CONFLICT DO UPDATE " + ports::row_text(table->to_row(table->version(newer).values)));
    co_return Result<Out>::ok(table->to_row(table->version(newer).values));
  }
}

sim::Task<Result<std::vector<Row>>> Engine::query(SessionId id, std::string table_name, ports::Query query) {
  using Out = std::vector<Row>;
  const Statement statement = co_await enter(id, &table_name);
  if (statement.session == nullptr) co_return statement.failed<Out>();
  Session* session = statement.session;
  Table* table = statement.table;
  ResolvedWhere resolved;
  ResolvedRanges ranges;
  ResolvedOrder order;
  if (auto problem = table->resolve(query.where, resolved)) co_return fail<Out>(*session, Status::kError, *problem);
  if (auto problem = table->resolve(query.ranges, ranges)) co_return fail<Out>(*session, Status::kError, *problem);
  if (auto problem = table->resolve(query.order, order)) co_return fail<Out>(*session, Status::kError, *problem);
  if (query.limit < -1) co_return fail<Out>(*session, Status::kError, "LIMIT must not be negative");
  std::vector<std::uint32_t> matches = visible_matches(*session, *table, resolved);  // in primary-key order
  if (!ranges.empty()) {
    std::erase_if(matches, [&](std::uint32_t index) { return !Table::in_ranges(table->version(index).values, ranges); });
  }
  if (!order.empty()) {
    std::stable_sort(matches.begin(), matches.end(), [&](std::uint32_t a, std::uint32_t b) {
      for (const auto& [column, descending] : order) {
        const int c = compare_values(table->version(a).values[column], table->version(b).values[column]);
        if (c != 0) return descending ? c > 0 : c < 0;
      }
      return false;  // a tie keeps primary-key order
    });
  }
  // LIMIT counts the rows returned: a row skipped, or gone once its lock
  // was granted, leaves room for the next (PostgreSQL's LockRows below Limit).
  const std::size_t limit = query.limit < 0 ? matches.size() : static_cast<std::size_t>(query.limit);
  const WaitPolicy policy = query.lock == ports::RowLock::kForUpdate ? WaitPolicy::kWait : WaitPolicy::kDontWait;
  Out rows;
  std::vector<std::uint32_t> returned;
  for (std::uint32_t index : matches) {
    if (rows.size() >= limit) break;
    if (query.lock == ports::RowLock::kNone) {
      returned.push_back(index);
      rows.push_back(table->to_row(table->version(index).values));
      continue;
    }
    const Lock locked = co_await lock_row(*session, *table, index, resolved, &ranges, policy);
    if (auto failed = lock_failed<Out>(*session, locked.outcome)) co_return std::move(*failed);
    if (locked.outcome == LockOutcome::kWouldWait) {
      if (query.lock == ports::RowLock::kForUpdateSkipLocked) continue;
      co_return fail<Out>(*session, Status::kLockNotAvailable,
                          "could not obtain lock on row in relation \"" + table_name + "\"");
    }
    if (locked.outcome == LockOutcome::kGone) continue;
    returned.push_back(locked.version);
    rows.push_back(table->to_row(table->version(locked.version).values));
  }
  if (serializable_read(*session, *table, resolved, &ranges, returned)) {
    co_return fail<Out>(*session, Status::kSerializationFailure, kSsiMessage);
  }
  if (sim_.trace().enabled()) trace(query_kind(query), query_detail(session->tx, table_name, query, rows.size()));
  co_return Result<Out>::ok(std::move(rows));
}

sim::Task<Result<std::vector<Row>>> Engine::update(SessionId id, std::string table_name, ports::Where where,
                                                   ports::Assignments set) {
  using Out = std::vector<Row>;
  const Statement statement = co_await enter(id, &table_name);
  if (statement.session == nullptr) co_return statement.failed<Out>();
  Session* session = statement.session;
  Table* table = statement.table;
  ResolvedWhere resolved_where, resolved_set;
  if (auto problem = table->resolve(where, resolved_where)) co_return fail<Out>(*session, Status::kError, *problem);
  if (auto problem = table->resolve(set, resolved_set)) co_return fail<Out>(*session, Status::kError, *problem);
  bool touches_unique = false;
  for (std::size_t key = 0; key < table->unique_key_count(); ++key) {
    for (std::size_t column : table->unique_key_columns(key)) {
      for (const auto& term : resolved_set) touches_unique |= term.first == column;
    }
  }
  const std::vector<std::uint32_t> matches = visible_matches(*session, *table, resolved_where);
  if (serializable_read(*session, *table, resolved_where, nullptr, matches)) {
    co_return fail<Out>(*session, Status::kSerializationFailure, kSsiMessage);
  }
  Out rows;
  for (std::uint32_t index : matches) {
    const Lock locked = co_await lock_row(*session, *table, index, resolved_where);
    if (auto failed = lock_failed<Out>(*session, locked.outcome)) co_return std::move(*failed);
    if (locked.outcome == LockOutcome::kGone) continue;
    if (touches_unique) {
      std::vector<ports::Value> values = table->version(locked.version).values;
      Table::assign(values, resolved_set);
      const Conflict conflict = co_await find_conflict(*session, *table, values, locked.version);
      if (conflict.kind == Conflict::Kind::kDeadlock) co_return fail<Out>(*session, Status::kDeadlock, kDeadlockMessage);
      if (conflict.kind == Conflict::Kind::kFound) {
        co_return fail<Out>(*session, Status::kUniqueViolation,
                            "duplicate key value violates unique constraint \"" + table->unique_key_name(conflict.key) + "\"");
      }
    }
    if (serializable_write(*session, *table, locked.version, &resolved_set)) {
      co_return fail<Out>(*session, Status::kSerializationFailure, kSsiMessage);
    }
    const std::uint32_t newer = replace(*session, *table, locked.version, resolved_set);
    rows.push_back(table->to_row(table->version(newer).values));
  }
  trace("UPDATE", "tx " + std::to_string(session->tx) + " " + table_name + " " + ports::row_text(where) + " SET " +
                      ports::row_text(set) + " -> " + std::to_string(rows.size()) + " rows");
  co_return Result<Out>::ok(std::move(rows));
}

sim::Task<Result<std::int64_t>> Engine::remove(SessionId id, std::string table_name, ports::Where where) {
  const Statement statement = co_await enter(id, &table_name);
  if (statement.session == nullptr) co_return statement.failed<std::int64_t>();
  Session* session = statement.session;
  Table* table = statement.table;
  ResolvedWhere resolved;
  if (auto problem = table->resolve(where, resolved)) co_return fail<std::int64_t>(*session, Status::kError, *problem);
  const std::vector<std::uint32_t> matches = visible_matches(*session, *table, resolved);
  if (serializable_read(*session, *table, resolved, nullptr, matches)) {
    co_return fail<std::int64_t>(*session, Status::kSerializationFailure, kSsiMessage);
  }
  std::int64_t removed = 0;
  for (std::uint32_t index : matches) {
    const Lock locked = co_await lock_row(*session, *table, index, resolved);
    if (auto failed = lock_failed<std::int64_t>(*session, locked.outcome)) co_return std::move(*failed);
    if (locked.outcome == LockOutcome::kGone) continue;
    if (serializable_write(*session, *table, locked.version, nullptr)) {
      co_return fail<std::int64_t>(*session, Status::kSerializationFailure, kSsiMessage);
    }
    table->version(locked.version).xmax = session->tx;
    ++removed;
  }
  trace("DELETE", "tx " + std::to_string(session->tx) + " " + table_name + " " + ports::row_text(where) + " -> " +
                      std::to_string(removed) + " rows");
  co_return Result<std::int64_t>::ok(removed);
}

sim::Task<Result<std::int64_t>> Engine::nextval(SessionId id, std::string sequence) {
  const Statement statement = co_await enter(id, nullptr);
  if (statement.session == nullptr) co_return statement.failed<std::int64_t>();
  Session* session = statement.session;
  auto it = sequences_.find(sequence);
  if (it == sequences_.end()) co_return fail<std::int64_t>(*session, Status::kError, relation_missing(sequence));
  // Handed out now, never given back: a rolled-back transaction leaves a gap.
  const std::int64_t value = ++it->second;
  trace("nextval", sequence + " -> " + std::to_string(value) + " (tx " + std::to_string(session->tx) + ")");
  co_return Result<std::int64_t>::ok(value);
}

sim::Task<Result<Unit>> Engine::commit(SessionId id) {
  co_await sim_.sleep(statement_time());
  auto it = sessions_.find(id);
  if (it == sessions_.end()) co_return Result<Unit>::failure(Status::kClosed, kConnectionLost);
  if (it->second.failed) {
    sessions_.erase(it);
    co_return Result<Unit>::failure(Status::kClosed, "transaction was aborted: COMMIT rolled it back");
  }
  if (!ssi_.precommit(it->second.tx)) {
    const TxId doomed = it->second.tx;
    sessions_.erase(it);
    end_transaction(doomed, TxState::kAborted);
    trace("ERROR", "tx " + std::to_string(doomed) + ": " + kSsiMessage);
    co_return Result<Unit>::failure(Status::kSerializationFailure, kSsiMessage);
  }
  it->second.running = sim_.current()->id;
  // The commit record is flushed, then the transaction is committed: a crash
  // during the flush leaves it aborted.
  co_await sim_.sleep(load_->serve(sim_.now(), config_.commit_time, config_.commit_time_loaded, sim_.tape()));
  // A crash cancels this statement with its session; a duplicated COMMIT
  // (a network fault a script may ask for) may have ended the transaction
  // meanwhile.
  it = sessions_.find(id);
  if (it == sessions_.end()) co_return Result<Unit>::failure(Status::kClosed, kConnectionLost);
  const TxId tx = it->second.tx;
  sessions_.erase(it);
  end_transaction(tx, TxState::kCommitted);
  trace("COMMIT", "tx " + std::to_string(tx));
  co_return Result<Unit>::ok({});
}

sim::Task<Result<Unit>> Engine::rollback(SessionId id) {
  co_await sim_.sleep(statement_time());
  auto it = sessions_.find(id);
  if (it == sessions_.end()) co_return Result<Unit>::failure(Status::kClosed, kConnectionLost);
  const TxId tx = it->second.tx;
  sessions_.erase(it);
  if (active(tx)) end_transaction(tx, TxState::kAborted);
  trace("ROLLBACK", "tx " + std::to_string(tx));
  co_return Result<Unit>::ok({});
}

// ---- connections and faults -------------------------------------------------------

void Engine::connection_lost(SessionId session, sim::Duration after) {
  if (!sessions_.count(session)) return;
  sim_.schedule(sim_.now() + after, &Engine::lost_connection_event, this, session);
}

void Engine::lost_connection_event(void* context, std::uint64_t id) {
  auto* self = static_cast<Engine*>(context);
  auto it = self->sessions_.find(id);
  if (it == self->sessions_.end()) return;  // ended meanwhile, or the server restarted
  if (self->sim_.alive(it->second.running)) {
    // A backend notices its client is gone only when its statement ends (a
    // commit in progress still commits; a lock wait goes on holding locks).
    self->node_.spawn(self->reap(id, it->second.running), "reap");
    return;
  }
  self->drop_session(id, "client connection lost");
}

sim::Task<void> Engine::reap(SessionId id, sim::ProcessId statement) {
  co_await sim_.join(statement);
  drop_session(id, "client connection lost during a statement");
}

void Engine::drop_session(SessionId id, const char* why) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  const TxId tx = it->second.tx;
  sessions_.erase(it);
  if (active(tx)) {
    end_transaction(tx, TxState::kAborted);
    trace("disconnect", "tx " + std::to_string(tx) + " rolled back: " + why);
  }
}

void Engine::crash() {
  if (node_.up()) node_.crash();  // statements in flight die
  sessions_.clear();
  const std::vector<TxId> open(active_txs_.begin(), active_txs_.end());
  for (TxId tx : open) end_transaction(tx, TxState::kAborted);
  assert(waiters_.empty() && waiting_for_.empty());
  trace("recover", std::to_string(open.size()) + " open transactions rolled back; committed data kept");
}

void Engine::start() {
  assert(!node_.up());
  node_.start();
}

std::vector<Row> Engine::committed_rows(const std::string& table_name) const {
  auto it = tables_.find(table_name);
  assert(it != tables_.end());
  const Table& table = *it->second;
  std::vector<std::uint32_t> live;
  for (std::uint32_t i = 0; i < table.version_count(); ++i) {
    const Version& v = table.version(i);
    if (committed(v.xmin) && !committed(v.xmax)) live.push_back(i);
  }
  sort_by_primary_key(table, live);
  std::vector<Row> rows;
  for (std::uint32_t i : live) rows.push_back(table.to_row(table.version(i).values));
  return rows;
}

std::vector<std::string> Engine::table_names() const {
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

Engine::Storage Engine::storage(const std::string& table_name) const {
  auto it = tables_.find(table_name);
  assert(it != tables_.end());
  const Table& table = *it->second;
  Storage storage;
  for (std::uint32_t i = 0; i < table.version_count(); ++i) {
    const Version& v = table.version(i);
    const std::int64_t bytes = Table::version_bytes(v);
    if (committed(v.xmin) && !committed(v.xmax)) {
      storage.live_bytes += bytes;
      ++storage.live_rows;
    } else if (!active(v.xmin)) {
      storage.dead_bytes += bytes;
    }
  }
  return storage;
}

void Engine::write_state(sim::StateWriter& out) const {
  out.tag("postgres");
  node_.write_state(out);
  out.u64(tables_.size());
  for (const auto& [name, table] : tables_) {
    out.str(name);
    table->write_state(out);
  }
  for (const auto& [name, value] : sequences_) {
    out.str(name);
    out.i64(value);
  }
  out.u64(states_.size());
  for (TxState state : states_) out.u64(static_cast<std::uint64_t>(state));
  for (TxId tx : active_txs_) out.u64(tx);
  out.u64(sessions_.size());
  for (const auto& [id, session] : sessions_) {
    out.u64(id);
    out.u64(session.tx);
    out.u64(static_cast<std::uint64_t>(session.isolation));
    out.flag(session.snapshot.has_value());
    if (session.snapshot) {
      out.u64(session.snapshot->xmax);
      for (TxId tx : session.snapshot->in_progress) out.u64(tx);
      out.u64(session.snapshot->in_progress.size());
    }
    out.flag(session.failed);
    out.flag(static_cast<bool>(session.running));
  }
  out.u64(next_session_);
  for (const auto& [tx, waiters] : waiters_) {
    out.u64(tx);
    out.u64(waiters.size());
  }
  for (const auto& [waiter, holder] : waiting_for_) {
    out.u64(waiter);
    out.u64(holder);
  }
  ssi_.write_state(out);
  load_->write_state(out);
}

}  // namespace idemlab::models::postgres
