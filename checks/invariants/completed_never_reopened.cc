#include "checks/invariant.h"

namespace idemlab::checks::invariants {
namespace {

using models::PortOp;
using models::RecordState;

// A record of completed work, as far as the port history tells.
struct Completed {
  bool stands = false;
  const PortOp* written = nullptr;
  sim::Time expires_no_sooner = sim::kTimeNever;
};

void judge(const CheckContext& context, const std::string& record, const RecordTimeline& timeline,
           std::vector<Violation>& out) {
  const models::PortHistory& history = context.truth().port_history();
  Completed done;
  RecordOrder order;
  for (const PortOp* op : timeline) {
    const bool is_write = op->kind == PortOp::Kind::kKvWrite || op->kind == PortOp::Kind::kRowWrite;
    // A write made only if the record was absent found it gone (expired,
    // evicted, lost in a restart): it overwrote nothing.
    if (done.stands && order.certain(*op) && is_write && op->made() && op->state == RecordState::kInProgress &&
        op->guard != PortOp::Guard::kIfAbsent && op->answered < done.expires_no_sooner) {
      out.push_back({kCompletedNeverReopened, record,
                     history.actor_name(op->actor) + " wrote an in-progress record at " +
                         sim::format_time(op->answered) + " over the completed one that " +
                         history.actor_name(done.written->actor) + " wrote at " +
                         sim::format_time(done.written->answered)});
    }
    order.advance(*op);
    switch (op->kind) {
      case PortOp::Kind::kKvWrite:
      case PortOp::Kind::kRowWrite:
        done.stands = op->made() && op->state == RecordState::kCompleted;
        done.written = op;
        done.expires_no_sooner = op->ttl > 0 ? op->issued + op->ttl : sim::kTimeNever;
        break;
      case PortOp::Kind::kKvExpire:
        done.stands = done.stands && op->made();
        done.expires_no_sooner = op->issued + op->ttl;
        break;
      default:  // deleted, found gone, or its table's rows forgotten
        done.stands = false;
        break;
    }
  }
}

void check(const CheckContext& context, std::vector<Violation>& out) {
  for (const auto& [key, timeline] : context.records().keys) judge(context, key, timeline, out);
  for (const auto& [row, timeline] : context.records().rows) judge(context, row, timeline, out);
}

}  // namespace

extern const InvariantInfo completed_never_reopened{
    kCompletedNeverReopened,
    "A record of completed work (a Redis value or a row whose state or status says completed, succeeded, failed or "
    "the like, or that keeps a response) is never overwritten by one that says the work is under way, while it "
    "stands: a retry would then take the payment for new, or wait on work that is done. Expiry, deletion and a "
    "write made only if the record was absent are no overwrite. Judged from the port history, and only where the "
    "order of the two writes is certain.",
    false, &check};

}  // namespace idemlab::checks::invariants
