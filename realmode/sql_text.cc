#include "realmode/sql_text.h"

#include <cassert>

namespace idemlab::realmode {
namespace {

// g++ 12 warns falsely (-Wrestrict) on "literal" + std::string: texts here
// are built by appending.
std::string qualified(const std::string& schema, const std::string& name) {
  std::string out = quote_identifier(schema);
  out += '.';
  out += quote_identifier(name);
  return out;
}

const char* type_name(ports::ColumnType type) {
  switch (type) {
    case ports::ColumnType::kBigint: return "bigint";
    case ports::ColumnType::kText: return "text";
    case ports::ColumnType::kJson: return "text";  // exact text, see the header
  }
  assert(false && "unknown ColumnType");
  return "text";
}

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) {
    if (!out.empty()) out += ", ";
    out += quote_identifier(c);
  }
  return out;
}

std::string parameter(SqlText& sql, const ports::Value& value) {
  sql.params.push_back(value);
  std::string out = "$";
  out += std::to_string(sql.params.size());
  return out;
}

// A column as compared and sorted: text byte by byte, as the model does.
std::string sortable(const ports::TableSchema& table, const std::string& column) {
  std::string out = quote_identifier(column);
  for (const ports::Column& c : table.columns) {
    if (c.name == column && c.type != ports::ColumnType::kBigint) out += " COLLATE \"C\"";
  }
  return out;
}

// " WHERE a = $1 AND b IS NULL", or nothing for an empty conjunction.
// `qualifier`: the table name each column is prefixed with, where a bare
// name would be ambiguous (ON CONFLICT's WHERE, beside EXCLUDED).
void append_where(SqlText& sql, const ports::Where& where, const std::string& qualifier = std::string()) {
  std::string clause;
  for (const auto& [column, value] : where) {
    clause += clause.empty() ? " WHERE " : " AND ";
    if (!qualifier.empty()) clause += quote_identifier(qualifier) + ".";
    clause += quote_identifier(column);
    if (std::holds_alternative<std::monostate>(value)) {
      clause += " IS NULL";
    } else {
      clause += " = ";
      clause += parameter(sql, value);
    }
  }
  sql.text += clause;
}

void append_set(SqlText& sql, const ports::Assignments& set) {
  std::string list;
  for (const auto& [column, value] : set) {
    if (!list.empty()) list += ", ";
    list += quote_identifier(column);
    list += " = ";
    list += parameter(sql, value);
  }
  sql.text += list;
}

void append_insert(SqlText& sql, const std::string& schema, const std::string& table, const ports::Row& row) {
  std::vector<std::string> columns;
  std::string values;
  for (const auto& [column, value] : row) {
    columns.push_back(column);
    if (!values.empty()) values += ", ";
    values += parameter(sql, value);
  }
  sql.text = "INSERT INTO ";
  sql.text += qualified(schema, table);
  sql.text += " (";
  sql.text += column_list(columns);
  sql.text += ") VALUES (";
  sql.text += values;
  sql.text += ")";
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string create_schema(const std::string& schema) {
  std::string out = "CREATE SCHEMA IF NOT EXISTS ";
  out += quote_identifier(schema);
  return out;
}

std::string drop_schema(const std::string& schema) {
  std::string out = "DROP SCHEMA IF EXISTS ";
  out += quote_identifier(schema);
  out += " CASCADE";
  return out;
}

std::vector<std::string> create_objects(const std::string& schema, const ports::Schema& objects) {
  std::vector<std::string> out;
  for (const ports::TableSchema& table : objects.tables) {
    std::string text = "CREATE TABLE IF NOT EXISTS ";
    text += qualified(schema, table.name);
    text += " (";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const ports::Column& c = table.columns[i];
      if (i > 0) text += ", ";
      text += quote_identifier(c.name);
      text += ' ';
      text += type_name(c.type);
      if (!c.nullable) text += " NOT NULL";
    }
    if (!table.primary_key.empty()) {
      text += ", PRIMARY KEY (";
      text += column_list(table.primary_key);
      text += ')';
    }
    for (const std::vector<std::string>& unique : table.unique_keys) {
      text += ", UNIQUE (";
      text += column_list(unique);
      text += ')';
    }
    text += ')';
    out.push_back(std::move(text));
  }
  for (const std::string& sequence : objects.sequences) {
    std::string text = "CREATE SEQUENCE IF NOT EXISTS ";
    text += qualified(schema, sequence);
    out.push_back(std::move(text));
  }
  return out;
}

