// A simulated PostgreSQL server: MVCC tables, transactions at READ COMMITTED,
// REPEATABLE READ and SERIALIZABLE (REPEATABLE READ plus serializable
// snapshot isolation, models/postgres/ssi.h),
// row locks that wait, unique checks that wait for the inserting transaction,
// deadlock detection after deadlock_timeout, sequences outside transactions,
// sessions that die with their connection, and committed data that survives
// a restart. Statements run as processes on the server's node; see
// docs/model-fidelity.md for the rules and their sources.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "models/machine_load.h"
#include "models/postgres/ssi.h"
#include "models/postgres/table.h"
#include "sim/latency.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "strategies/ports/result.h"
#include "strategies/ports/sql.h"

namespace idemlab::models::postgres {

struct PgConfig {
  sim::LatencyModel statement_time = sim::LatencyModel::constant(50 * sim::kMicrosecond);
  sim::LatencyModel commit_time = sim::LatencyModel::constant(200 * sim::kMicrosecond);  // WAL flush
  // With a calibration measured under load: the time when another operation
  // is in service on the machine (MachineLoad).
  std::optional<sim::LatencyModel> statement_time_loaded;
  std::optional<sim::LatencyModel> commit_time_loaded;
  sim::Duration deadlock_timeout = 1 * sim::kSecond;
  std::size_t max_connections = 100;
};

using SessionId = std::uint64_t;

struct TxWaitAwaiter;

// What a statement in a transaction an error aborted answers (kClosed):
// the session is still there, and ROLLBACK ends the transaction.
inline constexpr const char* kAbortedMessage =
    "current transaction is aborted, commands ignored until end of transaction block";

class Engine {
 public:
  Engine(sim::Simulator& sim, std::string name, PgConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  sim::Node& node() { return node_; }
  const PgConfig& config() const { return config_; }

  // Statements, run on the server's node.
  sim::Task<ports::Result<ports::Unit>> ensure_schema(ports::Schema schema);
  sim::Task<ports::Result<SessionId>> begin(ports::Isolation isolation);
  sim::Task<ports::Result<ports::Row>> insert(SessionId session, std::string table, ports::Row row);
  sim::Task<ports::Result<std::optional<ports::Row>>> insert_on_conflict(SessionId session, std::string table,
                                                                         ports::Row row, ports::OnConflict on_conflict);
  sim::Task<ports::Result<std::vector<ports::Row>>> query(SessionId session, std::string table, ports::Query query);
  sim::Task<ports::Result<std::vector<ports::Row>>> update(SessionId session, std::string table, ports::Where where,
                                                           ports::Assignments set);
  sim::Task<ports::Result<std::int64_t>> remove(SessionId session, std::string table, ports::Where where);
  sim::Task<ports::Result<std::int64_t>> nextval(SessionId session, std::string sequence);
  sim::Task<ports::Result<ports::Unit>> commit(SessionId session);
  sim::Task<ports::Result<ports::Unit>> rollback(SessionId session);

  // The client's end of a session went away (its process crashed, or it
  // dropped the transaction): the server learns `after` later and rolls back
  // once the session's running statement, if any, has ended.
  void connection_lost(SessionId session, sim::Duration after);

  // Faults: the server process crashes (every open transaction is rolled
  // back, every connection lost) and starts again; committed data stays.
  void crash();
  void start();
  void restart() {
    crash();
    start();
  }

  // Ground truth for checks and tests: the rows committed now, in
  // primary-key order, and the table's storage in bytes.
  std::vector<ports::Row> committed_rows(const std::string& table) const;
  struct Storage {
    std::int64_t live_bytes = 0;  // committed, not deleted versions
    std::int64_t dead_bytes = 0;  // versions awaiting vacuum (replaced, deleted, aborted)
    std::int64_t live_rows = 0;
  };
  Storage storage(const std::string& table) const;
  std::size_t open_sessions() const { return sessions_.size(); }
  bool has_table(const std::string& table) const { return tables_.count(table) != 0; }
  std::vector<std::string> table_names() const;
  // Its node, tables, sequences, transaction states, sessions, lock waits.
  void write_state(sim::StateWriter& out) const;

  // The world's servers share one MachineLoad; alone, a server has its own.
  void share_machine_load(MachineLoad& load) { load_ = &load; }

 private:
  friend struct TxWaitAwaiter;

  sim::Duration statement_time() {
    return load_->serve(sim_.now(), config_.statement_time, config_.statement_time_loaded, sim_.tape());
  }
  MachineLoad own_load_;
  MachineLoad* load_ = &own_load_;

  enum class TxState : std::uint8_t { kInProgress, kCommitted, kAborted };
  struct Snapshot {
    TxId xmax = 0;                   // transactions from here on are invisible
    std::vector<TxId> in_progress;   // sorted
  };
  struct Session {
    TxId tx = kNoTx;
    ports::Isolation isolation = ports::Isolation::kReadCommitted;
    std::optional<Snapshot> snapshot;  // REPEATABLE READ: the first statement's
    bool failed = false;               // an error aborted the transaction
    sim::ProcessId running;            // the statement being executed
  };
  enum class LockOutcome : std::uint8_t { kLocked, kGone, kSerialization, kDeadlock, kWouldWait };
  // What a row lock does when another transaction holds the row.
  enum class WaitPolicy : std::uint8_t { kWait, kDontWait /* SKIP LOCKED, NOWAIT: kWouldWait */ };
  struct Lock {
    LockOutcome outcome;
    std::uint32_t version;  // kLocked: the version now locked (may be newer)
  };
  struct Conflict {
    enum class Kind : std::uint8_t { kNone, kFound, kDeadlock } kind = Kind::kNone;
    std::size_t key = 0;
    std::uint32_t version = 0;
  };

  bool active(TxId tx) const { return tx != kNoTx && states_[tx] == TxState::kInProgress; }
  bool committed(TxId tx) const { return tx != kNoTx && states_[tx] == TxState::kCommitted; }
  bool aborted(TxId tx) const { return tx != kNoTx && states_[tx] == TxState::kAborted; }
  Snapshot take_snapshot() const;
  bool sees(const Snapshot& snapshot, TxId tx) const;
  bool visible(const Session& session, const Snapshot& snapshot, const Version& version) const;
  const Snapshot& statement_snapshot(Session& session);

  // What a statement runs on, or why it cannot run.
  struct Statement {
    Session* session = nullptr;  // null: the statement failed before it began
    Table* table = nullptr;
    ports::Status status = ports::Status::kOk;
    std::string failure;
    template <class T>
    ports::Result<T> failed() const {
      return ports::Result<T>::failure(status, failure);
    }
  };
  // The prologue of every statement: service time, then the session and, if
  // named, the table (a missing table aborts the transaction, as in PostgreSQL).
  sim::Task<Statement> enter(SessionId id, const std::string* table_name);
  // Aborts the session's transaction for an error (locks go at once); the
  // session refuses statements until ROLLBACK.
  void abort_for_error(Session& session, const std::string& message);
  template <class T>
  ports::Result<T> fail(Session& session, ports::Status status, std::string message);
  // The failure a lock outcome means, if it is one (deadlock, serialization).
  template <class T>
  std::optional<ports::Result<T>> lock_failed(Session& session, LockOutcome outcome);
  void end_transaction(TxId tx, TxState state);
  void wake_waiters(TxId tx);

  // Locks the row, following it to its newest version under READ COMMITTED
  // while that still matches `where` (and `ranges`, when given).
  sim::Task<Lock> lock_row(Session& session, Table& table, std::uint32_t version, const ResolvedWhere& where,
                           const ResolvedRanges* ranges = nullptr, WaitPolicy policy = WaitPolicy::kWait);
  sim::Task<Conflict> find_conflict(Session& session, Table& table, const std::vector<ports::Value>& values,
                                    std::optional<std::uint32_t> replacing);
  bool in_deadlock(TxId waiter) const;
  std::vector<std::uint32_t> visible_matches(Session& session, const Table& table, const ResolvedWhere& where);
  // SERIALIZABLE: what a statement read (the versions it met that its
  // snapshot does not show are conflicts out). True when the session must
  // fail with 40001.
  bool serializable_read(Session& session, const Table& table, const ResolvedWhere& where,
                         const ResolvedRanges* ranges, const std::vector<std::uint32_t>& returned);
  bool serialization_doomed(const Session& session) const { return ssi_.doomed(session.tx); }
  // SERIALIZABLE: version `index` replaced by `set` (nullptr: deleted) is a
  // write into what others read. True when the session must fail with 40001.
  bool serializable_write(Session& session, const Table& table, std::uint32_t index, const ResolvedWhere* set);
  void sort_by_primary_key(const Table& table, std::vector<std::uint32_t>& versions) const;
  Table* find_table(const std::string& name);
  std::uint32_t replace(Session& session, Table& table, std::uint32_t version, const ResolvedWhere& set);

  void trace(const std::string& kind, const std::string& detail);
  static void lost_connection_event(void* context, std::uint64_t session);
  sim::Task<void> reap(SessionId id, sim::ProcessId statement);
  void drop_session(SessionId id, const char* why);

  sim::Simulator& sim_;
  PgConfig config_;
  sim::Node node_;
  std::map<std::string, std::unique_ptr<Table>> tables_;
  std::map<std::string, std::int64_t> sequences_;
  std::vector<TxState> states_{TxState::kAborted};  // index 0: kNoTx
  std::set<TxId> active_txs_;
  std::map<SessionId, Session> sessions_;
  SessionId next_session_ = 1;
  std::map<TxId, std::vector<TxWaitAwaiter*>> waiters_;  // by the transaction waited for
  std::map<TxId, TxId> waiting_for_;                     // waits-for edges
  Ssi ssi_;
};

// Suspends a statement until transaction `holder` ends, or until the
// deadlock check finds the waiter in a cycle after deadlock_timeout.
struct TxWaitAwaiter {
  enum class Outcome : std::uint8_t { kEnded, kDeadlock };

  Engine& engine;
  TxId waiter;
  TxId holder;
  sim::Waiter wake;
  sim::EventId deadlock_check;
  Outcome outcome = Outcome::kEnded;
  bool registered = false;

  TxWaitAwaiter(Engine& e, TxId w, TxId h) : engine(e), waiter(w), holder(h) {}
  TxWaitAwaiter(const TxWaitAwaiter&) = delete;
  ~TxWaitAwaiter();
  bool await_ready() const { return !engine.active(holder); }
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h) {
    wake.bind(engine.sim_, h);
    engine.waiters_[holder].push_back(this);
    engine.waiting_for_[waiter] = holder;
    registered = true;
    deadlock_check = engine.sim_.schedule(engine.sim_.now() + engine.config_.deadlock_timeout,
                                          &TxWaitAwaiter::check_deadlock, this);
  }
  Outcome await_resume() const noexcept { return outcome; }

  void unregister();
  static void check_deadlock(void* context, std::uint64_t);
};

}  // namespace idemlab::models::postgres
