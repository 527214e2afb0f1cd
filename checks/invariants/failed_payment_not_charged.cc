#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

using models::clients::HistoryEvent;

void check(const CheckContext& context, std::vector<Violation>& out) {
  if (!context.options().liveness) return;
  for (const IntentView& intent : context.intents()) {
    const std::int64_t net = intent.money.charged - intent.money.refunded;
    if (net == 0) continue;
    // The payment failed when the API said so for good and never said it
    // succeeded (a success and a failure for one intent contradict each
    // other, which replay_matches_first reports).
    const HistoryEvent* failure = nullptr;
    bool succeeded = false;
    for (const HistoryEvent* e : intent.events) {
      if (!is_answer(*e)) continue;
      succeeded |= e->status / 100 == 2;
      if (failure == nullptr && is_definitive_failure(e->status)) failure = e;
    }
    if (failure == nullptr || succeeded) continue;
    std::string evidence = "answered " + std::to_string(failure->status) + " at " + sim::format_time(failure->at) +
                           ", yet " + std::to_string(net) + " of " + std::to_string(intent.money.charged) +
                           " charged stays charged at quiescence";
    for (const models::processor::LedgerEntry* entry : intent.money.entries) {
      if (entry->kind == models::processor::LedgerEntry::Kind::kCharge && entry->at > failure->at) {
        evidence += " (" + entry->id() + " landed at " + sim::format_time(entry->at) + ", after the answer)";
        break;
      }
    }
    // A compensation that refunded by the charge's key too early: the
    // charge it meant to undo had not landed yet.
    for (const models::processor::RefundMiss& miss : context.truth().refund_misses()) {
      if (miss.intent != intent.id) continue;
      evidence += "; a refund by its downstream key " + miss.key + " found nothing" +
                  (miss.at != 0 ? " at " + sim::format_time(miss.at) : std::string());
      break;
    }
    out.push_back({kFailedPaymentNotCharged, intent.id, evidence});
  }
}

}  // namespace

extern const InvariantInfo failed_payment_not_charged{
    kFailedPaymentNotCharged,
    "A payment the API answered with a definitive failure (a 4xx other than 409 and 429: a decline, a bad or "
    "reused request, a compensated saga) and never with a success has no net charge at quiescence: charged minus "
    "refunded is zero. A compensation is not complete while the charge it compensates may still land: a refund "
    "that found nothing, and then the charge landing, breaks it.",
    true, &check};

}  // namespace idemlab::checks::invariants
