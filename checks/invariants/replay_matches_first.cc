#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

// A documented answer that is not a result: conflict, reuse, bad request, or
// a transient server error.
bool is_conflict_or_transient(int status) { return status == 409 || status == 422 || status == 400 || status >= 500; }

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const IntentView& intent : context.intents()) {
    const models::clients::HistoryEvent* first = nullptr;  // the first answer that is a result
    for (const models::clients::HistoryEvent* e : intent.events) {
      if (!is_answer(*e) || is_conflict_or_transient(e->status)) continue;
      if (first == nullptr) {
        first = e;
        continue;
      }
      if (e->status == first->status && e->body_hash == first->body_hash) continue;
      out.push_back({kReplayMatchesFirst, intent.id,
                     "attempt " + std::to_string(e->attempt) + " (sender " + std::to_string(e->sender) + ") got " +
                         std::to_string(e->status) + (e->replayed ? " (replayed)" : "") +
                         " with another body than the first answer, " + std::to_string(first->status) + " at " +
                         sim::format_time(first->at)});
    }
  }
}

}  // namespace

extern const InvariantInfo replay_matches_first{
    kReplayMatchesFirst,
    "A repeated request is answered like the first: every result an intent's requests got (any answer but a "
    "conflict, a key reuse, a bad request or a 5xx) has the first result's status and the same body, byte for "
    "byte, as the IETF Idempotency-Key draft asks of a replay.",
    false, &check};

}  // namespace idemlab::checks::invariants
