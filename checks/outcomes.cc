#include "checks/outcomes.h"

#include <map>
#include <string_view>

namespace idemlab::checks {

std::vector<IntentOutcome> intent_outcomes(GroundTruth& truth) {
  using models::clients::HistoryEvent;
  const models::clients::History& history = truth.history();
  std::vector<IntentOutcome> out(history.intents().size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].intent = history.intent_id(history.intents()[i]);
    out[i].declined = truth.declines().count(out[i].intent) != 0;
  }
  for (const HistoryEvent& e : history.events()) {
    if ((e.kind == HistoryEvent::Kind::kOk || e.kind == HistoryEvent::Kind::kFail) && e.status != 0) {
      out[e.intent].answers.push_back(e.status);
    }
  }
  // One pass over the ledger: a load run has as many entries as intents.
  std::map<std::string_view, std::size_t> by_id;
  for (std::size_t i = 0; i < out.size(); ++i) by_id.emplace(out[i].intent, i);
  for (const models::processor::LedgerEntry& entry : truth.ledger()) {
    if (entry.kind != models::processor::LedgerEntry::Kind::kCharge) continue;
    const auto it = by_id.find(entry.intent);
    if (it != by_id.end()) ++out[it->second].charges;
  }
  return out;
}

}  // namespace idemlab::checks