std::string begin_text(ports::Isolation isolation) {
  switch (isolation) {
    case ports::Isolation::kReadCommitted: return "BEGIN ISOLATION LEVEL READ COMMITTED";
    case ports::Isolation::kRepeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case ports::Isolation::kSerializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
  }
  assert(false && "unknown Isolation");
  return "BEGIN";
}

SqlText insert_text(const std::string& schema, const std::string& table, const ports::Row& row) {
  SqlText sql;
  append_insert(sql, schema, table, row);
  sql.text += " RETURNING *";
  return sql;
}

SqlText insert_on_conflict_text(const std::string& schema, const std::string& table, const ports::Row& row,
                                const ports::OnConflict& on_conflict) {
  SqlText sql;
  append_insert(sql, schema, table, row);
  sql.text += " ON CONFLICT (";
  sql.text += column_list(on_conflict.columns);
  sql.text += ")";
  if (on_conflict.action == ports::OnConflict::Action::kDoNothing) {
    sql.text += " DO NOTHING";
  } else {
    sql.text += " DO UPDATE SET ";
    append_set(sql, on_conflict.set);
    append_where(sql, on_conflict.where, table);
  }
  sql.text += " RETURNING *";
  return sql;
}

SqlText select_text(const std::string& schema, const ports::TableSchema& table, const ports::Query& query) {
  SqlText sql;
  sql.text = "SELECT * FROM ";
  sql.text += qualified(schema, table.name);
  append_where(sql, query.where);
  bool first_term = query.where.empty();
  for (const ports::Range& range : query.ranges) {
    sql.text += first_term ? " WHERE " : " AND ";
    first_term = false;
    sql.text += sortable(table, range.column);
    sql.text += ports::range_operator_text(range.op);
    sql.text += parameter(sql, range.value);
  }
  std::string order;
  const auto order_by = [&](const std::string& column, bool descending) {
    order += order.empty() ? " ORDER BY " : ", ";
    order += sortable(table, column);
    if (descending) order += " DESC";
  };
  for (const ports::OrderBy& o : query.order) order_by(o.column, o.descending);
  for (const std::string& column : table.primary_key) order_by(column, false);
  sql.text += order;
  if (query.limit >= 0) {
    sql.text += " LIMIT ";
    sql.text += std::to_string(query.limit);
  }
  switch (query.lock) {
    case ports::RowLock::kNone: break;
    case ports::RowLock::kForUpdate: sql.text += " FOR UPDATE"; break;
    case ports::RowLock::kForUpdateSkipLocked: sql.text += " FOR UPDATE SKIP LOCKED"; break;
    case ports::RowLock::kForUpdateNowait: sql.text += " FOR UPDATE NOWAIT"; break;
  }
  return sql;
}

SqlText update_text(const std::string& schema, const std::string& table, const ports::Where& where,
                    const ports::Assignments& set) {
  SqlText sql;
  sql.text = "UPDATE ";
  sql.text += qualified(schema, table);
  sql.text += " SET ";
  append_set(sql, set);
  append_where(sql, where);
  sql.text += " RETURNING *";
  return sql;
}

SqlText remove_text(const std::string& schema, const std::string& table, const ports::Where& where) {
  SqlText sql;
  sql.text = "DELETE FROM ";
  sql.text += qualified(schema, table);
  append_where(sql, where);
  return sql;
}

SqlText nextval_text(const std::string& schema, const std::string& sequence) {
  SqlText sql;
  sql.text = "SELECT nextval(";
  sql.text += parameter(sql, ports::Value(qualified(schema, sequence)));
  sql.text += "::regclass)";
  return sql;
}

}  // namespace idemlab::realmode
