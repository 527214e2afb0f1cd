#include "checks/records.h"

namespace idemlab::checks {

using models::PortOp;

Records records_of(const models::PortHistory& history) {
  Records records;
  for (const PortOp& op : history.ops()) {
    if (op.outcome == PortOp::Outcome::kNotMade) continue;
    switch (op.kind) {
      case PortOp::Kind::kKvWrite:
      case PortOp::Kind::kKvDelete:
      case PortOp::Kind::kKvExpire:
      case PortOp::Kind::kKvAbsent:
        records.keys[op.subject].push_back(&op);
        break;
      case PortOp::Kind::kRowWrite:
      case PortOp::Kind::kRowDelete:
        records.rows[op.subject].push_back(&op);
        break;
      case PortOp::Kind::kTableUnknown: {
        const std::string prefix = op.subject + "(";
        for (auto it = records.rows.lower_bound(prefix); it != records.rows.end() && it->first.rfind(prefix, 0) == 0; ++it) {
          it->second.push_back(&op);
        }
        break;
      }
      default:
        break;
    }
  }
  return records;
}

}  // namespace idemlab::checks
