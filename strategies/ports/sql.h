// Sql port: the PostgreSQL the strategies use, as typed statements over
// tables rather than SQL text, so that the simulator can model exactly these
// statements and real mode can render each as one parameterised query.
//
//   insert             INSERT ... RETURNING *
//   insert_on_conflict INSERT ... ON CONFLICT (cols) DO NOTHING | DO UPDATE SET ... RETURNING *
//   query              SELECT * ... WHERE ... ORDER BY ... LIMIT n
//                      [FOR UPDATE [SKIP LOCKED | NOWAIT]]
//   select             the same, with equalities only, in primary-key order
//   update             UPDATE ... SET ... WHERE ... RETURNING *
//   remove             DELETE ... WHERE ...
//   nextval            SELECT nextval(seq): handed out at once, never rolled back
//
// A Where is a conjunction of column = value; a null value means IS NULL. A
// Query adds ranges (column < value ...: a NULL never matches, as in SQL),
// an order and a limit. Text compares and sorts byte by byte (COLLATE "C"
// on live PostgreSQL, so that the model and the server agree); NULLs sort
// after every value ascending, and before descending, as PostgreSQL's
// default; rows that tie sort by their primary key.
// After any error inside a transaction the transaction is aborted (its locks
// are gone); later statements fail with kClosed until it is rolled back, as
// in PostgreSQL. Destroying a Tx that was neither committed nor rolled back
// rolls it back (the connection goes back, or is lost with the process).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/task.h"
#include "strategies/ports/result.h"

namespace idemlab::ports {

enum class Isolation : std::uint8_t { kReadCommitted, kRepeatableRead, kSerializable };
const char* isolation_name(Isolation isolation);

// NULL, bigint, or text (JSON columns hold their text).
using Value = std::variant<std::monostate, std::int64_t, std::string>;
using Row = std::map<std::string, Value>;
using Where = std::map<std::string, Value>;
using Assignments = std::map<std::string, Value>;

std::string value_text(const Value& value);  // NULL, 42, 'text'
std::string row_text(const Row& row);        // {a=1, b='x'}

enum class ColumnType : std::uint8_t { kBigint, kText, kJson };

struct Column {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool nullable = false;
};

struct TableSchema {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;  // besides the primary key
};

struct Schema {
  std::vector<TableSchema> tables;
  std::vector<std::string> sequences;
};

struct OnConflict {
  enum class Action : std::uint8_t { kDoNothing, kDoUpdate };
  std::vector<std::string> columns;  // the conflict target: a unique key
  Action action = Action::kDoNothing;
  Assignments set;                   // kDoUpdate: SET col = value ...
  // kDoUpdate: DO UPDATE ... WHERE col = value ...: the conflicting row is
  // updated only if its latest version matches (then the upsert answers
  // nullopt, as DO NOTHING does); it is locked either way.
  Where where;
};

enum class RowLock : std::uint8_t {
  kNone,
  kForUpdate,            // waits for a row another transaction holds
  kForUpdateSkipLocked,  // passes over it, as outbox relays and job queues do
  kForUpdateNowait,      // fails with kLockNotAvailable (55P03) instead of waiting
};

// column <op> value, beside a Where's equalities.
struct Range {
  enum class Op : std::uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual, kNotEqual };
  std::string column;
  Op op = Op::kLess;
  Value value;
};

// " < ", " <> "...: the operator as SQL writes it, with its spaces.
const char* range_operator_text(Range::Op op);

struct OrderBy {
  std::string column;
  bool descending = false;
};

struct Query {
  Where where;
  std::vector<Range> ranges;
  std::vector<OrderBy> order;  // then the primary key; empty: the primary key alone
  std::int64_t limit = -1;     // -1: every row; LIMIT counts rows returned, after locking
  RowLock lock = RowLock::kNone;
};

class Tx {
 public:
  virtual ~Tx() = default;

  virtual sim::Task<Result<Row>> insert(std::string table, Row row) = 0;
  // nullopt: DO NOTHING skipped the row.
  virtual sim::Task<Result<std::optional<Row>>> insert_on_conflict(std::string table, Row row,
                                                                   OnConflict on_conflict) = 0;
  virtual sim::Task<Result<std::vector<Row>>> query(std::string table, Query query) = 0;
  sim::Task<Result<std::vector<Row>>> select(std::string table, Where where, RowLock lock) {
    Query q;
    q.where = std::move(where);
    q.lock = lock;
    return query(std::move(table), std::move(q));
  }
  virtual sim::Task<Result<std::vector<Row>>> update(std::string table, Where where, Assignments set) = 0;
  virtual sim::Task<Result<std::int64_t>> remove(std::string table, Where where) = 0;
  virtual sim::Task<Result<std::int64_t>> nextval(std::string sequence) = 0;
  // kTimeout on commit: the transaction may or may not have committed.
  virtual sim::Task<Result<Unit>> commit() = 0;
  virtual sim::Task<Result<Unit>> rollback() = 0;
};

class Sql {
 public:
  virtual ~Sql() = default;
  // Creates what is missing of `schema` (CREATE ... IF NOT EXISTS).
  virtual sim::Task<Result<Unit>> ensure_schema(Schema schema) = 0;
  virtual sim::Task<Result<std::unique_ptr<Tx>>> begin(Isolation isolation) = 0;
};

}  // namespace idemlab::ports
