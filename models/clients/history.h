// The client-side history of every attempt, as Jepsen records it: an invoke,
// then ok, fail (a definitive answer, or a refused connection: it did not
// happen) or unknown (timed out: it may or may not have happened). The
// checker judges the system from this and from ground truth, never from the
// responses alone.
//
// Compact, since a sweep keeps millions of worlds' worth of it: what an
// intent sends is stored once per intent (rendered from a few fields, see
// intent.h), events refer to it by index, and response bodies are kept as
// stable hashes (equal bodies, equal hashes; the texts are in a full trace).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/state_writer.h"
#include "models/clients/intent.h"
#include "models/clients/payment_answer.h"
#include "sim/hash.h"
#include "sim/time.h"

namespace idemlab::models::clients {

// 24 bytes.
struct HistoryEvent {
  enum class Kind : std::uint8_t { kInvoke, kOk, kFail, kUnknown, kGiveUp };
  sim::Time at = 0;
  std::uint32_t intent = 0;     // index into History::intents()
  std::uint32_t body_hash = 0;  // low half of sim::fnv1a of an ok/fail response body
  std::uint16_t attempt = 0;
  std::int16_t status = 0;      // HTTP status of ok/fail answers; 0 when there was none
  std::uint8_t sender = 0;      // which concurrent sender of the intent (double clicks)
  Kind kind = Kind::kInvoke;
  bool replayed = false;
};
static_assert(sizeof(HistoryEvent) == 24);

// The hash of a response body as HistoryEvent keeps it.
std::uint32_t body_hash(std::string_view body);

const char* history_kind_name(HistoryEvent::Kind kind);

class History {
 public:
  // Room for what a workload of `intents` will record, so that the vectors
  // do not grow by doubling (and keep up to half of it unused).
  void reserve(std::size_t intents) {
    intents_.reserve(intents);
    events_.reserve(intents * 2);
  }
  std::uint16_t add_client(std::string name);
  const std::string& client_name(const Intent& intent) const { return clients_[intent.client]; }
  std::uint32_t add_intent(Intent intent);
  // The texts of an intent: "client-1/pi_3", and the JSON body it sends.
  std::string intent_id(const Intent& intent) const { return intent.id(client_name(intent)); }
  std::string request_body(const Intent& intent, bool reordered = false) const {
    return intent.body(client_name(intent), reordered);
  }
  // An invoke, a timeout or a give-up.
  void add(HistoryEvent event) { events_.push_back(event); }
  // An answer (ok or fail) with the body it came with: kept as its hash and,
  // for a 2xx, as the payment the body describes.
  void add_answer(HistoryEvent event, std::string_view body);
  // Clients, intents and events, in the order recorded.
  void write_state(sim::StateWriter& out) const;

  const std::vector<Intent>& intents() const { return intents_; }
  const Intent& intent(const HistoryEvent& event) const { return intents_[event.intent]; }
  const std::vector<HistoryEvent>& events() const { return events_; }
  // What each 2xx answer said the payment is, in event order.
  const std::vector<PaymentAnswer>& payments() const { return payments_; }
  std::size_t count(HistoryEvent::Kind kind) const;
  // One JSON object per line, for tools.
  std::string json_lines() const;

 private:
  std::vector<std::string> clients_;
  std::vector<Intent> intents_;
  std::vector<HistoryEvent> events_;
  std::vector<PaymentAnswer> payments_;
};

}  // namespace idemlab::models::clients
