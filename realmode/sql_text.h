// The Sql port's typed statements as PostgreSQL text with $n parameters, in
// a schema of real mode's own (every name is quoted and schema-qualified, so
// real mode never reads or writes a table it did not create).
//
// Column types: bigint, text, and JSON columns as text: their text comes back
// byte for byte, as a replayed response body must (jsonb would reorder keys).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strategies/ports/sql.h"

namespace idemlab::realmode {

struct SqlText {
  std::string text;
  std::vector<ports::Value> params;  // $1, $2, ... in order; NULL as monostate
};

// "name", with embedded quotes doubled.
std::string quote_identifier(std::string_view name);

std::string create_schema(const std::string& schema);
// CREATE TABLE IF NOT EXISTS for each table, CREATE SEQUENCE IF NOT EXISTS for each sequence.
std::vector<std::string> create_objects(const std::string& schema, const ports::Schema& objects);
std::string drop_schema(const std::string& schema);  // CASCADE: everything real mode made in it
std::string begin_text(ports::Isolation isolation);

SqlText insert_text(const std::string& schema, const std::string& table, const ports::Row& row);
SqlText insert_on_conflict_text(const std::string& schema, const std::string& table, const ports::Row& row,
                                const ports::OnConflict& on_conflict);
// Ordered as the query says and then by the primary key, text compared and
// sorted COLLATE "C", as the simulated engine answers.
SqlText select_text(const std::string& schema, const ports::TableSchema& table, const ports::Query& query);
SqlText update_text(const std::string& schema, const std::string& table, const ports::Where& where,
                    const ports::Assignments& set);
SqlText remove_text(const std::string& schema, const std::string& table, const ports::Where& where);
SqlText nextval_text(const std::string& schema, const std::string& sequence);

}  // namespace idemlab::realmode
