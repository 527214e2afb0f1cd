#include "realmode/pg_sql.h"

#include <pqxx/pqxx>

#include <cassert>
#include <map>

namespace idemlab::realmode {
namespace {

using ports::Result;
using ports::Status;
using ports::Unit;

// 'value' for a libpq conninfo string.
std::string conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string conninfo(const Endpoint& e) {
  // libpq counts connect_timeout for the whole startup, handshake included
  // (and takes less than 2 s as 2).
  std::string out = "host=" + conninfo_value(e.host) + " port=" + std::to_string(e.port) +
                    " connect_timeout=" + std::to_string(e.connect_timeout_s);
  if (!e.path.empty()) out += " dbname=" + conninfo_value(e.path);
  if (!e.user.empty()) out += " user=" + conninfo_value(e.user);
  if (!e.password.empty()) out += " password=" + conninfo_value(e.password);
  if (!e.application.empty()) out += " application_name=" + conninfo_value(e.application);
  return out;
}

Status status_of(const std::string& sqlstate) {
  if (sqlstate == "23505") return Status::kUniqueViolation;
  if (sqlstate == "40001") return Status::kSerializationFailure;
  if (sqlstate == "40P01") return Status::kDeadlock;
  if (sqlstate == "55P03") return Status::kLockNotAvailable;
  if (sqlstate == "25P02") return Status::kClosed;  // in a failed transaction
  return Status::kError;
}

ports::Row decode(const pqxx::row& row, const ports::TableSchema& table) {
  ports::Row out;
  for (const ports::Column& c : table.columns) {
    const pqxx::field f = row[c.name];
    if (f.is_null()) {
      out[c.name] = ports::Value();
    } else if (c.type == ports::ColumnType::kBigint) {
      out[c.name] = ports::Value(f.as<std::int64_t>());
    } else {
      out[c.name] = ports::Value(std::string(f.c_str(), f.size()));
    }
  }
  return out;
}

}  // namespace

struct PgConnection::Libpqxx {
  explicit Libpqxx(const std::string& info) : connection(info) {}
  pqxx::connection connection;
  // Statements with parameters run prepared, once parsed and planned per
  // connection (PostgreSQL re-plans them itself when a table they use
  // changes): the text -> the prepared statement's name. The texts are the
  // few a strategy's tables give; past kPreparedMax new ones run unprepared.
  std::map<std::string, std::string> prepared;
  static constexpr std::size_t kPreparedMax = 512;

