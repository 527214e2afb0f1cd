// A simulated API client: pays a series of payment intents against the
// service, retrying by its policy, and writes every attempt to the History.
//
// Workload knobs (all drawn through the tape):
//   keys                   a fresh UUID v4 per intent, or no Idempotency-Key at all
//   key_reused_with_other_payload   the next intent reuses this intent's key (a client bug)
//   key_reused_with_one_field_changed   the next intent is this one with one field
//                          changed (amount, currency or description), under the same key
//   double_click           the intent is sent twice at once, same key and body
//   copies                 the intent is always sent by this many senders (three tabs
//                          submitting one form), same key and body, within copies_window
//   webhook_duplicate      once paid, the same request is delivered again (at-least-once),
//                          webhook_deliveries times, re-serialised with webhook_reserialised
//   same_purchase_again    the next intent buys the same thing again: same body, a new key
//   retries_reorder_body   retries serialise the body differently (key order, number format)
//   new_key_on_retry       a retry after these outcomes sends a fresh key (a client bug)
//   give_up_after          no new attempt starts this long after the first
//   resend_after           a client that gave up sends the intent again this much later
//   arrivals               open loop: intents start at these rates, each paid by its own
//                          process, instead of one after another with think time between
//   breaker                a circuit breaker in front of every attempt
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/state_writer.h"
#include "models/clients/arrivals.h"
#include "models/clients/circuit_breaker.h"
#include "models/clients/history.h"
#include "models/clients/intent.h"
#include "models/clients/retry_policy.h"
#include "models/service/service_node.h"
#include "sim/network.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "strategies/api.h"

namespace idemlab::models::clients {

enum class KeyMode : std::uint8_t { kUuid, kMissing };

// What an attempt came to, as a client's retry decisions tell them apart.
enum class Outcome : std::uint8_t { kTimeout, kConnectionError, k5xx, k409, k429 };
// A set of outcomes (new_key_on_retry).
struct OutcomeSet {
  std::uint8_t bits = 0;
  bool has(Outcome o) const { return (bits >> static_cast<int>(o)) & 1; }
  void add(Outcome o) { bits = static_cast<std::uint8_t>(bits | (1 << static_cast<int>(o))); }
};

struct ClientConfig {
  int intents = 1;
  sim::Duration request_timeout = 1 * sim::kSecond;
  RetryPolicy retry;
  KeyMode keys = KeyMode::kUuid;
  sim::Ratio key_reused_with_other_payload{0, 1};
  sim::Ratio key_reused_with_one_field_changed{0, 1};
  ChangedField changed_field = ChangedField::kAmount;
  sim::Ratio double_click{0, 1};
  int copies = 1;  // senders of every intent (a double click makes it at least 2)
  sim::Duration copies_window = 0;  // the copies start within this long of the first; 0: at once
  sim::Ratio webhook_duplicate{0, 1};
  int webhook_deliveries = 1;       // deliveries after the first, when webhook_duplicate draws
  bool webhook_reserialised = false;
  sim::Ratio same_purchase_again{0, 1};
  bool retries_reorder_body = false;
  OutcomeSet new_key_on_retry;
  sim::Duration think_mean = 100 * sim::kMillisecond;  // closed loop only
  ArrivalProfile arrivals;  // this client's share; none: a closed loop
  BreakerConfig breaker;
  sim::Duration give_up_after = 60 * sim::kSecond;
  sim::Duration resend_after = 0;   // 0: a client that gave up never sends the intent again
  std::int64_t amount_min = 100;     // cents
  std::int64_t amount_max = 100000;
};

class Client {
 public:
  Client(sim::Simulator& sim, sim::Network& net, std::string name, ClientConfig config,
         service::ServiceNode& service, History& history);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  sim::Node& node() { return node_; }
  // Starts the node and its workload.
  void start();

  std::uint64_t attempts() const { return attempts_; }
  const CircuitBreaker& breaker() const { return breaker_; }
  // The workload has run to its end: every intent paid, failed or given up.
  bool finished() const { return finished_; }
  // Its node, attempts, retry budget, whether it has finished.
  void write_state(sim::StateWriter& out) const;

 private:
  sim::Task<void> workload();
  // What links one intent to the next: a key or an order the next reuses.
  struct Chain {
    std::optional<Uuid> reused_key;
    std::optional<Intent> bought_again;  // the previous intent, when this one buys the same again
    std::optional<Intent> changed_copy;  // the previous intent, when this one changes one field of it
  };
  // Draws intent number `n` and adds it to the history; its index.
  std::uint32_t make_intent(std::uint32_t n, Chain& chain);
  // Sends one intent by all its senders (copies, a double click), then its
  // webhook redeliveries.
  sim::Task<void> send(std::uint32_t index);
  // Pays one intent by the retry policy; `sender` tells concurrent senders
  // apart. A copy sent within a window waits `delay` first; a webhook's
  // redelivery may be re-serialised.
  sim::Task<void> pay(std::uint32_t intent, std::uint8_t sender, sim::Duration delay = 0, bool reserialised = false);
  // One series of attempts, numbered from `attempt`; whether it gave up
  // (rather than got an answer it does not retry). `attempt` is left at the
  // next attempt's number.
  sim::Task<bool> attempts(std::uint32_t intent, std::uint8_t sender, bool reserialised, int& attempt);
  // Sends attempt number `attempt` and records its invoke.
  sim::Task<sim::CallResult<api::Response>> send_attempt(std::uint32_t intent, std::uint8_t sender, int attempt,
                                                         const std::string& what, const api::Request& request);
  // The class of a failed attempt; nullopt for an answer that is no failure
  // to retry (a 2xx, 3xx or any other 4xx).
  static std::optional<Outcome> outcome_of(const sim::CallResult<api::Response>& r);
  bool retries(Outcome outcome) const;
  void record(std::uint32_t intent, std::uint8_t sender, int attempt, HistoryEvent::Kind kind,
              const api::Response* response);

  sim::Simulator& sim_;
  sim::Network& net_;
  ClientConfig config_;
  service::ServiceNode& service_;
  History& history_;
  RetryBudget budget_;
  CircuitBreaker breaker_;
  std::uint16_t history_index_;  // this client in History::clients()
  std::uint64_t attempts_ = 0;
  bool finished_ = false;
  sim::Node node_;
};

}  // namespace idemlab::models::clients
