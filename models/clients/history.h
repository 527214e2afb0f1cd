// The client-side history of every attempt, as Jepsen records it: an invoke,
// then ok, fail (a definitive answer, or a refused connection: it did not
// happen) or unknown (timed out: it may or may not have happened). The
// checker judges the system from this and from ground truth, never from the
// responses alone.
//
// Compact, since a sweep keeps millions of worlds' worth of it: what an
// intent sends (client, key, body) is stored once per intent, and events
// refer to it by index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace idemlab::models::clients {

struct IntentRecord {
  std::string client;
  std::string id;
  std::optional<std::string> idempotency_key;
  std::string request_body;
};

struct HistoryEvent {
  enum class Kind : std::uint8_t { kInvoke, kOk, kFail, kUnknown, kGiveUp };
  sim::Time at = 0;
  std::uint32_t intent = 0;  // index into History::intents()
  std::uint16_t attempt = 0;
  std::uint8_t sender = 0;   // which concurrent sender of the intent (double clicks)
  Kind kind = Kind::kInvoke;
  std::int16_t status = 0;   // HTTP status of ok/fail answers; 0 when there was none
  bool replayed = false;
  std::string body;          // the response body of ok/fail answers
};

const char* history_kind_name(HistoryEvent::Kind kind);

class History {
 public:
  std::uint32_t add_intent(IntentRecord record);
  void add(HistoryEvent event) { events_.push_back(std::move(event)); }

  const std::vector<IntentRecord>& intents() const { return intents_; }
  const IntentRecord& intent(const HistoryEvent& event) const { return intents_[event.intent]; }
  const std::vector<HistoryEvent>& events() const { return events_; }
  std::size_t count(HistoryEvent::Kind kind) const;
  // One JSON object per line, for tools.
  std::string json_lines() const;

 private:
  std::vector<IntentRecord> intents_;
  std::vector<HistoryEvent> events_;
};

}  // namespace idemlab::models::clients
