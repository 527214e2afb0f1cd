// The invariants, judged from ground truth (the processor's ledger, the final
// tables and keyspace) and from the client-side history, never from response
// ids alone. Ground truth comes from the models in simulation and from the
// live servers in real mode (GroundTruth), and is judged the same way.
//
// Each invariant is a file of its own under checks/invariants/, registered in
// one line of checks/registry.cc (checks/invariant.h says how to write one).
// The checker stands apart from the strategies: it knows no strategy's
// tables, keys or queues. It reads the processor's ledger, the client
// history, the port history (what the strategy wrote, published and
// received, by whom: models/port_history.h), and, for no_stuck_key, the
// final keyspace and tables, where it recognises records by their own
// words: a "state" or "status" that says the work is under way, and a
// "lease_until" column.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
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
inline constexpr const char* kFailedPaymentNotCharged = "failed_payment_not_charged";
inline constexpr const char* kOneChargeOneAnswer = "one_charge_one_answer";
inline constexpr const char* kCompletedNeverReopened = "completed_never_reopened";
inline constexpr const char* kOneOwnerPerKey = "one_owner_per_key";
inline constexpr const char* kMessageAppliedOnce = "message_applied_at_most_once";
inline constexpr const char* kEveryMessageHandled = "every_message_handled";

// Every invariant's name, in report order.
const std::vector<std::string>& invariant_names();
bool is_invariant(const std::string& name);
// Invariants that more time can still satisfy (an intent not yet resolved,
// an event not yet published); the others, once broken, stay broken.
bool is_liveness(const std::string& invariant);
// The paragraph a report prints for an invariant (REQUIRES: it is one).
const char* invariant_paragraph(const std::string& invariant);

// Which invariants a run judges: every one, or a scenario's choice.
struct InvariantSelection {
  std::set<std::string> only;      // when not empty: these and no others
  std::set<std::string> excluded;  // never these

  bool selects(const std::string& invariant) const {
    return (only.empty() || only.count(invariant) != 0) && excluded.count(invariant) == 0;
  }
  bool operator==(const InvariantSelection&) const = default;
};

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
  // Every invariant when null.
  const InvariantSelection* invariants = nullptr;
};

// What the checker reads at the end of a run.
class GroundTruth {
 public:
  virtual ~GroundTruth() = default;
  virtual const models::clients::History& history() = 0;
  // What the strategy did through its ports, in order (the history invariants).
  virtual const models::PortHistory& port_history() = 0;
  // Successful charges and refunds, in the order they happened.
  virtual const std::vector<models::processor::LedgerEntry>& ledger() = 0;
  // Declined charges per intent.
  virtual const std::map<std::string, std::int64_t>& declines() = 0;
  // Refunds by a charge's downstream key that found no charge, in order.
  virtual const std::vector<models::processor::RefundMiss>& refund_misses() = 0;
  // Calls `visit` with each Redis key that has no expiry and its value.
  virtual void for_each_key_without_expiry(const std::function<void(const std::string&, const std::string&)>& visit) = 0;
  virtual bool has_table(const std::string& table) = 0;
  virtual std::vector<std::string> table_names() = 0;
  virtual std::vector<ports::Row> committed_rows(const std::string& table) = 0;
  virtual sim::Time now() = 0;
};

// The simulator's ground truth: the models, read in place.
std::unique_ptr<GroundTruth> model_truth(models::World& world);

std::vector<Violation> check(GroundTruth& truth, const CheckOptions& options);
// Whether a liveness invariant is still violated: more time could yet close it.
bool liveness_open(GroundTruth& truth, const CheckOptions& options);
// check() over the simulator's models.
std::vector<Violation> check_world(models::World& world, const CheckOptions& options);

}  // namespace idemlab::checks