  // The name `text` runs under, prepared now if need be; null: run it unprepared.
  const std::string* prepared_name(const std::string& text) {
    auto it = prepared.find(text);
    if (it != prepared.end()) return &it->second;
    if (prepared.size() >= kPreparedMax) return nullptr;
    std::string name = "idemlab_" + std::to_string(prepared.size());
    connection.prepare(name, text);
    return &prepared.emplace(text, std::move(name)).first->second;
  }
};

PgConnection::PgConnection(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

PgConnection::~PgConnection() = default;

void PgConnection::connect() {
  if (connection_ && connection_->connection.is_open()) return;
  connection_.reset();
  try {
    connection_ = std::make_unique<Libpqxx>(conninfo(endpoint_));
  } catch (const std::exception& e) {
    // libpq's message names host and port, never the password; keep its first line.
    std::string why = e.what();
    why = why.substr(0, why.find('\n'));
    throw Unreachable("PostgreSQL", endpoint_, why);
  }
}

void PgConnection::forget() { connection_.reset(); }

int PgConnection::backend_pid() const { return connection_ ? connection_->connection.backendpid() : 0; }

PgConnection::Outcome PgConnection::exec(const SqlText& sql, const ports::TableSchema* decode_as) {
  Outcome out;
  try {
    connect();
  } catch (const Unreachable& e) {
    out.status = Status::kUnavailable;
    out.message = e.what();
    return out;
  }
  std::vector<std::string> storage;
  storage.reserve(sql.params.size());
  std::vector<const char*> params;
  for (const ports::Value& v : sql.params) {
    if (std::holds_alternative<std::monostate>(v)) {
      params.push_back(nullptr);  // NULL
      continue;
    }
    storage.push_back(std::holds_alternative<std::int64_t>(v) ? std::to_string(std::get<std::int64_t>(v))
                                                              : std::get<std::string>(v));
    params.push_back(storage.back().c_str());
  }
  try {
    pqxx::nontransaction statement(connection_->connection);
    const std::string* name = sql.params.empty() ? nullptr : connection_->prepared_name(sql.text);
    const pqxx::result result = name != nullptr
                                    ? statement.exec_prepared(*name, pqxx::prepare::make_dynamic_params(params))
                                    : statement.exec_params(sql.text, pqxx::prepare::make_dynamic_params(params));
    out.affected = static_cast<std::int64_t>(result.affected_rows());
    if (decode_as != nullptr) {
      for (const pqxx::row& row : result) out.rows.push_back(decode(row, *decode_as));
    }
  } catch (const pqxx::broken_connection& e) {
    out.status = Status::kTimeout;  // sent, or maybe sent: the outcome is unknown
    out.message = e.what();
    connection_.reset();
  } catch (const pqxx::serialization_failure& e) {
    // libpqxx 6 raises 40001 and 40P01 as transaction_rollback, which is
    // not an sql_error.
    out.status = Status::kSerializationFailure;
    out.message = e.what();
  } catch (const pqxx::deadlock_detected& e) {
    out.status = Status::kDeadlock;
    out.message = e.what();
  } catch (const pqxx::sql_error& e) {
    out.status = status_of(e.sqlstate());
    out.message = e.what();
  } catch (const std::exception& e) {
    out.status = Status::kError;
    out.message = e.what();
  }
  // libpqxx reports some deaths of the connection as other errors ("Could
  // not obtain client encoding: not connected"): a closed connection is
  // opened afresh by the next statement rather than failing every one.
  if (out.status != Status::kOk && connection_ && !connection_->connection.is_open()) connection_.reset();
  return out;
}

// ---- the port -------------------------------------------------------------------

constexpr const char* kNoAnswer = "no answer within the statement timeout";

class RealTx final : public ports::Tx {
 public:
  RealTx(RealSql& sql, PgSession& session) : sql_(sql), session_(&session) {}
  ~RealTx() override {
    if (session_ == nullptr) return;
    // Neither committed nor rolled back: roll back. The session's worker runs
    // this before anything a later transaction gives it.
    PgSession* session = session_;
    // A session lost to a server restart has no transaction left to roll
    // back (and libpqxx 6 leaks a result on a dead connection).
    if (!session->lost) session->worker.submit([session] { session->connection.exec("ROLLBACK"); });
    sql_.give_back(session);
  }

  sim::Task<Result<ports::Row>> insert(std::string table, ports::Row row) override {
    SqlText sql = insert_text(sql_.schema(), table, row);
    const PgConnection::Outcome o = co_await run(std::move(sql), table);
    if (o.status != Status::kOk) co_return Result<ports::Row>::failure(o.status, o.message);
    co_return Result<ports::Row>::ok(o.rows.at(0));
  }
  sim::Task<Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                                  ports::OnConflict on_conflict) override {
    SqlText sql = insert_on_conflict_text(sql_.schema(), table, row, on_conflict);
    const PgConnection::Outcome o = co_await run(std::move(sql), table);
    if (o.status != Status::kOk) co_return Result<std::optional<ports::Row>>::failure(o.status, o.message);
    co_return Result<std::optional<ports::Row>>::ok(o.rows.empty() ? std::nullopt
                                                                   : std::optional<ports::Row>(o.rows.front()));
  }
  sim::Task<Result<std::vector<ports::Row>>> query(std::string table, ports::Query query) override {
    const ports::TableSchema* schema = sql_.table(table);
    assert(schema != nullptr && "select from a table ensure_schema did not make");
    SqlText sql = select_text(sql_.schema(), *schema, query);
    const PgConnection::Outcome o = co_await run(std::move(sql), table);
    if (o.status != Status::kOk) co_return Result<std::vector<ports::Row>>::failure(o.status, o.message);
    co_return Result<std::vector<ports::Row>>::ok(o.rows);
  }
  sim::Task<Result<std::vector<ports::Row>>> update(std::string table, ports::Where where, ports::Assignments set) override {
    SqlText sql = update_text(sql_.schema(), table, where, set);
    const PgConnection::Outcome o = co_await run(std::move(sql), table);
    if (o.status != Status::kOk) co_return Result<std::vector<ports::Row>>::failure(o.status, o.message);
    co_return Result<std::vector<ports::Row>>::ok(o.rows);
  }
  sim::Task<Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    SqlText sql = remove_text(sql_.schema(), table, where);
    const PgConnection::Outcome o = co_await run(std::move(sql), std::string());
    if (o.status != Status::kOk) co_return Result<std::int64_t>::failure(o.status, o.message);
    co_return Result<std::int64_t>::ok(o.affected);
  }
  sim::Task<Result<std::int64_t>> nextval(std::string sequence) override {
    ports::TableSchema value;  // one bigint column, "nextval"
    value.columns = {{"nextval", ports::ColumnType::kBigint, false}};
    SqlText sql = nextval_text(sql_.schema(), sequence);
    const PgConnection::Outcome o = co_await run(std::move(sql), std::string(), &value);
    if (o.status != Status::kOk) co_return Result<std::int64_t>::failure(o.status, o.message);
    co_return Result<std::int64_t>::ok(std::get<std::int64_t>(o.rows.at(0).at("nextval")));
  }
  sim::Task<Result<Unit>> commit() override {
    if (session_ == nullptr) co_return Result<Unit>::failure(Status::kClosed, "the transaction is over");
    const bool aborted = aborted_;
    SqlText sql;
    sql.text = aborted ? "ROLLBACK" : "COMMIT";
    const PgConnection::Outcome o = co_await run(std::move(sql), std::string());
    finish();
    if (aborted) co_return Result<Unit>::failure(Status::kClosed, "transaction was aborted: COMMIT rolled it back");
    if (o.status != Status::kOk) co_return Result<Unit>::failure(o.status, o.message);
    co_return Result<Unit>::ok({});
  }
  sim::Task<Result<Unit>> rollback() override {
    if (session_ == nullptr) co_return Result<Unit>::failure(Status::kClosed, "the transaction is over");
    SqlText sql;
    sql.text = "ROLLBACK";
    const PgConnection::Outcome o = co_await run(std::move(sql), std::string());
    finish();
    if (o.status != Status::kOk) co_return Result<Unit>::failure(o.status, o.message);
    co_return Result<Unit>::ok({});
  }

