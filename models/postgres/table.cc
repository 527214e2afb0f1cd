#include "models/postgres/table.h"

#include "sim/state_writer.h"
#include <algorithm>
#include <cassert>
#include <set>
#include <string_view>

#include "sim/hash.h"

namespace idemlab::models::postgres {
namespace {

bool fits(const ports::Column& column, const ports::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return true;  // NOT NULL checked apart
  if (column.type == ports::ColumnType::kBigint) return std::holds_alternative<std::int64_t>(value);
  return std::holds_alternative<std::string>(value);
}

const char* type_name(ports::ColumnType type) {
  switch (type) {
    case ports::ColumnType::kBigint: return "bigint";
    case ports::ColumnType::kText: return "text";
    case ports::ColumnType::kJson: return "jsonb";
  }
  return "?";
}

// The bytes of a value's encoding, in pieces, to `emit` (a string to append
// them to, or a hash to fold them into).
template <class Emit>
void emit_value(const ports::Value& value, Emit&& emit) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    // Big-endian with the sign bit flipped: byte order is numeric order.
    const auto bits = static_cast<std::uint64_t>(*number) ^ (std::uint64_t{1} << 63);
    char bytes[9] = {'i'};
    for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>((bits >> (56 - 8 * i)) & 0xff);
    emit(std::string_view(bytes, sizeof bytes));
    return;
  }
  const std::string_view text = std::get<std::string>(value);
  emit(std::string_view("s", 1));
  // Escape NUL so that the terminator sorts first: "a" < "ab".
  for (std::size_t from = 0;;) {
    const std::size_t nul = text.find('\0', from);
    emit(text.substr(from, nul == std::string_view::npos ? std::string_view::npos : nul - from));
    if (nul == std::string_view::npos) break;
    emit(std::string_view("\0\xff", 2));
    from = nul + 1;
  }
  emit(std::string_view("\0\0", 2));
}

void encode_value(std::string& out, const ports::Value& value) {
  emit_value(value, [&](std::string_view bytes) { out += bytes; });
}

// The FNV-1a hash of what encode_value appends, without appending it.
std::uint64_t hash_value(std::uint64_t hash, const ports::Value& value) {
  emit_value(value, [&](std::string_view bytes) { hash = sim::fnv1a(bytes, hash); });
  return hash;
}

}  // namespace

std::optional<std::string> validate_schema(const ports::TableSchema& schema) {
  if (schema.name.empty()) return "table without a name";
  if (schema.columns.empty()) return "table " + schema.name + " has no columns";
  std::set<std::string> names;
  for (const auto& column : schema.columns) {
    if (!names.insert(column.name).second) return "table " + schema.name + ": duplicate column " + column.name;
  }
  if (schema.primary_key.empty()) return "table " + schema.name + " has no primary key";
  auto check_key = [&](const std::vector<std::string>& key) -> std::optional<std::string> {
    for (const auto& column : key) {
      if (!names.count(column)) return "table " + schema.name + ": key names unknown column " + column;
    }
    return std::nullopt;
  };
  if (auto problem = check_key(schema.primary_key)) return problem;
  for (const auto& key : schema.unique_keys) {
    if (key.empty()) return "table " + schema.name + ": empty unique key";
    if (auto problem = check_key(key)) return problem;
  }
  return std::nullopt;
}

Table::Table(ports::TableSchema schema) : schema_(std::move(schema)) {
  assert(!validate_schema(schema_).has_value());
  for (std::size_t i = 0; i < schema_.columns.size(); ++i) column_index_[schema_.columns[i].name] = i;
  auto positions = [&](const std::vector<std::string>& key) {
    std::vector<std::size_t> out;
    for (const auto& column : key) out.push_back(column_index_.at(column));
    return out;
  };
  unique_columns_.push_back(positions(schema_.primary_key));
  for (const auto& key : schema_.unique_keys) unique_columns_.push_back(positions(key));
  unique_index_.resize(unique_columns_.size());
}

