#include <set>

#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

using models::clients::PaymentAnswer;
using models::clients::PaymentState;

// What is wrong with `p` beside the intent's first 2xx (`first`, null for
// the first itself) and its ledger; empty when nothing is.
std::string problem(const IntentView& intent, const std::set<std::uint32_t>& charges, const PaymentAnswer& p,
                    const PaymentAnswer* first) {
  if (p.id_hash == 0) return "names no payment";
  if (p.has_amount && p.amount != intent.intent->amount) {
    return "describes an amount of " + std::to_string(p.amount) + ", the intent pays " +
           std::to_string(intent.intent->amount);
  }
  if (p.charge != 0 && charges.count(p.charge) == 0) {
    return "names ch_" + std::to_string(p.charge) + ", which is no charge of this intent";
  }
  if (first == nullptr) return {};
  if (p.id_hash != first->id_hash) return "names another payment than the first 2xx";
  if (p.has_amount && first->has_amount && p.amount != first->amount) return "another amount than the first 2xx";
  // "processing" is not an outcome yet: a 202 and the 201 it became agree.
  const auto final_state = [](PaymentState s) { return s != PaymentState::kProcessing; };
  if (final_state(p.state) && final_state(first->state) && p.state != first->state) {
    return std::string("says ") + models::clients::payment_state_name(p.state) + ", the first 2xx " +
           models::clients::payment_state_name(first->state);
  }
  return {};
}

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const IntentView& intent : context.intents()) {
    if (intent.payments.empty()) continue;
    std::set<std::uint32_t> charges;
    for (const models::processor::LedgerEntry* entry : intent.money.entries) {
      if (entry->kind == models::processor::LedgerEntry::Kind::kCharge) charges.insert(entry->number);
    }
    const PaymentAnswer* first = nullptr;
    for (const PaymentAnswer* p : intent.payments) {
      const std::string wrong = problem(intent, charges, *p, first);
      if (first == nullptr) first = p;
      if (wrong.empty()) continue;
      const models::clients::HistoryEvent& e = context.history().events()[p->event];
      out.push_back({kOneChargeOneAnswer, intent.id,
                     "the " + std::to_string(e.status) + " to attempt " + std::to_string(e.attempt) + " (sender " +
                         std::to_string(e.sender) + ") at " + sim::format_time(e.at) + " " + wrong});
    }
  }
}

}  // namespace

extern const InvariantInfo one_charge_one_answer{
    kOneChargeOneAnswer,
    "One charge, one answer: every 2xx a client got for one intent describes the same payment, whichever request "
    "produced it: one payment id, the intent's own amount, one final status (a 202's \"processing\" may become "
    "\"succeeded\"), and only a charge that the ledger holds for this intent. Unlike replay_matches_first, bodies "
    "may differ in their bytes.",
    false, &check};

}  // namespace idemlab::checks::invariants