 private:
  // One statement on the transaction's session, its rows decoded as `table`'s.
  sim::Task<PgConnection::Outcome> run(SqlText sql, std::string table, const ports::TableSchema* decode_as = nullptr) {
    if (session_ == nullptr || session_->lost) {
      PgConnection::Outcome closed;
      closed.status = Status::kClosed;
      closed.message = session_ == nullptr ? "the transaction is over" : "connection lost: the server restarted";
      aborted_ = session_ != nullptr;
      co_return closed;
    }
    std::optional<ports::TableSchema> schema;
    if (decode_as != nullptr) {
      schema = *decode_as;
    } else if (const ports::TableSchema* known = sql_.table(table)) {
      schema = *known;
    }
    PgSession* session = session_;
    std::function<PgConnection::Outcome()> job = [session, sql = std::move(sql), schema = std::move(schema)] {
      session->running_pid = session->connection.backend_pid();
      PgConnection::Outcome o = session->connection.exec(sql, schema ? &*schema : nullptr);
      session->running_pid = 0;
      return o;
    };
    PgConnection::Outcome late;
    late.status = Status::kTimeout;
    late.message = kNoAnswer;
    PgConnection::Outcome o = co_await offload_within(sql_.loop_, session->worker, sql_.timeout_, late, std::move(job));
    if (o.status != Status::kOk) aborted_ = true;
    // The deadline answers with `late` itself (a broken connection is a
    // kTimeout too, with libpq's message).
    if (o.status == Status::kTimeout && o.message == kNoAnswer) give_up();
    co_return o;
  }

  // The caller's timeout ends the transaction, as the model's closes the
  // connection: the statement still waiting (on a lock, say) is cancelled,
  // the transaction rolled back, and every later call is kClosed.
  void give_up() {
    if (const int pid = session_->running_pid; pid != 0) sql_.cancel_backend(pid);
    PgSession* session = session_;
    session->worker.submit([session] { session->connection.exec("ROLLBACK"); });
    finish();
  }

  void finish() {
    if (session_ != nullptr) sql_.give_back(session_);
    session_ = nullptr;
  }

  RealSql& sql_;
  PgSession* session_;
  bool aborted_ = false;
};

RealSql::RealSql(RealTimeLoop& loop, Endpoint endpoint, std::string schema, sim::Duration timeout,
                 std::size_t sessions_max)
    : loop_(loop), endpoint_(std::move(endpoint)), schema_(std::move(schema)), sessions_max_(sessions_max),
      timeout_(timeout) {
  // A pool's connections are open before the traffic comes, as a service's
  // are: opening one costs a PostgreSQL backend's start (milliseconds),
  // which would otherwise land on whichever request first needs one more.
  // Each connects on its own worker, at once.
  for (std::size_t i = 0; i < std::min(kWarmSessions, sessions_max_); ++i) {
    sessions_.push_back(std::make_unique<PgSession>(endpoint_));
    PgConnection& connection = sessions_.back()->connection;
    sessions_.back()->worker.connect_ahead([&connection] { connection.connect(); });
  }
}