std::optional<std::string> Table::to_values(const ports::Row& row, std::vector<ports::Value>& out) const {
  out.assign(schema_.columns.size(), ports::Value{});
  for (const auto& [name, value] : row) {
    auto it = column_index_.find(name);
    if (it == column_index_.end()) return "column \"" + name + "\" of relation \"" + schema_.name + "\" does not exist";
    const ports::Column& column = schema_.columns[it->second];
    if (!fits(column, value)) return "column \"" + name + "\" is of type " + type_name(column.type);
    out[it->second] = value;
  }
  for (std::size_t i = 0; i < schema_.columns.size(); ++i) {
    const bool primary = std::find(unique_columns_[0].begin(), unique_columns_[0].end(), i) != unique_columns_[0].end();
    if (std::holds_alternative<std::monostate>(out[i]) && (!schema_.columns[i].nullable || primary)) {
      return "null value in column \"" + schema_.columns[i].name + "\" of relation \"" + schema_.name +
             "\" violates not-null constraint";
    }
  }
  return std::nullopt;
}

ports::Row Table::to_row(const std::vector<ports::Value>& values) const {
  ports::Row row;
  for (std::size_t i = 0; i < schema_.columns.size(); ++i) row.emplace(schema_.columns[i].name, values[i]);
  return row;
}

std::optional<std::string> Table::resolve(const std::map<std::string, ports::Value>& where, ResolvedWhere& out) const {
  out.clear();
  for (const auto& [name, value] : where) {
    auto it = column_index_.find(name);
    if (it == column_index_.end()) return "column \"" + name + "\" does not exist";
    const ports::Column& column = schema_.columns[it->second];
    if (!fits(column, value)) return "column \"" + name + "\" is of type " + type_name(column.type);
    out.emplace_back(it->second, value);
  }
  return std::nullopt;
}

int compare_values(const ports::Value& a, const ports::Value& b) {
  const bool a_null = std::holds_alternative<std::monostate>(a);
  const bool b_null = std::holds_alternative<std::monostate>(b);
  if (a_null || b_null) return static_cast<int>(a_null) - static_cast<int>(b_null);
  if (const auto* x = std::get_if<std::int64_t>(&a)) {
    const std::int64_t y = std::get<std::int64_t>(b);
    return *x < y ? -1 : (*x > y ? 1 : 0);
  }
  return std::get<std::string>(a).compare(std::get<std::string>(b));  // char_traits<char>: unsigned bytes
}

std::optional<std::string> Table::resolve(const std::vector<ports::Range>& ranges, ResolvedRanges& out) const {
  out.clear();
  for (const ports::Range& range : ranges) {
    auto it = column_index_.find(range.column);
    if (it == column_index_.end()) return "column \"" + range.column + "\" does not exist";
    const ports::Column& column = schema_.columns[it->second];
    if (std::holds_alternative<std::monostate>(range.value)) return "a comparison with NULL on \"" + range.column + "\" matches no row";
    if (!fits(column, range.value)) return "column \"" + range.column + "\" is of type " + type_name(column.type);
    out.push_back({it->second, range.op, range.value});
  }
  return std::nullopt;
}

std::optional<std::string> Table::resolve(const std::vector<ports::OrderBy>& order, ResolvedOrder& out) const {
  out.clear();
  for (const ports::OrderBy& o : order) {
    auto it = column_index_.find(o.column);
    if (it == column_index_.end()) return "column \"" + o.column + "\" does not exist";
    out.emplace_back(it->second, o.descending);
  }
  return std::nullopt;
}

bool Table::in_ranges(const std::vector<ports::Value>& values, const ResolvedRanges& ranges) {
  for (const ResolvedRange& r : ranges) {
    if (std::holds_alternative<std::monostate>(values[r.column])) return false;
    const int c = compare_values(values[r.column], r.value);
    switch (r.op) {
      case ports::Range::Op::kLess: if (!(c < 0)) return false; break;
      case ports::Range::Op::kLessEqual: if (!(c <= 0)) return false; break;
      case ports::Range::Op::kGreater: if (!(c > 0)) return false; break;
      case ports::Range::Op::kGreaterEqual: if (!(c >= 0)) return false; break;
      case ports::Range::Op::kNotEqual: if (c == 0) return false; break;
    }
  }
  return true;
}

bool Table::matches(const std::vector<ports::Value>& values, const ResolvedWhere& where) {
  for (const auto& [column, value] : where) {
    if (values[column] != value) return false;  // a null in Where means IS NULL
  }
  return true;
}

void Table::assign(std::vector<ports::Value>& values, const ResolvedWhere& set) {
  for (const auto& [column, value] : set) values[column] = value;
}

std::string Table::unique_key_name(std::size_t key) const {
  if (key == 0) return schema_.name + "_pkey";
  std::string name = schema_.name;
  for (std::size_t column : unique_columns_[key]) name += "_" + schema_.columns[column].name;
  return name + "_key";
}

