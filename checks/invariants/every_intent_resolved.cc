#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

void check(const CheckContext& context, std::vector<Violation>& out) {
  if (!context.options().liveness) return;
  for (const IntentView& intent : context.intents()) {
    if (intent.money.charges != 0) continue;
    // A decline is definitive too, even if the client only ever saw a 202.
    bool failed_definitively = intent.declined;
    for (const models::clients::HistoryEvent* e : intent.events) {
      failed_definitively |= is_answer(*e) && is_definitive_failure(e->status);
    }
    if (!failed_definitively) {
      out.push_back({kEveryIntentResolved, intent.id, "neither charged nor definitively failed at quiescence"});
    }
  }
}

}  // namespace

extern const InvariantInfo every_intent_resolved{
    kEveryIntentResolved,
    "No payment is lost: once the run is quiescent (faults over, retries and background work settled), every "
    "intent is either charged or definitively failed (a 4xx other than 409 and 429, or a decline). An accepted "
    "request whose message, event or saga never completed breaks it.",
    true, &check};

}  // namespace idemlab::checks::invariants
