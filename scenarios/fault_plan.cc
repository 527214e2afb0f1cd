#include "scenarios/fault_plan.h"

#include "sim/state_writer.h"
#include <cassert>
#include <set>

namespace idemlab::scenarios {
namespace {

using Action = TargetedFault::Action;
using ports::Result;
using sim::Task;

constexpr const char* kActionNames[] = {"crash",         "drop_reply",     "drop_request",     "duplicate",     "delay",
                                        "restart_redis", "failover_redis", "restart_postgres", "restart_broker"};

const std::set<std::string>& port_operations() {
  static const std::set<std::string> kOps = {
      "processor.charge", "processor.refund",  "processor.find_charge",  "kv.get",     "kv.set",
      "kv.set_get",       "kv.del",            "kv.expire",              "kv.compare_and_delete",
      "kv.compare_and_set", "sql.begin",       "sql.insert",             "sql.insert_on_conflict",
      "sql.select",       "sql.update",        "sql.remove",             "sql.commit",
      "queue.publish",    "queue.ack",         "queue.nack"};
  return kOps;
}

bool is_link_point(const std::string& point) {
  return point.rfind("reply:", 0) == 0 || point.rfind("request:", 0) == 0;
}

bool is_network_action(Action a) {
  return a == Action::kDropReply || a == Action::kDropRequest || a == Action::kDuplicate || a == Action::kDelay;
}

// "reply:client<-api" -> (client, api); "request:api->processor" -> (api, processor).
bool split_link(const std::string& point, std::string& caller, std::string& callee) {
  const auto colon = point.find(':');
  const std::string kind = point.substr(0, colon);
  const std::string link = point.substr(colon + 1);
  if (kind == "reply") {
    const auto arrow = link.find("<-");
    if (arrow == std::string::npos) return false;
    caller = link.substr(0, arrow);
    callee = link.substr(arrow + 2);
    return !caller.empty() && !callee.empty();
  }
  if (kind == "request") {
    const auto arrow = link.find("->");
    if (arrow == std::string::npos) return false;
    caller = link.substr(0, arrow);
    callee = link.substr(arrow + 2);
    return !caller.empty() && !callee.empty();
  }
  return false;
}

}  // namespace

std::string port_of_backend(const std::string& backend) {
  if (backend == "redis") return "kv";
  if (backend == "postgres") return "sql";
  if (backend == "rabbitmq") return "queue";
  if (backend == "processor") return "processor";
  return {};
}

bool takes_effect_over_time(std::string_view op) { return op.rfind("processor.", 0) == 0 || op == "queue.publish"; }

const char* action_name(Action action) { return kActionNames[static_cast<int>(action)]; }

bool parse_action(const std::string& name, Action& out) {
  for (int i = 0; i < static_cast<int>(std::size(kActionNames)); ++i) {
    if (name == kActionNames[i]) {
      out = static_cast<Action>(i);
      return true;
    }
  }
  return false;
}

std::optional<std::string> validate_point(const std::string& point, Action action) {
  const auto colon = point.find(':');
  if (colon == std::string::npos) return "point must look like after:processor.charge or reply:client<-api";
  const std::string kind = point.substr(0, colon);
  if (kind == "before" || kind == "after") {
    std::string operation = point.substr(colon + 1);
    const auto at = operation.find('@');
    if (at != std::string::npos) {
      if (at + 1 == operation.size()) return "empty node name after @";
      operation = operation.substr(0, at);
    }
    if (!port_operations().count(operation)) return "unknown port operation " + operation;
    if (action == Action::kDropRequest && kind != "before") return "drop_request needs a before: point";
    if (action == Action::kDropReply && kind != "after") return "drop_reply needs an after: point";
    if (action == Action::kDuplicate || action == Action::kDelay) {
      return std::string("action ") + action_name(action) + " needs a reply: or request: point";
    }
    return std::nullopt;
  }
  std::string caller, callee;
  if (!split_link(point, caller, callee)) return "point must look like reply:<caller><-<callee> or request:<caller>-><callee>";
  if (!is_network_action(action)) return std::string("action ") + action_name(action) + " needs a before:/after: point";
  return std::nullopt;
}

std::vector<std::string> point_nodes(const std::string& point) {
  std::string caller, callee;
  if (is_link_point(point) && split_link(point, caller, callee)) return {caller, callee};
  const auto at = point.find('@');
  if (at != std::string::npos) return {point.substr(at + 1)};
  return {};
}

FaultPlan::FaultPlan(models::Host& world, std::vector<TargetedFault> faults, ServerActions& servers)
    : world_(world), servers_(servers), faults_(std::move(faults)) {
  for (const TargetedFault& fault : faults_) {
    assert(!validate_point(fault.point, fault.action).has_value());
    watched_.insert(fault.point.substr(0, fault.point.find('@')));
  }
  world_.decorate_ports([this](sim::Node& node, ports::Ports inner) {
    for (auto& existing : decorated_) {
      if (&existing->owner() == &node) return existing->ports();
    }
    decorated_.push_back(std::make_unique<ports::FaultyPorts>(inner, *this, node));
    return decorated_.back()->ports();
  });
}

FaultPlan::~FaultPlan() = default;

void FaultPlan::arm_network_faults() {
  calls_when_armed_ = world_.net().call_counts();
  for (const TargetedFault& fault : faults_) {
    if (is_link_point(fault.point)) apply_network_fault(fault);
  }
}

std::vector<std::pair<sim::Network::LinkKey, std::uint64_t>> FaultPlan::link_calls() const {
  std::vector<std::pair<sim::Network::LinkKey, std::uint64_t>> out;
  for (const auto& [link, calls] : world_.net().call_counts()) {
    const auto armed = calls_when_armed_.find(link);
    const std::uint64_t before = armed == calls_when_armed_.end() ? 0 : armed->second;
    if (calls > before) out.emplace_back(link, calls - before);
  }
  return out;
}

void FaultPlan::apply_network_fault(const TargetedFault& fault) {
  std::string caller, callee;
  const bool ok = split_link(fault.point, caller, callee);
  assert(ok);
  sim::Node* from = world_.find_node(caller);
  sim::Node* to = world_.find_node(callee);
  // The loader checks that the name is a node of some strategy's world; a
  // worker of another strategy is absent here, and the fault does not apply.
  if (from == nullptr || to == nullptr) return;
  sim::Fault f = sim::Fault::kDropReply;
  switch (fault.action) {
    case Action::kDropReply: f = sim::Fault::kDropReply; break;
    case Action::kDropRequest: f = sim::Fault::kDropRequest; break;
    case Action::kDuplicate: f = sim::Fault::kDuplicate; break;
    case Action::kDelay: f = sim::Fault::kDelay; break;
    default: assert(false && "not a network action");
  }
  world_.net().inject_nth(*from, *to, f, fault.nth, fault.action == Action::kDelay ? fault.delay : 0);
  taken_.push_back(std::string(action_name(fault.action)) + " at " + fault.point + " #" + std::to_string(fault.nth));
}

std::optional<std::string> FaultPlan::cannot_take(const TargetedFault& fault, const sim::Node& node) const {
  if (fault.action == Action::kCrash && !node.up()) return node.name() + " is already down";
  if (fault.action == Action::kFailoverRedis && !world_.config().redis.replica) {
    return "the world has no Redis replica to promote ($.redis.replica is false)";
  }
  return std::nullopt;
}

void FaultPlan::crash_and_restart(sim::Node& node, sim::Duration downtime) {
  node.crash();
  auto restart = [](sim::Simulator& sim, sim::Node& n, sim::Duration after) -> Task<void> {
    co_await sim.sleep(after);
    if (!n.up()) n.start();
  };
  world_.sim().spawn(restart(world_.sim(), node, downtime), nullptr, "restart " + node.name());
}

namespace {

// "after:x.y" matches at every node; "after:x.y@n" only at node n;
// "after:x.*" any operation of port x.
bool matches(const std::string& wanted, const std::string& point, const sim::Node& node) {
  const auto at = wanted.find('@');
  const std::string operation = wanted.substr(0, at);
  const bool whole_port = operation.size() > 2 && operation.compare(operation.size() - 2, 2, ".*") == 0;
  const bool same = whole_port ? point.compare(0, operation.size() - 1, operation, 0, operation.size() - 1) == 0
                               : operation == point;
  return same && (at == std::string::npos || wanted.substr(at + 1) == node.name());
}

}  // namespace

void FaultPlan::arm_next(TargetedFault fault) {
  assert(!validate_point(fault.point, fault.action).has_value() && !is_link_point(fault.point));
  // Counted as hit() counts it: per point, and per node for "@node" points.
  const std::string counted = fault.point.substr(0, fault.point.find('@'));
  watched_.insert(counted);
  fault.nth += hits_[fault.point];
  faults_.push_back(std::move(fault));
}

void FaultPlan::take_backend_link_faults_at_ports() {
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    TargetedFault& fault = faults_[i];
    std::string caller, callee;
    if (!is_link_point(fault.point) || !split_link(fault.point, caller, callee)) continue;
    const std::string port = port_of_backend(callee);
    if (port.empty()) continue;  // a client link: still simulated
    assert(fault.action == Action::kDropReply || fault.action == Action::kDropRequest);
    shown_as_[i] = fault.point;
    // The caller of a lost request or reply waits for its timeout, as it
    // did on the simulated link.
    const models::WorldConfig& config = world_.config();
    drop_waits_[i] = port == "kv"      ? config.redis_timeout
                     : port == "sql"   ? config.postgres_timeout
                     : port == "queue" ? config.rabbitmq_timeout
                                       : config.processor_timeout;
    fault.point = (fault.action == Action::kDropReply ? "after:" : "before:") + port + ".*@" + caller;
    watched_.insert(fault.point.substr(0, fault.point.find('@')));
  }
}

