#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const IntentView& intent : context.intents()) {
    if (intent.money.refunded <= intent.money.charged) continue;
    out.push_back({kRefundsWithinCharges, intent.id,
                   "refunded " + std::to_string(intent.money.refunded) + " of " +
                       std::to_string(intent.money.charged) + " charged"});
  }
}

}  // namespace

extern const InvariantInfo refunds_within_charges{
    kRefundsWithinCharges,
    "No intent is refunded more than it was charged: a compensation or a cancellation repeated by retries must "
    "not hand back money twice. Judged from the ledger's charges and refunds of each intent.",
    false, &check};

}  // namespace idemlab::checks::invariants
