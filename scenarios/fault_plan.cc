#include "scenarios/fault_plan.h"

#include <cassert>
#include <coroutine>
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
      "processor.charge", "processor.refund", "kv.get",    "kv.set",        "kv.del",        "kv.expire",
      "kv.compare_and_delete", "sql.begin",  "sql.insert", "sql.insert_on_conflict", "sql.select", "sql.update",
      "sql.remove",       "sql.commit",       "queue.publish", "queue.ack",    "queue.nack"};
  return kOps;
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

// Suspends for good: used right after the caller's own node crashed, so
// that it stops here and is destroyed.
struct Halt {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

}  // namespace

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
    if (is_network_action(action)) return std::string("action ") + action_name(action) + " needs a network point";
    return std::nullopt;
  }
  std::string caller, callee;
  if (!split_link(point, caller, callee)) return "point must look like reply:<caller><-<callee> or request:<caller>-><callee>";
  if (!is_network_action(action)) return std::string("action ") + action_name(action) + " needs a before:/after: point";
  return std::nullopt;
}

// ---- decorators ------------------------------------------------------------------

namespace {

class FaultyProcessor final : public ports::Processor {
 public:
  FaultyProcessor(ports::Processor& inner, FaultPlan& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Charge>> charge(ports::ChargeRequest request) override {
    if (plan_.hit("before:processor.charge", node_)) co_await Halt{};
    auto result = co_await inner_.charge(std::move(request));
    if (plan_.hit("after:processor.charge", node_)) co_await Halt{};
    co_return result;
  }
  Task<Result<ports::Refund>> refund(ports::RefundRequest request) override {
    if (plan_.hit("before:processor.refund", node_)) co_await Halt{};
    auto result = co_await inner_.refund(std::move(request));
    if (plan_.hit("after:processor.refund", node_)) co_await Halt{};
    co_return result;
  }

 private:
  ports::Processor& inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

class FaultyKv final : public ports::Kv {
 public:
  FaultyKv(ports::Kv& inner, FaultPlan& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<std::optional<std::string>>> get(std::string key) override {
    if (plan_.hit("before:kv.get", node_)) co_await Halt{};
    auto r = co_await inner_.get(std::move(key));
    if (plan_.hit("after:kv.get", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override {
    if (plan_.hit("before:kv.set", node_)) co_await Halt{};
    auto r = co_await inner_.set(std::move(key), std::move(value), options);
    if (plan_.hit("after:kv.set", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<bool>> del(std::string key) override {
    if (plan_.hit("before:kv.del", node_)) co_await Halt{};
    auto r = co_await inner_.del(std::move(key));
    if (plan_.hit("after:kv.del", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<bool>> expire(std::string key, sim::Duration ttl) override {
    if (plan_.hit("before:kv.expire", node_)) co_await Halt{};
    auto r = co_await inner_.expire(std::move(key), ttl);
    if (plan_.hit("after:kv.expire", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<sim::Duration>> ttl(std::string key) override { co_return co_await inner_.ttl(std::move(key)); }
  Task<Result<bool>> compare_and_delete(std::string key, std::string expected) override {
    if (plan_.hit("before:kv.compare_and_delete", node_)) co_await Halt{};
    auto r = co_await inner_.compare_and_delete(std::move(key), std::move(expected));
    if (plan_.hit("after:kv.compare_and_delete", node_)) co_await Halt{};
    co_return r;
  }

 private:
  ports::Kv& inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

class FaultyTx final : public ports::Tx {
 public:
  FaultyTx(std::unique_ptr<ports::Tx> inner, FaultPlan& plan, sim::Node& node)
      : inner_(std::move(inner)), plan_(plan), node_(node) {}
  Task<Result<ports::Row>> insert(std::string table, ports::Row row) override {
    if (plan_.hit("before:sql.insert", node_)) co_await Halt{};
    auto r = co_await inner_->insert(std::move(table), std::move(row));
    if (plan_.hit("after:sql.insert", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                             ports::OnConflict on_conflict) override {
    if (plan_.hit("before:sql.insert_on_conflict", node_)) co_await Halt{};
    auto r = co_await inner_->insert_on_conflict(std::move(table), std::move(row), std::move(on_conflict));
    if (plan_.hit("after:sql.insert_on_conflict", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> select(std::string table, ports::Where where, ports::RowLock lock) override {
    if (plan_.hit("before:sql.select", node_)) co_await Halt{};
    auto r = co_await inner_->select(std::move(table), std::move(where), lock);
    if (plan_.hit("after:sql.select", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> update(std::string table, ports::Where where, ports::Assignments set) override {
    if (plan_.hit("before:sql.update", node_)) co_await Halt{};
    auto r = co_await inner_->update(std::move(table), std::move(where), std::move(set));
    if (plan_.hit("after:sql.update", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    if (plan_.hit("before:sql.remove", node_)) co_await Halt{};
    auto r = co_await inner_->remove(std::move(table), std::move(where));
    if (plan_.hit("after:sql.remove", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::int64_t>> nextval(std::string sequence) override { co_return co_await inner_->nextval(std::move(sequence)); }
  Task<Result<ports::Unit>> commit() override {
    if (plan_.hit("before:sql.commit", node_)) co_await Halt{};
    auto r = co_await inner_->commit();
    if (plan_.hit("after:sql.commit", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<ports::Unit>> rollback() override { co_return co_await inner_->rollback(); }

 private:
  std::unique_ptr<ports::Tx> inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

class FaultySql final : public ports::Sql {
 public:
  FaultySql(ports::Sql& inner, FaultPlan& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Unit>> ensure_schema(ports::Schema schema) override {
    co_return co_await inner_.ensure_schema(std::move(schema));
  }
  Task<Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override {
    if (plan_.hit("before:sql.begin", node_)) co_await Halt{};
    auto r = co_await inner_.begin(isolation);
    if (plan_.hit("after:sql.begin", node_)) co_await Halt{};
    if (!r.is_ok()) co_return r;
    std::unique_ptr<ports::Tx> tx = std::make_unique<FaultyTx>(std::move(r).value(), plan_, node_);
    co_return Result<std::unique_ptr<ports::Tx>>::ok(std::move(tx));
  }

 private:
  ports::Sql& inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

class FaultyConsumer final : public ports::Consumer {
 public:
  FaultyConsumer(std::unique_ptr<ports::Consumer> inner, FaultPlan& plan, sim::Node& node)
      : inner_(std::move(inner)), plan_(plan), node_(node) {}
  Task<Result<ports::Delivery>> next(sim::Duration wait) override { co_return co_await inner_->next(wait); }
  Task<Result<ports::Unit>> ack(std::uint64_t tag) override {
    if (plan_.hit("before:queue.ack", node_)) co_await Halt{};
    auto r = co_await inner_->ack(tag);
    if (plan_.hit("after:queue.ack", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<ports::Unit>> nack(std::uint64_t tag, bool requeue) override {
    if (plan_.hit("before:queue.nack", node_)) co_await Halt{};
    auto r = co_await inner_->nack(tag, requeue);
    if (plan_.hit("after:queue.nack", node_)) co_await Halt{};
    co_return r;
  }

 private:
  std::unique_ptr<ports::Consumer> inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

class FaultyQueue final : public ports::Queue {
 public:
  FaultyQueue(ports::Queue& inner, FaultPlan& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override {
    co_return co_await inner_.declare(std::move(queue), std::move(options));
  }
  Task<Result<ports::Unit>> publish(std::string queue, ports::Message message) override {
    if (plan_.hit("before:queue.publish", node_)) co_await Halt{};
    auto r = co_await inner_.publish(std::move(queue), std::move(message));
    if (plan_.hit("after:queue.publish", node_)) co_await Halt{};
    co_return r;
  }
  Task<Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override {
    auto r = co_await inner_.consume(std::move(queue), prefetch);
    if (!r.is_ok()) co_return r;
    std::unique_ptr<ports::Consumer> consumer = std::make_unique<FaultyConsumer>(std::move(r).value(), plan_, node_);
    co_return Result<std::unique_ptr<ports::Consumer>>::ok(std::move(consumer));
  }

 private:
  ports::Queue& inner_;
  FaultPlan& plan_;
  sim::Node& node_;
};

}  // namespace

struct FaultPlan::Decorated {
  Decorated(ports::Ports inner, FaultPlan& plan, sim::Node& node)
      : owner(&node), kv(inner.kv, plan, node), sql(inner.sql, plan, node), queue(inner.queue, plan, node),
        processor(inner.processor, plan, node), clock(inner.clock) {}
  ports::Ports ports() { return ports::Ports{clock, kv, sql, queue, processor}; }

  sim::Node* owner;
  FaultyKv kv;
  FaultySql sql;
  FaultyQueue queue;
  FaultyProcessor processor;
  ports::Clock& clock;
};

FaultPlan::FaultPlan(models::World& world, std::vector<TargetedFault> faults)
    : world_(world), faults_(std::move(faults)) {
  for (const TargetedFault& fault : faults_) assert(!validate_point(fault.point, fault.action).has_value());
  world_.decorate_ports([this](sim::Node& node, ports::Ports inner) {
    for (auto& existing : decorated_) {
      if (existing->owner == &node) return existing->ports();
    }
    decorated_.push_back(std::make_unique<Decorated>(inner, *this, node));
    return decorated_.back()->ports();
  });
}

FaultPlan::~FaultPlan() = default;

void FaultPlan::arm_network_faults() {
  for (const TargetedFault& fault : faults_) {
    if (is_network_action(fault.action)) apply_network_fault(fault);
  }
}

void FaultPlan::apply_network_fault(const TargetedFault& fault) {
  std::string caller, callee;
  const bool ok = split_link(fault.point, caller, callee);
  assert(ok);
  sim::Node* from = world_.find_node(caller);
  sim::Node* to = world_.find_node(callee);
  assert(from != nullptr && to != nullptr && "the scenario loader checks node names");
  sim::Fault f = sim::Fault::kDropReply;
  switch (fault.action) {
    case Action::kDropReply: f = sim::Fault::kDropReply; break;
    case Action::kDropRequest: f = sim::Fault::kDropRequest; break;
    case Action::kDuplicate: f = sim::Fault::kDuplicate; break;
    case Action::kDelay: f = sim::Fault::kDelay; break;
    default: assert(false && "not a network action");
  }
  world_.net().inject_nth(*from, *to, f, fault.nth);
  taken_.push_back(std::string(action_name(fault.action)) + " at " + fault.point + " #" + std::to_string(fault.nth));
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

// "after:x.y" matches at every node; "after:x.y@n" only at node n.
bool matches(const std::string& wanted, const std::string& point, const sim::Node& node) {
  const auto at = wanted.find('@');
  if (at == std::string::npos) return wanted == point;
  return wanted.compare(0, at, point) == 0 && at == point.size() && wanted.substr(at + 1) == node.name();
}

}  // namespace

bool FaultPlan::hit(const std::string& point, sim::Node& node) {
  // Counted per point and node, so that "@node" points count that node's hits.
  const std::uint64_t count_anywhere = ++hits_[point];
  const std::uint64_t count_here = ++hits_[point + "@" + node.name()];
  bool crashed_caller = false;
  for (const TargetedFault& fault : faults_) {
    const std::uint64_t count = fault.point.find('@') == std::string::npos ? count_anywhere : count_here;
    if (!matches(fault.point, point, node) || fault.nth != count) continue;
    taken_.push_back(std::string(action_name(fault.action)) + " at " + fault.point + " #" + std::to_string(count) +
                     " on " + node.name());
    if (world_.sim().trace().enabled()) world_.sim().record(node.name(), "fault", taken_.back());
    switch (fault.action) {
      case Action::kCrash:
        crash_and_restart(node, fault.downtime);
        crashed_caller = true;
        break;
      case Action::kRestartRedis: world_.redis().restart(); break;
      case Action::kFailoverRedis: world_.redis().failover(); break;
      case Action::kRestartPostgres: world_.postgres().restart(); break;
      case Action::kRestartBroker: world_.broker().restart(); break;
      default: assert(false && "network faults are injected up front");
    }
  }
  return crashed_caller;
}

}  // namespace idemlab::scenarios
