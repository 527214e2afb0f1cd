#include <algorithm>
#include <cassert>
#include <map>
#include <utility>
#include <vector>

#include "checks/invariant.h"

namespace idemlab::checks {

using models::clients::HistoryEvent;
using models::processor::LedgerEntry;

bool is_answer(const HistoryEvent& e) {
  return (e.kind == HistoryEvent::Kind::kOk || e.kind == HistoryEvent::Kind::kFail) && e.status != 0;
}
bool is_success(int status) { return status >= 200 && status < 300 && status != 202; }
bool is_definitive_failure(int status) { return status >= 400 && status < 500 && status != 409 && status != 429; }

namespace {

// The history the client model writes: time never goes back, and every
// answer (or timeout) closes an attempt that its sender invoked before.
// Checked at the end of every run, so with two sorted vectors rather than a
// node per attempt.
void assert_history_well_formed(const models::clients::History& history) {
  // (intent, sender, attempt) packed, and the event's index.
  using Mark = std::pair<std::uint64_t, std::size_t>;
  std::vector<Mark> invokes;
  std::vector<Mark> answers;
  invokes.reserve(history.events().size());
  answers.reserve(history.events().size());
  sim::Time last = 0;
  for (std::size_t i = 0; i < history.events().size(); ++i) {
    const HistoryEvent& e = history.events()[i];
    assert(e.intent < history.intents().size() && "a history event of an unknown intent");
    assert(e.at >= last && "history events out of time order");
    last = e.at;
    const std::uint64_t attempt = (std::uint64_t{e.intent} << 24) | (std::uint64_t{e.sender} << 16) | e.attempt;
    if (e.kind == HistoryEvent::Kind::kInvoke) invokes.emplace_back(attempt, i);
    if (e.kind != HistoryEvent::Kind::kInvoke && e.kind != HistoryEvent::Kind::kGiveUp) answers.emplace_back(attempt, i);
  }
  std::sort(invokes.begin(), invokes.end());
  std::sort(answers.begin(), answers.end());
  for (std::size_t i = 1; i < invokes.size(); ++i) {
    assert(invokes[i].first != invokes[i - 1].first && "an attempt invoked twice");
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    assert((i == 0 || answers[i].first != answers[i - 1].first) && "an attempt answered twice");
    const auto invoke = std::lower_bound(invokes.begin(), invokes.end(), Mark{answers[i].first, 0});
    assert(invoke != invokes.end() && invoke->first == answers[i].first && invoke->second < answers[i].second &&
           "an answer to an attempt never invoked");
    (void)invoke;
  }
  std::size_t previous = 0;
  for (std::size_t i = 0; i < history.payments().size(); ++i) {
    const models::clients::PaymentAnswer& p = history.payments()[i];
    assert(p.event < history.events().size() && (i == 0 || p.event > previous) && "payments out of event order");
    assert(is_answer(history.events()[p.event]) && history.events()[p.event].status / 100 == 2 &&
           "a payment described by something other than a 2xx answer");
    previous = p.event;
  }
}

// The processor's ledger: in time order, every refund of an earlier charge
// of the same intent. (Amounts are what strategies sent: not asserted.)
void assert_ledger_well_formed(const std::vector<LedgerEntry>& ledger) {
  std::map<std::uint32_t, const LedgerEntry*> charges;
  sim::Time last = 0;
  for (const LedgerEntry& entry : ledger) {
    assert(entry.at >= last && "ledger entries out of time order");
    last = entry.at;
    if (entry.kind == LedgerEntry::Kind::kCharge) {
      assert(charges.emplace(entry.number, &entry).second && "a charge number used twice");
    } else {
      const auto charge = charges.find(entry.charge);
      assert(charge != charges.end() && "a refund of no earlier charge");
      assert(charge->second->intent == entry.intent && "a refund booked to another intent than its charge");
    }
  }
}

}  // namespace

CheckContext::CheckContext(GroundTruth& truth, const CheckOptions& options)
    : truth_(truth), options_(options), history_(truth.history()) {
  assert(options.stuck_after >= 0 && "a negative stuck_after");
  assert_history_well_formed(history_);
  const std::vector<LedgerEntry>& ledger = truth.ledger();
  assert_ledger_well_formed(ledger);
  assert((history_.events().empty() || truth.now() >= history_.events().back().at) &&
         "the run ends before its last history event");

  intents_.resize(history_.intents().size());
  std::map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < intents_.size(); ++i) {
    IntentView& view = intents_[i];
    view.intent = &history_.intents()[i];
    view.id = history_.intent_id(*view.intent);
    const bool fresh = by_id.emplace(view.id, i).second;
    assert(fresh && "two intents with one id");
    (void)fresh;
    view.declined = truth.declines().count(view.id) != 0;
  }
  for (const HistoryEvent& e : history_.events()) intents_[e.intent].events.push_back(&e);
  for (const models::clients::PaymentAnswer& p : history_.payments()) {
    intents_[history_.events()[p.event].intent].payments.push_back(&p);
  }
  for (const LedgerEntry& entry : ledger) {
    // A charge the workload never made (only a contract rule's) concerns no intent.
    const auto found = by_id.find(entry.intent);
    if (found == by_id.end()) continue;
    IntentMoney& money = intents_[found->second].money;
    money.entries.push_back(&entry);
    if (entry.kind == LedgerEntry::Kind::kCharge) {
      ++money.charges;
      money.charged += entry.amount;
    } else {
      money.refunded += entry.amount;
    }
  }
}

const Records& CheckContext::records() const {
  if (!records_) records_ = records_of(truth_.port_history());
  return *records_;
}

const Deliveries& CheckContext::deliveries() const {
  if (!deliveries_) deliveries_ = deliveries_of(truth_.port_history());
  return *deliveries_;
}

}  // namespace idemlab::checks
