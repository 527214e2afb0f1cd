#include "checks/latency.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
#include <string>
#include <tuple>

namespace idemlab::checks {

using models::clients::HistoryEvent;

std::vector<sim::Duration> attempt_latencies(const models::clients::History& history) {
  // An attempt is (intent, attempt number, sender): double clicks send the
  // same attempt number twice at once.
  std::map<std::tuple<std::uint32_t, std::uint16_t, std::uint8_t>, sim::Time> started;
  std::vector<sim::Duration> out;
  for (const HistoryEvent& e : history.events()) {
    const auto attempt = std::make_tuple(e.intent, e.attempt, e.sender);
    switch (e.kind) {
      case HistoryEvent::Kind::kInvoke: started[attempt] = e.at; break;
      case HistoryEvent::Kind::kOk:
      case HistoryEvent::Kind::kFail:
      case HistoryEvent::Kind::kUnknown: {
        const auto it = started.find(attempt);
        if (it == started.end()) break;
        out.push_back(e.at - it->second);
        started.erase(it);
        break;
      }
      case HistoryEvent::Kind::kGiveUp: break;
    }
  }
  return out;
}

std::vector<std::size_t> charged_intents(const models::clients::History& history,
                                         const std::vector<models::processor::LedgerEntry>& ledger) {
  std::map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < history.intents().size(); ++i) by_id.emplace(history.intent_id(history.intents()[i]), i);
  std::vector<std::size_t> out(ledger.size(), kNoIntent);
  for (std::size_t e = 0; e < ledger.size(); ++e) {
    if (ledger[e].kind != models::processor::LedgerEntry::Kind::kCharge) continue;
    const auto it = by_id.find(ledger[e].intent);
    if (it != by_id.end()) out[e] = it->second;
  }
  return out;
}

std::vector<IntentTiming> intent_timings(const models::clients::History& history,
                                         const std::vector<models::processor::LedgerEntry>& ledger) {
  std::vector<IntentTiming> out(history.intents().size());
  const std::vector<std::size_t> charged = charged_intents(history, ledger);
  for (std::size_t e = 0; e < ledger.size(); ++e) {
    if (charged[e] != kNoIntent && out[charged[e]].charged_at < 0) out[charged[e]].charged_at = ledger[e].at;
  }
  for (const HistoryEvent& e : history.events()) {
    IntentTiming& t = out[e.intent];
    if (t.arrived_at < 0) t.arrived_at = e.at;
    t.settled_at = e.at;
    if (e.kind == HistoryEvent::Kind::kInvoke) ++t.attempts;
    if (e.kind == HistoryEvent::Kind::kOk && e.status >= 200 && e.status < 300 && t.succeeded_at < 0) {
      t.succeeded_at = e.at;
    }
  }
  return out;
}

sim::Duration percentile(std::vector<sim::Duration> samples, double q) {
  assert(q > 0 && q <= 1);
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace idemlab::checks
