#include "strategies/ports/sql.h"

#include <cassert>

namespace idemlab::ports {

const char* isolation_name(Isolation isolation) {
  switch (isolation) {
    case Isolation::kReadCommitted: return "read committed";
    case Isolation::kRepeatableRead: return "repeatable read";
    case Isolation::kSerializable: return "serializable";
  }
  assert(false && "unknown Isolation");
  return "?";
}

std::string value_text(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  return "'" + std::get<std::string>(value) + "'";
}

std::string row_text(const Row& row) {
  std::string out = "{";
  for (const auto& [column, value] : row) {
    if (out.size() > 1) out += ", ";
    out += column + "=" + value_text(value);
  }
  return out + "}";
}

const char* range_operator_text(Range::Op op) {
  switch (op) {
    case Range::Op::kLess: return " < ";
    case Range::Op::kLessEqual: return " <= ";
    case Range::Op::kGreater: return " > ";
    case Range::Op::kGreaterEqual: return " >= ";
    case Range::Op::kNotEqual: return " <> ";
  }
  assert(false && "unknown Range::Op");
  return " = ";
}

}  // namespace idemlab::ports
