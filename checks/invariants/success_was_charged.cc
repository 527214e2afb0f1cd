#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const IntentView& intent : context.intents()) {
    if (intent.money.charges != 0) continue;
    for (const models::clients::HistoryEvent* e : intent.events) {
      if (!is_answer(*e) || !is_success(e->status)) continue;
      out.push_back({kSuccessWasCharged, intent.id, "the client was told success, the ledger has no charge"});
      break;
    }
  }
}

}  // namespace

extern const InvariantInfo success_was_charged{
    kSuccessWasCharged,
    "A payment the client was told succeeded (a 2xx other than 202 Accepted) was charged: no answer claims money "
    "that the processor's ledger never received, as a replay of another request's response or a record written "
    "before its charge would.",
    false, &check};

}  // namespace idemlab::checks::invariants