RealSql::~RealSql() = default;

const ports::TableSchema* RealSql::table(const std::string& name) const {
  const auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

PgSession* RealSql::take_session() {
  for (auto& session : sessions_) {
    if (!session->busy) {
      session->busy = true;
      return session.get();
    }
  }
  if (sessions_.size() >= sessions_max_) return nullptr;
  sessions_.push_back(std::make_unique<PgSession>(endpoint_));
  sessions_.back()->busy = true;
  return sessions_.back().get();
}

sim::Task<Result<Unit>> RealSql::ensure_schema(ports::Schema schema) {
  PgSession* session = take_session();
  if (session == nullptr) co_return Result<Unit>::failure(Status::kUnavailable, "every connection is in use");
  std::vector<std::string> statements{create_schema(schema_)};
  for (std::string& s : create_objects(schema_, schema)) statements.push_back(std::move(s));
  PgConnection* connection = &session->connection;
  std::function<PgConnection::Outcome()> job = [connection, statements = std::move(statements)] {
    PgConnection::Outcome last;
    for (const std::string& s : statements) {
      last = connection->exec(s);
      if (last.status != Status::kOk) break;
    }
    return last;
  };
  const PgConnection::Outcome o = co_await offload(loop_, session->worker, std::move(job));
  give_back(session);
  if (o.status != Status::kOk) co_return Result<Unit>::failure(o.status, o.message);
  for (const ports::TableSchema& t : schema.tables) tables_[t.name] = t;
  co_return Result<Unit>::ok({});
}

sim::Task<Result<std::unique_ptr<ports::Tx>>> RealSql::begin(ports::Isolation isolation) {
  PgSession* session = take_session();
  if (session == nullptr) {
    co_return Result<std::unique_ptr<ports::Tx>>::failure(Status::kUnavailable, "every connection is in use");
  }
  PgConnection* connection = &session->connection;
  std::function<PgConnection::Outcome()> job = [connection, text = begin_text(isolation)] {
    return connection->exec(text);
  };
  const PgConnection::Outcome o = co_await offload(loop_, session->worker, std::move(job));
  if (o.status != Status::kOk) {
    give_back(session);
    co_return Result<std::unique_ptr<ports::Tx>>::failure(o.status, o.message);
  }
  std::unique_ptr<ports::Tx> tx = std::make_unique<RealTx>(*this, *session);
  co_return Result<std::unique_ptr<ports::Tx>>::ok(std::move(tx));
}

void RealSql::check_reachable() {
  if (!reader_) reader_ = std::make_unique<PgConnection>(endpoint_);
  reader_->connect();
}

std::vector<std::string> RealSql::table_names() const {
  std::vector<std::string> names;
  for (const auto& [name, schema] : tables_) names.push_back(name);
  return names;
}

std::vector<ports::Row> RealSql::committed_rows(const std::string& name) {
  const ports::TableSchema* schema = table(name);
  assert(schema != nullptr && "rows of a table ensure_schema did not make");
  check_reachable();
  const PgConnection::Outcome o = reader_->exec(select_text(schema_, *schema, ports::Query{}), schema);
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "reading " + schema_ + "." + name + ": " + o.message);
  return o.rows;
}

void RealSql::server_restarted() {
  for (const std::unique_ptr<PgSession>& session : sessions_) {
    if (session->busy) {
      session->lost = true;
      continue;
    }
    PgConnection& connection = session->connection;
    session->worker.run_and_wait([&connection] { connection.forget(); });
  }
  if (reader_) reader_->forget();
}

void RealSql::give_back(PgSession* session) {
  session->busy = false;
  if (!session->lost) return;
  session->lost = false;
  PgConnection& connection = session->connection;
  session->worker.submit([&connection] { connection.forget(); });
}

void RealSql::cancel_backend(int pid) {
  // exec connects if need be and never throws: this runs inside a process.
  // A cancel that cannot be sent leaves the statement to end by itself.
  if (!reader_) reader_ = std::make_unique<PgConnection>(endpoint_);
  const PgConnection::Outcome o = reader_->exec("SELECT pg_cancel_backend(" + std::to_string(pid) + ")");
  (void)o;
}

void RealSql::drop_everything() {
  PgConnection connection(endpoint_);
  connection.connect();
  const PgConnection::Outcome o = connection.exec(drop_schema(schema_));
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "DROP SCHEMA " + schema_ + ": " + o.message);
}

}  // namespace idemlab::realmode