std::optional<std::size_t> Table::find_unique_key(const std::vector<std::string>& columns) const {
  std::vector<std::size_t> wanted;
  for (const auto& column : columns) {
    auto it = column_index_.find(column);
    if (it == column_index_.end()) return std::nullopt;
    wanted.push_back(it->second);
  }
  std::sort(wanted.begin(), wanted.end());
  for (std::size_t key = 0; key < unique_columns_.size(); ++key) {
    std::vector<std::size_t> have = unique_columns_[key];
    std::sort(have.begin(), have.end());
    if (have == wanted) return key;
  }
  return std::nullopt;
}

std::optional<std::string> Table::encode_key(std::size_t key, const std::vector<ports::Value>& values) const {
  if (key_has_null(key, values)) return std::nullopt;
  std::string encoded;
  for (std::size_t column : unique_columns_[key]) encode_value(encoded, values[column]);
  return encoded;
}

std::optional<std::uint64_t> Table::key_hash(std::size_t key, const std::vector<ports::Value>& values) const {
  if (key_has_null(key, values)) return std::nullopt;
  std::uint64_t hash = sim::kFnvOffsetBasis;
  for (std::size_t column : unique_columns_[key]) hash = hash_value(hash, values[column]);
  return hash;
}

bool Table::key_has_null(std::size_t key, const std::vector<ports::Value>& values) const {
  for (std::size_t column : unique_columns_[key]) {
    if (std::holds_alternative<std::monostate>(values[column])) return true;
  }
  return false;
}

bool Table::same_key(std::size_t key, const std::vector<ports::Value>& a, const std::vector<ports::Value>& b) const {
  for (std::size_t column : unique_columns_[key]) {
    if (a[column] != b[column]) return false;
  }
  return true;
}

std::vector<std::uint32_t> Table::versions_with_key(std::size_t key, const std::vector<ports::Value>& values) const {
  std::vector<std::uint32_t> out;
  const std::optional<std::uint64_t> hash = key_hash(key, values);
  assert(hash.has_value());
  const auto [first, last] = unique_index_[key].equal_range(*hash);
  for (auto it = first; it != last; ++it) {
    if (same_key(key, versions_[it->second].values, values)) out.push_back(it->second);
  }
  return out;  // multimap keeps equal keys in insertion order
}

std::vector<std::uint32_t> Table::candidates(const ResolvedWhere& where) const {
  for (std::size_t key = 0; key < unique_columns_.size(); ++key) {
    std::vector<ports::Value> probe(schema_.columns.size());
    bool pinned = true;
    for (std::size_t column : unique_columns_[key]) {
      auto it = std::find_if(where.begin(), where.end(), [&](const auto& term) { return term.first == column; });
      if (it == where.end() || std::holds_alternative<std::monostate>(it->second)) {
        pinned = false;
        break;
      }
      probe[column] = it->second;
    }
    if (pinned) return versions_with_key(key, probe);
  }
  std::vector<std::uint32_t> all(versions_.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

std::uint32_t Table::append(Version version) {
  const auto index = static_cast<std::uint32_t>(versions_.size());
  for (std::size_t key = 0; key < unique_columns_.size(); ++key) {
    if (auto hash = key_hash(key, version.values)) unique_index_[key].emplace(*hash, index);
  }
  versions_.push_back(std::move(version));
  return index;
}

std::int64_t Table::version_bytes(const Version& version) {
  std::int64_t bytes = 24;
  for (const auto& value : version.values) {
    if (std::holds_alternative<std::int64_t>(value)) {
      bytes += 8;
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      const auto length = static_cast<std::int64_t>(text->size());
      bytes += length + (length < 127 ? 1 : 4);
    }
  }
  return (bytes + 7) / 8 * 8;
}

void write_value(sim::StateWriter& out, const ports::Value& v) {
  out.u64(v.index());
  if (const auto* i = std::get_if<std::int64_t>(&v)) out.i64(*i);
  if (const auto* s = std::get_if<std::string>(&v)) out.str(*s);
}

void Table::write_state(sim::StateWriter& out) const {
  out.tag("table");
  out.str(schema_.name);
  out.u64(versions_.size());
  for (const Version& v : versions_) {
    for (const ports::Value& value : v.values) write_value(out, value);
    out.u64(v.xmin);
    out.u64(v.xmax);
    out.u64(v.locked_by);
    out.i64(v.next);
  }
}

}  // namespace idemlab::models::postgres
