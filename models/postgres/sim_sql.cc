#include "models/postgres/sim_sql.h"

#include "models/net/port_call.h"

namespace idemlab::models::postgres {

using ports::Result;
using ports::Row;
using ports::Status;
using ports::Unit;
using sim::Task;

// Statements and their names are bound to variables before each co_await:
// g++ 12 may destroy class-type temporaries in a co_await expression twice.
// A statement's closure captures the engine and the session, never the SimTx:
// it runs on the server after a network delay, when the SimTx (and the
// process that held it) may be gone.

Task<Result<Unit>> SimSql::ensure_schema(ports::Schema schema) {
  std::function<Task<Result<Unit>>()> statement = [engine = &engine_, schema = std::move(schema)] { return engine->ensure_schema(schema); };
  std::string what = call_name(client_, "pg CREATE ... IF NOT EXISTS");
  co_return co_await call_port(net_, client_, engine_.node(), std::move(what), timeout_, std::move(statement));
}

Task<Result<std::unique_ptr<ports::Tx>>> SimSql::begin(ports::Isolation isolation) {
  std::function<Task<Result<SessionId>>()> statement = [engine = &engine_, isolation] { return engine->begin(isolation); };
  std::string what = call_name(client_, "pg BEGIN");
  Result<SessionId> session =
      co_await call_port(net_, client_, engine_.node(), std::move(what), timeout_, std::move(statement));
  if (!session.is_ok()) {
    co_return Result<std::unique_ptr<ports::Tx>>::failure(session.status(), session.message());
  }
  std::unique_ptr<ports::Tx> tx = std::make_unique<SimTx>(net_, client_, engine_, timeout_, session.value());
  co_return Result<std::unique_ptr<ports::Tx>>::ok(std::move(tx));
}

SimTx::~SimTx() {
  if (!finished_) close_connection();
}

void SimTx::close_connection() {
  finished_ = true;
  engine_.connection_lost(session_, net_.config(client_, engine_.node()).latency.sample(engine_.node().sim().tape()));
}

template <class T>
Task<Result<T>> SimTx::send(std::string what, std::function<Task<Result<T>>()> statement) {
  if (finished_) co_return Result<T>::failure(Status::kClosed, "the transaction is over");
  Result<T> result = co_await call_port(net_, client_, engine_.node(), std::move(what), timeout_, std::move(statement));
  if (result.status() == Status::kTimeout || result.status() == Status::kUnavailable) close_connection();
  // Closed for good, unless only the transaction is aborted: its ROLLBACK
  // still goes to the server, as on PostgreSQL.
  if (result.status() == Status::kClosed && result.message() != kAbortedMessage) finished_ = true;
  co_return result;
}

Task<Result<Row>> SimTx::insert(std::string table, Row row) {
  std::function<Task<Result<Row>>()> statement = [engine = &engine_, session = session_, table, row] { return engine->insert(session, table, row); };
  std::string what = call_name(client_, "pg INSERT ", table);
  co_return co_await send<Row>(std::move(what), std::move(statement));
}

Task<Result<std::optional<Row>>> SimTx::insert_on_conflict(std::string table, Row row, ports::OnConflict on_conflict) {
  std::function<Task<Result<std::optional<Row>>>()> statement = [engine = &engine_, session = session_, table, row, on_conflict] {
    return engine->insert_on_conflict(session, table, row, on_conflict);
  };
  std::string what = call_name(client_, "pg INSERT ON CONFLICT ", table);
  co_return co_await send<std::optional<Row>>(std::move(what), std::move(statement));
}

Task<Result<std::vector<Row>>> SimTx::query(std::string table, ports::Query query) {
  std::function<Task<Result<std::vector<Row>>>()> statement = [engine = &engine_, session = session_, table, query] {
    return engine->query(session, table, query);
  };
  std::string what = call_name(client_, "pg SELECT ", table);
  co_return co_await send<std::vector<Row>>(std::move(what), std::move(statement));
}

Task<Result<std::vector<Row>>> SimTx::update(std::string table, ports::Where where, ports::Assignments set) {
  std::function<Task<Result<std::vector<Row>>>()> statement = [engine = &engine_, session = session_, table, where, set] {
    return engine->update(session, table, where, set);
  };
  std::string what = call_name(client_, "pg UPDATE ", table);
  co_return co_await send<std::vector<Row>>(std::move(what), std::move(statement));
}

Task<Result<std::int64_t>> SimTx::remove(std::string table, ports::Where where) {
  std::function<Task<Result<std::int64_t>>()> statement = [engine = &engine_, session = session_, table, where] {
    return engine->remove(session, table, where);
  };
  std::string what = call_name(client_, "pg DELETE ", table);
  co_return co_await send<std::int64_t>(std::move(what), std::move(statement));
}

Task<Result<std::int64_t>> SimTx::nextval(std::string sequence) {
  std::function<Task<Result<std::int64_t>>()> statement = [engine = &engine_, session = session_, sequence] { return engine->nextval(session, sequence); };
  std::string what = call_name(client_, "pg nextval ", sequence);
  co_return co_await send<std::int64_t>(std::move(what), std::move(statement));
}

Task<Result<Unit>> SimTx::commit() {
  std::function<Task<Result<Unit>>()> statement = [engine = &engine_, session = session_] { return engine->commit(session); };
  std::string what = call_name(client_, "pg COMMIT");
  Result<Unit> result = co_await send<Unit>(std::move(what), std::move(statement));
  finished_ = true;
  co_return result;
}

Task<Result<Unit>> SimTx::rollback() {
  std::function<Task<Result<Unit>>()> statement = [engine = &engine_, session = session_] { return engine->rollback(session); };
  std::string what = call_name(client_, "pg ROLLBACK");
  Result<Unit> result = co_await send<Unit>(std::move(what), std::move(statement));
  finished_ = true;
  co_return result;
}

}  // namespace idemlab::models::postgres
