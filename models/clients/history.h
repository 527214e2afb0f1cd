// The client-side history of every attempt, as Jepsen records it: an invoke,
// then ok, fail (the client knows it did not happen, or got a definitive
// answer) or unknown (timed out: it may or may not have happened). The
// checker judges the system from this and from ground truth, never from the
// responses alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace idemlab::models::clients {

struct HistoryEvent {
  enum class Kind : std::uint8_t { kInvoke, kOk, kFail, kUnknown, kGiveUp };
  sim::Time at = 0;
  std::string client;
  std::string intent;
  std::uint32_t sender = 0;  // which concurrent sender of the intent (double clicks)
  int attempt = 0;
  Kind kind = Kind::kInvoke;
  int status = 0;  // HTTP status of ok/fail answers; 0 for refused, unknown
  std::string body;
  bool replayed = false;
  std::optional<std::string> idempotency_key;
  std::string request_body;
};

const char* history_kind_name(HistoryEvent::Kind kind);

class History {
 public:
  void add(HistoryEvent event) { events_.push_back(std::move(event)); }
  const std::vector<HistoryEvent>& events() const { return events_; }
  std::size_t count(HistoryEvent::Kind kind) const;
  // One JSON object per line, for tools.
  std::string json_lines() const;

 private:
  std::vector<HistoryEvent> events_;
};

}  // namespace idemlab::models::clients
