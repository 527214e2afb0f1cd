// The registry of invariants: one line each, in report order. An invariant
// is a file of its own in checks/invariants/ (checks/invariant.h).
#include "checks/invariant.h"

// X(the InvariantInfo's name in namespace idemlab::checks::invariants)
#define IDEMLAB_INVARIANTS(X)        \
  X(at_most_one_charge)              \
  X(refunds_within_charges)          \
  X(success_was_charged)             \
  X(every_intent_resolved)           \
  X(replay_matches_first)            \
  X(no_stuck_key)                    \
  X(failed_payment_not_charged)      \
  X(one_charge_one_answer)           \
  X(completed_never_reopened)        \
  X(one_owner_per_key)               \
  X(message_applied_at_most_once)    \
  X(every_message_handled)

namespace idemlab::checks {
namespace invariants {
#define IDEMLAB_DECLARE(name) extern const InvariantInfo name;
IDEMLAB_INVARIANTS(IDEMLAB_DECLARE)
#undef IDEMLAB_DECLARE
}  // namespace invariants

const std::vector<const InvariantInfo*>& all_invariants() {
#define IDEMLAB_ENTRY(name) &invariants::name,
  static const std::vector<const InvariantInfo*> kAll = {IDEMLAB_INVARIANTS(IDEMLAB_ENTRY)};
#undef IDEMLAB_ENTRY
  return kAll;
}

const InvariantInfo* find_invariant(const std::string& name) {
  for (const InvariantInfo* info : all_invariants()) {
    if (info->name == name) return info;
  }
  return nullptr;
}

}  // namespace idemlab::checks
