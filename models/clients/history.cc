#include "models/clients/history.h"

#include <cassert>

#include "sim/trace.h"

namespace idemlab::models::clients {

const char* history_kind_name(HistoryEvent::Kind kind) {
  switch (kind) {
    case HistoryEvent::Kind::kInvoke: return "invoke";
    case HistoryEvent::Kind::kOk: return "ok";
    case HistoryEvent::Kind::kFail: return "fail";
    case HistoryEvent::Kind::kUnknown: return "unknown";
    case HistoryEvent::Kind::kGiveUp: return "give_up";
  }
  assert(false && "unknown history kind");
  return "?";
}

std::uint32_t History::add_intent(IntentRecord record) {
  intents_.push_back(std::move(record));
  return static_cast<std::uint32_t>(intents_.size() - 1);
}

std::size_t History::count(HistoryEvent::Kind kind) const {
  std::size_t n = 0;
  for (const auto& e : events_) n += e.kind == kind ? 1 : 0;
  return n;
}

std::string History::json_lines() const {
  // Appended piece by piece: g++ 12 misfires -Wrestrict on long chains of +.
  std::string out;
  for (const auto& e : events_) {
    const IntentRecord& intent = intents_[e.intent];
    out += "{\"t_ns\":" + std::to_string(e.at);
    out += ",\"client\":\"" + sim::json_escape(intent.client);
    out += "\",\"intent\":\"" + sim::json_escape(intent.id);
    out += "\",\"sender\":" + std::to_string(e.sender);
    out += ",\"attempt\":" + std::to_string(e.attempt);
    out += ",\"kind\":\"";
    out += history_kind_name(e.kind);
    out += "\",\"status\":" + std::to_string(e.status);
    out += e.replayed ? ",\"replayed\":true" : ",\"replayed\":false";
    out += ",\"key\":";
    if (intent.idempotency_key) {
      out += '"';
      out += sim::json_escape(*intent.idempotency_key);
      out += '"';
    } else {
      out += "null";
    }
    out += "}\n";
  }
  return out;
}

}  // namespace idemlab::models::clients
