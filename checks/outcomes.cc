#include "checks/outcomes.h"

#include "checks/latency.h"

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
  for (std::size_t intent : charged_intents(history, truth.ledger())) {
    if (intent != kNoIntent) ++out[intent].charges;
  }
  return out;
}

}  // namespace idemlab::checks
