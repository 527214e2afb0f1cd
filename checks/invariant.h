// How an invariant is written: a file under checks/invariants/ defines one
// InvariantInfo (its name, the paragraph reports print, and a function that
// judges a run), and checks/registry.cc lists it in one line.
//
// The function reads a CheckContext: the ground truth and the client history
// of one run, already arranged per intent (its events in order, its money in
// the ledger, the payments its 2xx answers describe). It appends a Violation
// for each breach, naming the intent or key and what the evidence shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checks/deliveries.h"
#include "checks/invariants.h"
#include "checks/records.h"
#include "models/clients/history.h"

namespace idemlab::checks {

// An intent's movements in the processor's ledger.
struct IntentMoney {
  std::int64_t charges = 0;   // successful charges
  std::int64_t charged = 0;   // their amounts, summed
  std::int64_t refunded = 0;  // refunds of its charges, summed
  std::vector<const models::processor::LedgerEntry*> entries;  // in ledger order
};

// One intent, as the checker reads it.
struct IntentView {
  std::string id;  // "client-1/pi_3", as the ledger names it
  const models::clients::Intent* intent = nullptr;
  std::vector<const models::clients::HistoryEvent*> events;     // in the order recorded
  std::vector<const models::clients::PaymentAnswer*> payments;  // one per 2xx answer, in order
  IntentMoney money;
  bool declined = false;  // the processor declined a charge of it
};

class CheckContext {
 public:
  // Arranges the run's history and ledger. Asserts what the checker relies
  // on: events in time order, each answer after its own invoke, ledger
  // entries in time order, each refund of an earlier charge.
  CheckContext(GroundTruth& truth, const CheckOptions& options);
  CheckContext(const CheckContext&) = delete;
  CheckContext& operator=(const CheckContext&) = delete;

  GroundTruth& truth() const { return truth_; }
  const CheckOptions& options() const { return options_; }
  const models::clients::History& history() const { return history_; }
  const std::vector<IntentView>& intents() const { return intents_; }
  // The event an answer or a payment refers to, by its index.
  std::size_t event_index(const models::clients::HistoryEvent& event) const {
    return static_cast<std::size_t>(&event - history_.events().data());
  }
  // The port history arranged per record and per delivery: built on first
  // use, once for every invariant that reads it.
  const Records& records() const;
  const Deliveries& deliveries() const;

 private:
  GroundTruth& truth_;
  const CheckOptions& options_;
  const models::clients::History& history_;
  std::vector<IntentView> intents_;
  mutable std::optional<Records> records_;
  mutable std::optional<Deliveries> deliveries_;
};

struct InvariantInfo {
  const char* name;       // stable: reports, expectations and selections use it
  const char* paragraph;  // what it means and how it is judged, for reports
  // More time can still satisfy it (an intent not yet resolved, a saga not
  // yet finished): the run loop keeps going while one is open. Those judged
  // at quiescence only look at CheckOptions::liveness.
  bool liveness;
  void (*check)(const CheckContext& context, std::vector<Violation>& out);
};

// Every invariant, in report order (checks/registry.cc).
const std::vector<const InvariantInfo*>& all_invariants();
const InvariantInfo* find_invariant(const std::string& name);

// Helpers that several invariants share.
bool is_answer(const models::clients::HistoryEvent& e);  // ok or fail, with a status
bool is_success(int status);                              // 2xx other than 202 (accepted, not done)
// The API said no, for good: a 4xx other than 409 (in progress) and 429
// (slow down), which a client may retry.
bool is_definitive_failure(int status);

}  // namespace idemlab::checks
