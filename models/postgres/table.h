// One PostgreSQL table of the model: every row version ever written (MVCC),
// with the transaction that created it (xmin), the one that deleted or
// replaced it (xmax), a row lock (FOR UPDATE) and the link to its newer
// version (the ctid chain that READ COMMITTED follows after a concurrent
// update). Which versions a transaction sees is decided by the engine; the
// table only stores, indexes and converts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "strategies/ports/sql.h"

namespace idemlab::models::postgres {

using TxId = std::uint32_t;  // 4 billion transactions a world is plenty
constexpr TxId kNoTx = 0;

struct Version {
  std::vector<ports::Value> values;  // in schema column order
  TxId xmin = kNoTx;
  TxId xmax = kNoTx;       // deleted or replaced by this transaction
  TxId locked_by = kNoTx;  // FOR UPDATE (or about to update) by this transaction
  std::int32_t next = -1;  // index of the version that replaced it
};

// A value as state bytes (its type, then its content).
void write_value(sim::StateWriter& out, const ports::Value& v);

// A Where resolved to column positions.
using ResolvedWhere = std::vector<std::pair<std::size_t, ports::Value>>;

// A Query's ranges and order, resolved to column positions.
struct ResolvedRange {
  std::size_t column;
  ports::Range::Op op;
  ports::Value value;
  bool operator==(const ResolvedRange&) const = default;
};
using ResolvedRanges = std::vector<ResolvedRange>;
using ResolvedOrder = std::vector<std::pair<std::size_t, bool>>;  // (column, descending)

// SQL's order of two values of one column: numbers by value, text byte by
// byte (COLLATE "C"), NULL after every value. <0, 0 or >0.
int compare_values(const ports::Value& a, const ports::Value& b);

class Table {
 public:
  // REQUIRES: a valid schema (see validate_schema).
  explicit Table(ports::TableSchema schema);

  const ports::TableSchema& schema() const { return schema_; }
  const std::string& name() const { return schema_.name; }

  // Converts a port row to values in column order; an error message when a
  // column is unknown, a value has the wrong type, or NOT NULL is violated.
  std::optional<std::string> to_values(const ports::Row& row, std::vector<ports::Value>& out) const;
  ports::Row to_row(const std::vector<ports::Value>& values) const;
  // Resolves column names; an error message when one is unknown or the
  // value's type does not fit the column.
  std::optional<std::string> resolve(const std::map<std::string, ports::Value>& where, ResolvedWhere& out) const;
  static bool matches(const std::vector<ports::Value>& values, const ResolvedWhere& where);
  // The same for a Query's ranges and order; a NULL value in a range is
  // refused (it would match nothing: a bug of the caller's).
  std::optional<std::string> resolve(const std::vector<ports::Range>& ranges, ResolvedRanges& out) const;
  std::optional<std::string> resolve(const std::vector<ports::OrderBy>& order, ResolvedOrder& out) const;
  // NULL never satisfies a comparison, as in SQL.
  static bool in_ranges(const std::vector<ports::Value>& values, const ResolvedRanges& ranges);
  static void assign(std::vector<ports::Value>& values, const ResolvedWhere& set);

  // Unique keys: 0 is the primary key, then schema().unique_keys in order.
  std::size_t unique_key_count() const { return unique_columns_.size(); }
  const std::vector<std::size_t>& unique_key_columns(std::size_t key) const { return unique_columns_[key]; }
  std::string unique_key_name(std::size_t key) const;
  // Which unique key `columns` names (as an ON CONFLICT target), if any.
  std::optional<std::size_t> find_unique_key(const std::vector<std::string>& columns) const;
  // Encoded key of `values` under unique key `key`; nullopt when a column is
  // NULL (NULLs never conflict). Encodings sort like the values.
  std::optional<std::string> encode_key(std::size_t key, const std::vector<ports::Value>& values) const;
  bool key_has_null(std::size_t key, const std::vector<ports::Value>& values) const;
  // The versions whose unique key `key` equals that of `values`, in
  // insertion order. REQUIRES: no NULL in the key columns of `values`.
  std::vector<std::uint32_t> versions_with_key(std::size_t key, const std::vector<ports::Value>& values) const;

  // Candidate versions for `where`: an index lookup when it pins a unique
  // key, else every version. In insertion order.
  std::vector<std::uint32_t> candidates(const ResolvedWhere& where) const;

  std::uint32_t append(Version version);
  Version& version(std::uint32_t index) { return versions_[index]; }
  const Version& version(std::uint32_t index) const { return versions_[index]; }
  std::size_t version_count() const { return versions_.size(); }
  // Every version (values, xmin, xmax, lock, successor); the indexes are
  // derived from them.
  void write_state(sim::StateWriter& out) const;

  // Bytes a version takes on disk: 24-byte tuple header, 8 per bigint, text
  // with a 1-byte (short) or 4-byte length header, padded to 8.
  static std::int64_t version_bytes(const Version& version);

 private:
  ports::TableSchema schema_;
  std::map<std::string, std::size_t> column_index_;
  // The hash of encode_key's text, computed without it; nullopt for a NULL.
  std::optional<std::uint64_t> key_hash(std::size_t key, const std::vector<ports::Value>& values) const;
  bool same_key(std::size_t key, const std::vector<ports::Value>& a, const std::vector<ports::Value>& b) const;

  std::vector<std::vector<std::size_t>> unique_columns_;
  // Unique key hash -> version, per unique key: 48 bytes an entry, and the
  // hash is checked against the values, so collisions cost a comparison.
  std::vector<std::multimap<std::uint64_t, std::uint32_t>> unique_index_;
  std::vector<Version> versions_;
};

// An error message when the schema is unusable (no columns, unknown or
// duplicate column names, no primary key).
std::optional<std::string> validate_schema(const ports::TableSchema& schema);

}  // namespace idemlab::models::postgres
