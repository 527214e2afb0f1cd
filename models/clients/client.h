// A simulated API client: pays a series of payment intents against the
// service, retrying by its policy, and writes every attempt to the History.
//
// Workload knobs (all drawn through the tape):
//   keys                   a fresh UUID v4 per intent, or no Idempotency-Key at all
//   key_reused_with_other_payload   the next intent reuses this intent's key (a client bug)
//   double_click           the intent is sent twice at once, same key and body
//   copies                 the intent is always sent by this many senders at once
//                          (three tabs submitting one form), same key and body
//   webhook_duplicate      once paid, the same request is delivered again (at-least-once)
//   same_purchase_again    the next intent buys the same thing again: same body, a new key
//   retries_reorder_body   retries serialise the body differently (key order, number format)
//   give_up_after          no new attempt starts this long after the first
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/state_writer.h"
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

struct ClientConfig {
  int intents = 1;
  sim::Duration request_timeout = 1 * sim::kSecond;
  RetryPolicy retry;
  KeyMode keys = KeyMode::kUuid;
  sim::Ratio key_reused_with_other_payload{0, 1};
  sim::Ratio double_click{0, 1};
  int copies = 1;  // senders of every intent at once (a double click makes it at least 2)
  sim::Ratio webhook_duplicate{0, 1};
  sim::Ratio same_purchase_again{0, 1};
  bool retries_reorder_body = false;
  sim::Duration think_mean = 100 * sim::kMillisecond;
  sim::Duration give_up_after = 60 * sim::kSecond;
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
  // The workload has run to its end: every intent paid, failed or given up.
  bool finished() const { return finished_; }
  // Its node, attempts, retry budget, whether it has finished.
  void write_state(sim::StateWriter& out) const;

 private:
  sim::Task<void> workload();
  // Pays one intent by the retry policy; `sender` tells concurrent senders apart.
  sim::Task<void> pay(std::uint32_t intent, std::uint8_t sender);
  bool retryable(const sim::CallResult<api::Response>& r) const;
  void record(std::uint32_t intent, std::uint8_t sender, int attempt, HistoryEvent::Kind kind,
              const api::Response* response);

  sim::Simulator& sim_;
  sim::Network& net_;
  ClientConfig config_;
  service::ServiceNode& service_;
  History& history_;
  RetryBudget budget_;
  std::uint16_t history_index_;  // this client in History::clients()
  std::uint64_t attempts_ = 0;
  bool finished_ = false;
  sim::Node node_;
};

}  // namespace idemlab::models::clients
