// What the clients waited: each attempt's latency, from its invoke to its
// answer (ok or fail) or to the client's timeout (unknown), read from the
// history. The cost side of a strategy, in simulation and on the live
// servers alike.
#pragma once

#include <cstdint>
#include <vector>

#include "models/clients/history.h"
#include "models/processor/processor.h"
#include "sim/time.h"

namespace idemlab::checks {

// One intent as its clients lived it, for load figures.
struct IntentTiming {
  sim::Time arrived_at = -1;    // its first invoke, or its give-up if nothing was ever sent
  sim::Time succeeded_at = -1;  // its first 2xx; -1: none
  sim::Time settled_at = -1;    // its last event: every sender answered or gave up
  sim::Time charged_at = -1;    // its first charge in the processor's ledger; -1: none
  std::uint32_t attempts = 0;   // invokes, of every sender
};

// Per ledger entry, the index of the history's intent it charged; kNoIntent
// for a refund or an entry of no intent of this history. One pass each:
// a load run has as many entries as intents.
inline constexpr std::size_t kNoIntent = SIZE_MAX;
std::vector<std::size_t> charged_intents(const models::clients::History& history,
                                         const std::vector<models::processor::LedgerEntry>& ledger);

// Per intent, in the history's order, with the time of each one's first
// charge in `ledger` (an accepted 202 is not a payment made: the charge is).
std::vector<IntentTiming> intent_timings(const models::clients::History& history,
                                         const std::vector<models::processor::LedgerEntry>& ledger);

// Every attempt that ended, in the order they ended.
std::vector<sim::Duration> attempt_latencies(const models::clients::History& history);

// The q-quantile (0 < q <= 1) by nearest rank; 0 for no samples.
sim::Duration percentile(std::vector<sim::Duration> samples, double q);

}  // namespace idemlab::checks