FaultPlan::Verdict FaultPlan::hit(const std::string& point, sim::Node& node) {
  const std::string family = point.substr(0, point.find('.')) + ".*";  // "after:kv.set" -> "after:kv.*"
  // Only the points some fault names are counted; the rest pass straight on.
  if (!keep_steps_ && !record_sites_ && !watched_.count(point) && !watched_.count(family)) return Verdict::kContinue;
  // Named before the faults act: a crash ends the process.
  const sim::Process* process = world_.sim().current();
  const std::string process_name = keep_steps_ && process != nullptr ? process->name : std::string();
  // Counted per point and node, so that "@node" points count that node's
  // hits, and per port ("after:kv.*"), for link faults taken at the ports.
  ++hits_[point];
  const std::uint64_t at_node = ++hits_[point + "@" + node.name()];
  ++hits_[family];
  ++hits_[family + "@" + node.name()];
  if (record_sites_) port_sites_.push_back({point + "@" + node.name(), at_node});
  Verdict verdict = Verdict::kContinue;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    const TargetedFault& fault = faults_[i];
    if (!matches(fault.point, point, node)) continue;
    const std::string counted = fault.point.substr(0, fault.point.find('@'));
    const std::uint64_t count = hits_[fault.point.find('@') == std::string::npos ? counted : counted + "@" + node.name()];
    if (fault.nth != count) continue;
    const auto shown = shown_as_.find(i);
    const std::string described = std::string(action_name(fault.action)) + " at " +
                                  (shown == shown_as_.end() ? fault.point : shown->second + " (at the port, " + fault.point + ")") +
                                  " #" + std::to_string(count) + " on " + node.name();
    // A fault the world cannot take at this moment is not a bug of the
    // script's author: it is recorded as not taken, with the reason.
    if (const std::optional<std::string> why = cannot_take(fault, node)) {
      not_taken_.push_back(described + ": not taken: " + *why);
      if (world_.sim().trace().enabled()) world_.sim().record(node.name(), "fault", not_taken_.back());
      continue;
    }
    taken_.push_back(described);
    if (world_.sim().trace().enabled()) world_.sim().record(node.name(), "fault", taken_.back());
    switch (fault.action) {
      case Action::kCrash:
        crash_and_restart(node, fault.downtime_max > fault.downtime
                                    ? sim::LatencyModel::uniform(fault.downtime, fault.downtime_max)
                                          .sample(world_.sim().tape())
                                    : fault.downtime);
        verdict = Verdict::kHalt;
        break;
      case Action::kDropRequest:  // at a before: point: the operation does not happen
      case Action::kDropReply:    // at an after: point: it happened, the caller does not know
        if (verdict == Verdict::kContinue) {
          verdict = Verdict::kDrop;
          const auto wait = drop_waits_.find(i);
          last_drop_wait_ = wait == drop_waits_.end() ? 0 : wait->second;
        }
        break;
      case Action::kRestartRedis: servers_.restart_redis(); break;
      case Action::kFailoverRedis: servers_.failover_redis(); break;
      case Action::kRestartPostgres: servers_.restart_postgres(); break;
      case Action::kRestartBroker: servers_.restart_broker(); break;
      default: assert(false && "link faults are injected up front");
    }
  }
  // A step is an operation where it took effect, in that order, which real
  // mode's turnstile reproduces: as its caller saw it end (its after: point),
  // or where a fault dropped it or crashed its node before it was made. (The
  // order calls started in is not that order: a call started first may be
  // served second.) Operations that take effect over time: where they started.
  if (keep_steps_) {
    const bool after = point.rfind("after:", 0) == 0;
    const std::string op = point.substr(after ? 6 : 7);
    const bool step = takes_effect_over_time(op) ? !after : (after || verdict != Verdict::kContinue);
    if (step) steps_.push_back({node.name(), process_name, op});
  }
  return verdict;
}

void FaultPlan::write_state(sim::StateWriter& out) const {
  out.tag("faults");
  for (const auto& [point, hits] : hits_) {
    out.str(point);
    out.u64(hits);
  }
  out.u64(taken_.size());
  out.u64(not_taken_.size());
  out.i64(last_drop_wait_);
}

}  // namespace idemlab::scenarios
