#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const IntentView& intent : context.intents()) {
    if (intent.money.charges <= 1) continue;
    out.push_back({kAtMostOneCharge, intent.id,
                   "charged " + std::to_string(intent.money.charges) + " times, " +
                       std::to_string(intent.money.charged) + " in all"});
  }
}

}  // namespace

extern const InvariantInfo at_most_one_charge{
    kAtMostOneCharge,
    "No payment intent is charged twice: the processor's ledger holds at most one successful charge for each "
    "intent, however many requests, retries, copies and redeliveries of it reached the API. Judged from the ledger, "
    "never from the responses.",
    false, &check};

}  // namespace idemlab::checks::invariants
