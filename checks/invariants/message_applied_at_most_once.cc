#include <map>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  const Deliveries& deliveries = context.deliveries();
  struct Effects {
    int money = 0;  // handlings that moved money
    int rows = 0;   // handlings that committed changes
  };
  std::map<std::string, Effects> per_message;
  for (const Handling& h : deliveries.handlings) {
    Effects& e = per_message[h.message];
    e.money += h.moved_money ? 1 : 0;
    e.rows += h.changed_rows ? 1 : 0;
  }
  for (const auto& [message, e] : per_message) {
    if (e.money > 1) {
      out.push_back({kMessageAppliedOnce, message, std::to_string(e.money) + " of its deliveries moved money"});
    }
    if (e.rows > 1) {
      out.push_back({kMessageAppliedOnce, message, std::to_string(e.rows) + " of its deliveries committed changes"});
    }
  }
}

}  // namespace

extern const InvariantInfo message_applied_at_most_once{
    kMessageAppliedOnce,
    "A message's effect is applied at most once, however often it is published or delivered (a relay that "
    "publishes again after a crash, a redelivery after a lost ack): of all the deliveries of one message id, at "
    "most one moves money (a charge the processor did not answer from a downstream key) and at most one commits "
    "changes to the database. Judged from the port history: what each consumer did between a delivery and its "
    "ack.",
    false, &check};

}  // namespace idemlab::checks::invariants
