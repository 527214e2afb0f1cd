#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

using models::PortOp;

// The claim a key holds, as far as the port history tells.
struct Claim {
  bool held = false;
  const PortOp* made = nullptr;      // the write that made it
  sim::Time expires_no_sooner = 0;   // kTimeNever: no expiry
};

// A claim: a value written only if the key was absent or held what its
// writer expected, unless it records completed work; or any value that says
// work is under way.
bool makes_claim(const PortOp& write) {
  return (write.guard != PortOp::Guard::kNone && write.state != models::RecordState::kCompleted) ||
         write.state == models::RecordState::kInProgress;
}

void judge_key(const CheckContext& context, const std::string& key, const RecordTimeline& timeline,
               std::vector<Violation>& out) {
  const models::PortHistory& history = context.truth().port_history();
  Claim claim;
  RecordOrder order;
  for (const PortOp* op : timeline) {
    // Another actor's unconditional delete, or its overwrite with anything
    // but completed work, of a claim that certainly stood and had not
    // expired: two owners at once.
    const bool takes = op->kind == PortOp::Kind::kKvDelete ||
                       (op->kind == PortOp::Kind::kKvWrite && op->state != models::RecordState::kCompleted);
    if (claim.held && order.certain(*op) && takes && op->made() && op->guard == PortOp::Guard::kNone &&
        op->actor != claim.made->actor && op->answered < claim.expires_no_sooner) {
      out.push_back({kOneOwnerPerKey, key,
                     history.actor_name(op->actor) + (op->kind == PortOp::Kind::kKvDelete ? " deleted" : " overwrote") +
                         " at " + sim::format_time(op->answered) + " the claim that " +
                         history.actor_name(claim.made->actor) + " made at " + sim::format_time(claim.made->answered) +
                         ", which had not expired"});
    }
    order.advance(*op);
    switch (op->kind) {
      case PortOp::Kind::kKvWrite:
        claim.held = op->made() && makes_claim(*op);
        claim.made = op;
        // The server set the expiry no sooner than the write went out.
        claim.expires_no_sooner = op->ttl > 0 ? op->issued + op->ttl : sim::kTimeNever;
        break;
      case PortOp::Kind::kKvExpire:
        claim.held = claim.held && op->made();
        claim.expires_no_sooner = op->issued + op->ttl;
        break;
      default:  // deleted, or found gone
        claim.held = false;
        break;
    }
  }
}

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const auto& [key, timeline] : context.records().keys) judge_key(context, key, timeline, out);
}

}  // namespace

extern const InvariantInfo one_owner_per_key{
    kOneOwnerPerKey,
    "A Redis key is never held by two owners at once: a claim (a value written only if the key was absent or held "
    "what its writer expected, or a value that says work is under way) is taken from its owner only by expiry, by "
    "a conditional write or delete, or by a record of completed work; never by another request's or worker's "
    "plain SET or DEL while it stands, as a lock released with DEL after its lease ran out does to the next "
    "owner's lock. Judged from the port history, and only where the order of the two operations is certain.",
    false, &check};

}  // namespace idemlab::checks::invariants
