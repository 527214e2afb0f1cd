// The port history's messages, arranged for the invariants about them: each
// delivery to a consumer (its message id, the actor that handled it), what
// that handling did (moved money, committed changes) until it was settled or
// the actor took its next delivery, and each message published.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/port_history.h"

namespace idemlab::checks {

struct Handling {
  std::string message;  // the message id
  std::string queue;
  std::uint32_t actor = 0;
  sim::Time delivered = 0;
  bool settled = false;        // acked, or rejected for good (an ack perhaps made counts)
  bool moved_money = false;    // a charge that moved money
  bool changed_rows = false;   // a commit that changed rows
};

struct Deliveries {
  std::vector<Handling> handlings;                 // in delivery order
  std::vector<const models::PortOp*> published;    // publishes the broker confirmed, in order
  std::set<std::string> consumed_queues;           // queues some actor consumed from
};

Deliveries deliveries_of(const models::PortHistory& history);

}  // namespace idemlab::checks
