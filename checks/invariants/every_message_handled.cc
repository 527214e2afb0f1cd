#include <set>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  if (!context.options().liveness) return;
  const Deliveries& deliveries = context.deliveries();
  std::set<std::pair<std::string, std::string>> settled;  // (queue, message id)
  for (const Handling& h : deliveries.handlings) {
    if (h.settled) settled.insert({h.queue, h.message});
  }
  std::set<std::pair<std::string, std::string>> reported;
  for (const models::PortOp* publish : deliveries.published) {
    // A queue no consumer of the strategy reads is an outside party's.
    if (deliveries.consumed_queues.count(publish->queue) == 0) continue;
    const std::pair<std::string, std::string> message{publish->queue, publish->subject};
    if (settled.count(message) != 0 || !reported.insert(message).second) continue;
    out.push_back({kEveryMessageHandled, publish->subject,
                   "published to " + publish->queue + " at " + sim::format_time(publish->answered) +
                       ", never acknowledged by a consumer"});
  }
}

}  // namespace

extern const InvariantInfo every_message_handled{
    kEveryMessageHandled,
    "Every message the strategy published, and the broker confirmed, to a queue its own consumers read is, at "
    "quiescence, acknowledged (or rejected for good) by one of them: no event is lost between the broker and its "
    "consumer, whether to a crash, a delivery limit or a consumer that never comes back. Judged from the port "
    "history, whatever the queue is called.",
    true, &check};

}  // namespace idemlab::checks::invariants
