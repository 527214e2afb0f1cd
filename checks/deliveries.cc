#include "checks/deliveries.h"

namespace idemlab::checks {

using models::PortOp;

Deliveries deliveries_of(const models::PortHistory& history) {
  Deliveries out;
  // Per actor: its handling under way (an index into out.handlings), and
  // its deliveries by tag.
  std::map<std::uint32_t, std::size_t> current;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::size_t> by_tag;
  for (const PortOp& op : history.ops()) {
    switch (op.kind) {
      case PortOp::Kind::kPublish:
        if (op.made()) out.published.push_back(&op);
        break;
      case PortOp::Kind::kConsume:
        out.consumed_queues.insert(op.queue);
        break;
      case PortOp::Kind::kDelivered: {
        Handling h;
        h.message = op.subject;
        h.queue = op.queue;
        h.actor = op.actor;
        h.delivered = op.answered;
        out.handlings.push_back(std::move(h));
        current[op.actor] = out.handlings.size() - 1;
        by_tag[{op.actor, op.tag}] = out.handlings.size() - 1;
        break;
      }
      case PortOp::Kind::kSettled: {
        if (op.outcome == PortOp::Outcome::kNotMade) break;
        const auto it = by_tag.find({op.actor, op.tag});
        if (it == by_tag.end()) break;
        out.handlings[it->second].settled = true;
        const auto now = current.find(op.actor);
        if (now != current.end() && now->second == it->second) current.erase(now);
        break;
      }
      case PortOp::Kind::kMoneyMoved:
      case PortOp::Kind::kCommitChanged: {
        const auto now = current.find(op.actor);
        if (now == current.end() || !op.made()) break;
        Handling& h = out.handlings[now->second];
        (op.kind == PortOp::Kind::kMoneyMoved ? h.moved_money : h.changed_rows) = true;
        break;
      }
      default:
        break;
    }
  }
  return out;
}

}  // namespace idemlab::checks
