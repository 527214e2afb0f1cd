#include "checks/latency.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <map>
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

std::vector<IntentTiming> intent_timings(const models::clients::History& history) {
  std::vector<IntentTiming> out(history.intents().size());
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
