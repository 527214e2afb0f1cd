// The invariants, judged from ground truth (the processor's ledger, the final
// tables and keyspace) and from the client-side history, never from response
// ids alone. The checker stands apart from the strategies: it knows the
// world's models and the conventions strategies follow for what it inspects:
// in-progress records (a "pending" status column with a "lease_until", or a
// Redis JSON record with "state":"in_progress"), an outbox
// (outbox_events(event_id, sent), outbox_applied(event_id)) and sagas
// (sagas(key, status), saga_reservations(key, released)).
#pragma once

#include <string>
#include <vector>

#include "models/world.h"

namespace idemlab::checks {

// Stable names, used in reports and scenario expectations.
inline constexpr const char* kAtMostOneCharge = "at_most_one_charge";
inline constexpr const char* kRefundsWithinCharges = "refunds_within_charges";
inline constexpr const char* kSuccessWasCharged = "success_was_charged";
inline constexpr const char* kEveryIntentResolved = "every_intent_resolved";
inline constexpr const char* kReplayMatchesFirst = "replay_matches_first";
inline constexpr const char* kNoStuckKey = "no_stuck_key";
inline constexpr const char* kOutboxDelivered = "outbox_event_published_and_applied";
inline constexpr const char* kSagaFinished = "saga_completed_or_compensated";

const std::vector<std::string>& invariant_names();
// Invariants that more time can still satisfy (an intent not yet resolved,
// an event not yet published); the others, once broken, stay broken.
bool is_liveness(const std::string& invariant);

struct Violation {
  std::string invariant;
  std::string intent;    // the client intent, or the key, it concerns
  std::string evidence;  // what ground truth and the history show
};

struct CheckOptions {
  // The run ended with a liveness phase (faults off, retries allowed to
  // converge): every intent must then be charged or definitively failed.
  bool liveness = false;
  // An in-progress record older than this at the end is stuck.
  sim::Duration stuck_after = 60 * sim::kSecond;
};

std::vector<Violation> check_world(models::World& world, const CheckOptions& options);

}  // namespace idemlab::checks
