#include "models/port_history.h"

#include <array>

#include <nlohmann/json.hpp>

#include "strategies/flat_json.h"

namespace idemlab::models {
namespace {

constexpr std::array<std::string_view, 6> kUnderWay = {"in_progress", "processing", "pending",
                                                        "running",     "started",    "locked"};
constexpr std::array<std::string_view, 7> kOver = {"completed", "succeeded", "failed", "declined",
                                                    "compensated", "done",     "finished"};

RecordState state_of_word(std::string_view word) {
  for (std::string_view w : kUnderWay) {
    if (word == w) return RecordState::kInProgress;
  }
  for (std::string_view w : kOver) {
    if (word == w) return RecordState::kCompleted;
  }
  return RecordState::kOther;
}

// The rule, over a record's members: `text(name)` is a text member or
// nullptr, `present(name)` whether a member is there and not null.
template <class Text, class Present>
RecordState judge(const Text& text, const Present& present) {
  for (const char* field : {"state", "status"}) {
    if (const std::string* word = text(field)) {
      const RecordState state = state_of_word(*word);
      if (state != RecordState::kOther) return state;
    }
  }
  for (const char* field : {"response_status", "response"}) {
    if (present(field)) return RecordState::kCompleted;
  }
  return RecordState::kOther;
}

}  // namespace

RecordState record_state_of_text(std::string_view value) {
  if (value.empty() || value.front() != '{') return state_of_word(value);
  // Only the object's own members count: a response kept inside a record
  // may say "processing" of the payment it describes. The strategies'
  // flat records take the fast reader; anything else, nlohmann.
  if (const std::optional<strategies::FlatObject> flat = strategies::parse_flat_json(value)) {
    return judge(
        [&](const char* name) {
          const strategies::FlatValue* v = strategies::find_member(*flat, name);
          return v == nullptr ? nullptr : std::get_if<std::string>(v);
        },
        [&](const char* name) { return strategies::find_member(*flat, name) != nullptr; });
  }
  const nlohmann::json j = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return RecordState::kOther;
  return judge(
      [&](const char* name) -> const std::string* {
        const auto it = j.find(name);
        return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
      },
      [&](const char* name) {
        const auto it = j.find(name);
        return it != j.end() && !it->is_null();
      });
}

RecordState record_state_of_row(const ports::Row& row) {
  return judge(
      [&](const char* name) -> const std::string* {
        const auto it = row.find(name);
        return it == row.end() ? nullptr : std::get_if<std::string>(&it->second);
      },
      [&](const char* name) {
        const auto it = row.find(name);
        return it != row.end() && !std::holds_alternative<std::monostate>(it->second);
      });
}

const char* record_state_name(RecordState state) {
  switch (state) {
    case RecordState::kInProgress: return "in progress";
    case RecordState::kCompleted: return "completed";
    case RecordState::kOther: break;
  }
  return "other";
}

std::uint32_t PortHistory::new_actor(std::string_view name) {
  auto it = named_.find(name);
  if (it == named_.end()) it = named_.emplace(std::string(name), 0).first;
  actors_.push_back(Actor{&it->first, ++it->second});
  return static_cast<std::uint32_t>(actors_.size() - 1);
}

std::string PortHistory::actor_name(std::uint32_t actor) const {
  const Actor& a = actors_.at(actor);
  return *a.name + " " + std::to_string(a.number);
}

void PortHistory::learn_schema(const ports::Schema& schema) {
  for (const ports::TableSchema& table : schema.tables) primary_keys_[table.name] = table.primary_key;
}

std::string PortHistory::row_subject(const std::string& table, const ports::Row& row) const {
  std::string subject = table + "(";
  const auto known = primary_keys_.find(table);
  bool first = true;
  const auto append = [&](const ports::Value& value) {
    if (!first) subject += ",";
    first = false;
    subject += ports::value_text(value);
  };
  if (known != primary_keys_.end() && !known->second.empty()) {
    for (const std::string& column : known->second) {
      const auto it = row.find(column);
      append(it == row.end() ? ports::Value() : it->second);
    }
  } else {
    for (const auto& [column, value] : row) append(value);
  }
  return subject + ")";
}

bool PortHistory::names_one_row(const std::string& table, const ports::Where& where) const {
  const auto known = primary_keys_.find(table);
  if (known == primary_keys_.end() || known->second.empty()) return false;
  for (const std::string& column : known->second) {
    const auto it = where.find(column);
    if (it == where.end() || std::holds_alternative<std::monostate>(it->second)) return false;
  }
  return true;
}

void PortHistory::write_state(sim::StateWriter& out) const {
  out.tag("port-history");
  out.u64(ops_.size());
  for (const PortOp& op : ops_) {
    out.u64(static_cast<std::uint64_t>(op.kind));
    out.u64(static_cast<std::uint64_t>(op.outcome));
    out.u64(static_cast<std::uint64_t>(op.guard));
    out.u64(static_cast<std::uint64_t>(op.state));
    out.u64(op.actor);
    out.i64(op.issued);
    out.i64(op.answered);
    out.i64(op.ttl);
    out.u64(op.tag);
    out.str(op.subject);
    out.str(op.queue);
  }
}

}  // namespace idemlab::models
