#include "models/clients/history.h"

#include "sim/state_writer.h"
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

std::uint32_t body_hash(std::string_view body) { return static_cast<std::uint32_t>(sim::fnv1a(body)); }

std::uint16_t History::add_client(std::string name) {
  assert(clients_.size() < UINT16_MAX);
  clients_.push_back(std::move(name));
  return static_cast<std::uint16_t>(clients_.size() - 1);
}

std::uint32_t History::add_intent(Intent intent) {
  assert(intent.client < clients_.size());
  intents_.push_back(std::move(intent));
  return static_cast<std::uint32_t>(intents_.size() - 1);
}

void History::add_answer(HistoryEvent event, std::string_view body) {
  assert((event.kind == HistoryEvent::Kind::kOk || event.kind == HistoryEvent::Kind::kFail) && event.status != 0);
  event.body_hash = body_hash(body);
  if (event.status / 100 == 2) {
    PaymentAnswer payment = describe_payment(body);
    payment.event = static_cast<std::uint32_t>(events_.size());
    payments_.push_back(payment);
  }
  events_.push_back(event);
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
    const Intent& intent = intents_[e.intent];
    out += "{\"t_ns\":" + std::to_string(e.at);
    out += ",\"client\":\"" + sim::json_escape(client_name(intent));
    out += "\",\"intent\":\"" + sim::json_escape(intent_id(intent));
    out += "\",\"sender\":" + std::to_string(e.sender);
    out += ",\"attempt\":" + std::to_string(e.attempt);
    out += ",\"kind\":\"";
    out += history_kind_name(e.kind);
    out += "\",\"status\":" + std::to_string(e.status);
    out += e.replayed ? ",\"replayed\":true" : ",\"replayed\":false";
    out += ",\"body_hash\":" + std::to_string(e.body_hash);
    out += ",\"key\":";
    if (intent.has_key) {
      out += '"';
      out += uuid_text(intent.key);
      out += '"';
    } else {
      out += "null";
    }
    out += "}\n";
  }
  return out;
}

void History::write_state(sim::StateWriter& out) const {
  out.tag("history");
  for (const std::string& c : clients_) out.str(c);
  out.u64(intents_.size());
  for (const Intent& i : intents_) {
    out.u64(i.client);
    out.flag(i.has_key);
    out.u64(i.order_back);
    out.u64(i.number);
    out.i64(i.amount);
    out.str(std::string_view(reinterpret_cast<const char*>(i.key.data()), i.key.size()));
    // Tagged, and only when there is one: worlds without such intents keep their hashes.
    if (i.changed != ChangedField::kNone) {
      out.tag("changed");
      out.u64(static_cast<std::uint64_t>(i.changed));
    }
  }
  out.u64(events_.size());
  for (const HistoryEvent& e : events_) {
    out.i64(e.at);
    out.u64(e.intent);
    out.u64(e.body_hash);
    out.u64(e.attempt);
    out.i64(e.status);
    out.u64(e.sender);
    out.u64(static_cast<std::uint64_t>(e.kind));
    out.flag(e.replayed);
  }
}

}  // namespace idemlab::models::clients
