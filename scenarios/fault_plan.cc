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

// Suspends for good: used right after the caller's own node crashed, so
// that it stops here and is destroyed.
struct Halt {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

// What a dropped operation returns, whatever its result type: a timeout, as
// the caller of a lost request or a lost reply sees it.
struct Dropped {
  const char* point;
  template <class T>
  operator Result<T>() const {  // NOLINT: implicit on purpose, for co_return
    return Result<T>::failure(ports::Status::kTimeout, std::string("dropped by the scenario at ") + point);
  }
};

// One named point inside a decorator: crash the caller's node (and stop
// here), drop the operation (return a timeout), or carry on.
#define IDEMLAB_FAULT_POINT(point)                                      \
  do {                                                                  \
    const FaultPlan::Verdict verdict = plan_.hit(point, node_);         \
    if (verdict == FaultPlan::Verdict::kHalt) co_await Halt{};          \
    if (verdict == FaultPlan::Verdict::kDrop) co_return Dropped{point}; \
  } while (false)

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

// ---- decorators ------------------------------------------------------------------

namespace {

class FaultyProcessor final : public ports::Processor {
 public:
  FaultyProcessor(ports::Processor& inner, FaultPlan& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Charge>> charge(ports::ChargeRequest request) override {
    IDEMLAB_FAULT_POINT("before:processor.charge");
    auto result = co_await inner_.charge(std::move(request));
    IDEMLAB_FAULT_POINT("after:processor.charge");
    co_return result;
  }
  Task<Result<ports::Refund>> refund(ports::RefundRequest request) override {
    IDEMLAB_FAULT_POINT("before:processor.refund");
    auto result = co_await inner_.refund(std::move(request));
    IDEMLAB_FAULT_POINT("after:processor.refund");
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
    IDEMLAB_FAULT_POINT("before:kv.get");
    auto r = co_await inner_.get(std::move(key));
    IDEMLAB_FAULT_POINT("after:kv.get");
    co_return r;
  }
  Task<Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override {
    IDEMLAB_FAULT_POINT("before:kv.set");
    auto r = co_await inner_.set(std::move(key), std::move(value), options);
    IDEMLAB_FAULT_POINT("after:kv.set");
    co_return r;
  }
  Task<Result<bool>> del(std::string key) override {
    IDEMLAB_FAULT_POINT("before:kv.del");
    auto r = co_await inner_.del(std::move(key));
    IDEMLAB_FAULT_POINT("after:kv.del");
    co_return r;
  }
  Task<Result<bool>> expire(std::string key, sim::Duration ttl) override {
    IDEMLAB_FAULT_POINT("before:kv.expire");
    auto r = co_await inner_.expire(std::move(key), ttl);
    IDEMLAB_FAULT_POINT("after:kv.expire");
    co_return r;
  }
  Task<Result<sim::Duration>> ttl(std::string key) override { co_return co_await inner_.ttl(std::move(key)); }
  Task<Result<bool>> compare_and_delete(std::string key, std::string expected) override {
    IDEMLAB_FAULT_POINT("before:kv.compare_and_delete");
    auto r = co_await inner_.compare_and_delete(std::move(key), std::move(expected));
    IDEMLAB_FAULT_POINT("after:kv.compare_and_delete");
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
    IDEMLAB_FAULT_POINT("before:sql.insert");
    auto r = co_await inner_->insert(std::move(table), std::move(row));
    IDEMLAB_FAULT_POINT("after:sql.insert");
    co_return r;
  }
  Task<Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                             ports::OnConflict on_conflict) override {
    IDEMLAB_FAULT_POINT("before:sql.insert_on_conflict");
    auto r = co_await inner_->insert_on_conflict(std::move(table), std::move(row), std::move(on_conflict));
    IDEMLAB_FAULT_POINT("after:sql.insert_on_conflict");
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> select(std::string table, ports::Where where, ports::RowLock lock) override {
    IDEMLAB_FAULT_POINT("before:sql.select");
    auto r = co_await inner_->select(std::move(table), std::move(where), lock);
    IDEMLAB_FAULT_POINT("after:sql.select");
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> update(std::string table, ports::Where where, ports::Assignments set) override {
    IDEMLAB_FAULT_POINT("before:sql.update");
    auto r = co_await inner_->update(std::move(table), std::move(where), std::move(set));
    IDEMLAB_FAULT_POINT("after:sql.update");
    co_return r;
  }
  Task<Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    IDEMLAB_FAULT_POINT("before:sql.remove");
    auto r = co_await inner_->remove(std::move(table), std::move(where));
    IDEMLAB_FAULT_POINT("after:sql.remove");
    co_return r;
  }
  Task<Result<std::int64_t>> nextval(std::string sequence) override { co_return co_await inner_->nextval(std::move(sequence)); }
  Task<Result<ports::Unit>> commit() override {
    IDEMLAB_FAULT_POINT("before:sql.commit");
    auto r = co_await inner_->commit();
    IDEMLAB_FAULT_POINT("after:sql.commit");
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
    IDEMLAB_FAULT_POINT("before:sql.begin");
    auto r = co_await inner_.begin(isolation);
    IDEMLAB_FAULT_POINT("after:sql.begin");
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
    IDEMLAB_FAULT_POINT("before:queue.ack");
    auto r = co_await inner_->ack(tag);
    IDEMLAB_FAULT_POINT("after:queue.ack");
    co_return r;
  }
  Task<Result<ports::Unit>> nack(std::uint64_t tag, bool requeue) override {
    IDEMLAB_FAULT_POINT("before:queue.nack");
    auto r = co_await inner_->nack(tag, requeue);
    IDEMLAB_FAULT_POINT("after:queue.nack");
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
    IDEMLAB_FAULT_POINT("before:queue.publish");
    auto r = co_await inner_.publish(std::move(queue), std::move(message));
    IDEMLAB_FAULT_POINT("after:queue.publish");
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

#undef IDEMLAB_FAULT_POINT

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
  for (const TargetedFault& fault : faults_) {
    assert(!validate_point(fault.point, fault.action).has_value());
    watched_.insert(fault.point.substr(0, fault.point.find('@')));
  }
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
    if (is_link_point(fault.point)) apply_network_fault(fault);
  }
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

FaultPlan::Verdict FaultPlan::hit(const std::string& point, sim::Node& node) {
  // Only the points some fault names are counted; the rest pass straight on.
  if (!keep_steps_ && !watched_.count(point)) return Verdict::kContinue;
  if (keep_steps_ && point.rfind("before:", 0) == 0) {
    const sim::Process* process = world_.sim().current();
    steps_.push_back({node.name(), process != nullptr ? process->name : std::string(), point.substr(7)});
  }
  // Counted per point and node, so that "@node" points count that node's hits.
  const std::uint64_t count_anywhere = ++hits_[point];
  const std::uint64_t count_here = ++hits_[point + "@" + node.name()];
  Verdict verdict = Verdict::kContinue;
  for (const TargetedFault& fault : faults_) {
    const std::uint64_t count = fault.point.find('@') == std::string::npos ? count_anywhere : count_here;
    if (!matches(fault.point, point, node) || fault.nth != count) continue;
    taken_.push_back(std::string(action_name(fault.action)) + " at " + fault.point + " #" + std::to_string(count) +
                     " on " + node.name());
    if (world_.sim().trace().enabled()) world_.sim().record(node.name(), "fault", taken_.back());
    switch (fault.action) {
      case Action::kCrash:
        crash_and_restart(node, fault.downtime);
        verdict = Verdict::kHalt;
        break;
      case Action::kDropRequest:  // at a before: point: the operation does not happen
      case Action::kDropReply:    // at an after: point: it happened, the caller does not know
        if (verdict == Verdict::kContinue) verdict = Verdict::kDrop;
        break;
      case Action::kRestartRedis: world_.redis().restart(); break;
      case Action::kFailoverRedis: world_.redis().failover(); break;
      case Action::kRestartPostgres: world_.postgres().restart(); break;
      case Action::kRestartBroker: world_.broker().restart(); break;
      default: assert(false && "link faults are injected up front");
    }
  }
  return verdict;
}

}  // namespace idemlab::scenarios
