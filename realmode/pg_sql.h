// The Sql port over a live PostgreSQL (libpqxx, blocking, each connection on
// its own worker thread). Everything lives in a schema of the run's own,
// dropped afterwards. A transaction holds one pooled connection from BEGIN to
// COMMIT or ROLLBACK, so that concurrent requests have concurrent
// transactions, as they would with a connection pool.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "realmode/endpoint.h"
#include "realmode/real_time_loop.h"
#include "realmode/sql_text.h"
#include "strategies/ports/sql.h"

namespace idemlab::realmode {

// One libpqxx connection. Not thread-safe: used from one worker thread.
class PgConnection {
 public:
  struct Outcome {
    ports::Status status = ports::Status::kOk;
    std::string message;
    std::vector<ports::Row> rows;  // decoded by the table's column types
    std::int64_t affected = 0;
  };

  explicit PgConnection(Endpoint endpoint);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects if not connected. Throws Unreachable.
  void connect();
  // Runs one statement. kUnavailable: not connected, nothing sent; kTimeout:
  // the connection broke with the statement sent (its outcome is unknown);
  // SQLSTATE 23505, 40001, 40P01 map to their statuses, 25P02 to kClosed.
  Outcome exec(const SqlText& sql, const ports::TableSchema* decode_as = nullptr);
  Outcome exec(const std::string& text) { return exec(SqlText{text, {}}); }
  // The server process serving this connection (for pg_blocking_pids).
  int backend_pid() const;
  // Drops the connection (the server restarted: it is dead, and libpq would
  // only find out by failing the next statement); the next one reconnects.
  void forget();
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Libpqxx;  // the pqxx::connection, kept out of this header
  Endpoint endpoint_;
  std::unique_ptr<Libpqxx> connection_;
};

// A connection and the thread that owns it.
struct PgSession {
  explicit PgSession(const Endpoint& endpoint) : connection(endpoint) {}
  PgConnection connection;
  WorkerThread worker;
  bool busy = false;  // held by a transaction (loop thread only)
  bool lost = false;  // the server restarted while a transaction held it
  std::atomic<int> running_pid = 0;  // the server process of the statement running (set by the worker)
};

class RealSql final : public ports::Sql {
 public:
  // `schema`: the run's own PostgreSQL schema. A statement not answered
  // within `timeout` is kTimeout for its caller and ends its transaction, as
  // the model's port call does by closing the connection: the statement is
  // cancelled (pg_cancel_backend) and rolled back. At most `sessions_max`
  // transactions at once; one more fails kUnavailable at once ("every
  // connection is in use"), so a caller keeps its concurrency within the
  // pool (idemlab serve's --workers).
  RealSql(RealTimeLoop& loop, Endpoint endpoint, std::string schema, sim::Duration timeout,
          std::size_t sessions_max = kSessionsDefault);
  static constexpr std::size_t kSessionsDefault = 16;
  ~RealSql() override;

  sim::Task<ports::Result<ports::Unit>> ensure_schema(ports::Schema schema) override;
  sim::Task<ports::Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override;

  // Ground truth, on a connection of its own. Blocking; call from the loop's
  // thread between events. Throws Unreachable.
  void check_reachable();
  std::vector<std::string> table_names() const;
  bool has_table(const std::string& name) const { return tables_.count(name) != 0; }
  // The table's committed rows, in primary-key order.
  std::vector<ports::Row> committed_rows(const std::string& table);

  // After a server restart: the connections no transaction holds reconnect
  // before their next statement, as a pool that validates its connections
  // would; a transaction holding one finds its session gone (kClosed, as in
  // the model), and its connection reconnects once it is given back.
  void server_restarted();

  // Drops the run's schema and everything in it. Blocking; call when the
  // loop is idle. Throws Unreachable.
  void drop_everything();
  const std::string& schema() const { return schema_; }

 private:
  friend class RealTx;
  PgSession* take_session();
  void give_back(PgSession* session);
  // Asks the server to cancel what its process `pid` is running. Blocking,
  // from the loop's thread; never throws.
  void cancel_backend(int pid);
  const ports::TableSchema* table(const std::string& name) const;

  RealTimeLoop& loop_;
  Endpoint endpoint_;
  std::string schema_;
  static constexpr std::size_t kWarmSessions = 8;
  std::size_t sessions_max_;
  sim::Duration timeout_;
  std::vector<std::unique_ptr<PgSession>> sessions_;
  std::map<std::string, ports::TableSchema> tables_;  // what ensure_schema made
  std::unique_ptr<PgConnection> reader_;
};

}  // namespace idemlab::realmode
