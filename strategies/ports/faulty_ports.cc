#include "strategies/ports/faulty_ports.h"

#include <coroutine>

namespace idemlab::ports {
namespace {

using sim::Task;

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
// here), drop the operation (return a timeout, after the caller's timeout
// from `started` when the hook says it waited for one), or carry on.
#define IDEMLAB_FAULT_POINT(point)                                      \
  do {                                                                  \
    const FaultHook::Verdict verdict = plan_.hit(point, node_);         \
    if (verdict == FaultHook::Verdict::kHalt) co_await Halt{};          \
    if (verdict == FaultHook::Verdict::kDrop) {                         \
      const sim::Duration wait = plan_.last_drop_wait() - (node_.sim().now() - started); \
      if (wait > 0) co_await node_.sim().sleep(wait);                   \
      co_return Dropped{point};                                         \
    }                                                                   \
  } while (false)

// The point before an operation, behind the hook's gate when it has one:
// `turn` is left when the decorator returns or is destroyed; `started` is
// when the operation went out.
#define IDEMLAB_GATED_POINT(op)                                                             \
  ports::Turn turn(plan_.gate());                                                           \
  if (turn.gate() != nullptr) turn.hold(co_await turn.gate()->enter(op, node_));            \
  const sim::Time started = node_.sim().now();                                              \
  IDEMLAB_FAULT_POINT("before:" op)

class FaultyProcessor final : public ports::Processor {
 public:
  FaultyProcessor(ports::Processor& inner, FaultHook& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Charge>> charge(ports::ChargeRequest request) override {
    IDEMLAB_GATED_POINT("processor.charge");
    auto result = co_await inner_.charge(std::move(request));
    IDEMLAB_FAULT_POINT("after:processor.charge");
    co_return result;
  }
  Task<Result<ports::ChargeLookup>> find_charge(std::string idempotency_key) override {
    IDEMLAB_GATED_POINT("processor.find_charge");
    auto result = co_await inner_.find_charge(std::move(idempotency_key));
    IDEMLAB_FAULT_POINT("after:processor.find_charge");
    co_return result;
  }
  Task<Result<ports::Refund>> refund(ports::RefundRequest request) override {
    IDEMLAB_GATED_POINT("processor.refund");
    auto result = co_await inner_.refund(std::move(request));
    IDEMLAB_FAULT_POINT("after:processor.refund");
    co_return result;
  }

 private:
  ports::Processor& inner_;
  FaultHook& plan_;
  sim::Node& node_;
};

class FaultyKv final : public ports::Kv {
 public:
  FaultyKv(ports::Kv& inner, FaultHook& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<std::optional<std::string>>> get(std::string key) override {
    IDEMLAB_GATED_POINT("kv.get");
    auto r = co_await inner_.get(std::move(key));
    IDEMLAB_FAULT_POINT("after:kv.get");
    co_return r;
  }
  Task<Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override {
    IDEMLAB_GATED_POINT("kv.set");
    auto r = co_await inner_.set(std::move(key), std::move(value), options);
    IDEMLAB_FAULT_POINT("after:kv.set");
    co_return r;
  }
  Task<Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                   ports::SetOptions options) override {
    IDEMLAB_GATED_POINT("kv.set_get");
    auto r = co_await inner_.set_get(std::move(key), std::move(value), options);
    IDEMLAB_FAULT_POINT("after:kv.set_get");
    co_return r;
  }
  Task<Result<bool>> del(std::string key) override {
    IDEMLAB_GATED_POINT("kv.del");
    auto r = co_await inner_.del(std::move(key));
    IDEMLAB_FAULT_POINT("after:kv.del");
    co_return r;
  }
  Task<Result<bool>> expire(std::string key, sim::Duration ttl) override {
    IDEMLAB_GATED_POINT("kv.expire");
    auto r = co_await inner_.expire(std::move(key), ttl);
    IDEMLAB_FAULT_POINT("after:kv.expire");
    co_return r;
  }
  Task<Result<sim::Duration>> ttl(std::string key) override { co_return co_await inner_.ttl(std::move(key)); }
  Task<Result<bool>> compare_and_delete(std::string key, std::string expected) override {
    IDEMLAB_GATED_POINT("kv.compare_and_delete");
    auto r = co_await inner_.compare_and_delete(std::move(key), std::move(expected));
    IDEMLAB_FAULT_POINT("after:kv.compare_and_delete");
    co_return r;
  }
  Task<Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                     sim::Duration ttl) override {
    IDEMLAB_GATED_POINT("kv.compare_and_set");
    auto r = co_await inner_.compare_and_set(std::move(key), std::move(expected), std::move(value), ttl);
    IDEMLAB_FAULT_POINT("after:kv.compare_and_set");
    co_return r;
  }

 private:
  ports::Kv& inner_;
  FaultHook& plan_;
  sim::Node& node_;
};

class FaultyTx final : public ports::Tx {
 public:
  FaultyTx(std::unique_ptr<ports::Tx> inner, FaultHook& plan, sim::Node& node)
      : inner_(std::move(inner)), plan_(plan), node_(node) {}
  Task<Result<ports::Row>> insert(std::string table, ports::Row row) override {
    IDEMLAB_GATED_POINT("sql.insert");
    auto r = co_await inner_->insert(std::move(table), std::move(row));
    IDEMLAB_FAULT_POINT("after:sql.insert");
    co_return r;
  }
  Task<Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                             ports::OnConflict on_conflict) override {
    IDEMLAB_GATED_POINT("sql.insert_on_conflict");
    auto r = co_await inner_->insert_on_conflict(std::move(table), std::move(row), std::move(on_conflict));
    IDEMLAB_FAULT_POINT("after:sql.insert_on_conflict");
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> query(std::string table, ports::Query query) override {
    IDEMLAB_GATED_POINT("sql.select");
    auto r = co_await inner_->query(std::move(table), std::move(query));
    IDEMLAB_FAULT_POINT("after:sql.select");
    co_return r;
  }
  Task<Result<std::vector<ports::Row>>> update(std::string table, ports::Where where, ports::Assignments set) override {
    IDEMLAB_GATED_POINT("sql.update");
    auto r = co_await inner_->update(std::move(table), std::move(where), std::move(set));
    IDEMLAB_FAULT_POINT("after:sql.update");
    co_return r;
  }
  Task<Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    IDEMLAB_GATED_POINT("sql.remove");
    auto r = co_await inner_->remove(std::move(table), std::move(where));
    IDEMLAB_FAULT_POINT("after:sql.remove");
    co_return r;
  }
  Task<Result<std::int64_t>> nextval(std::string sequence) override { co_return co_await inner_->nextval(std::move(sequence)); }
  Task<Result<ports::Unit>> commit() override {
    IDEMLAB_GATED_POINT("sql.commit");
    auto r = co_await inner_->commit();
    IDEMLAB_FAULT_POINT("after:sql.commit");
    co_return r;
  }
  Task<Result<ports::Unit>> rollback() override { co_return co_await inner_->rollback(); }

 private:
  std::unique_ptr<ports::Tx> inner_;
  FaultHook& plan_;
  sim::Node& node_;
};

class FaultySql final : public ports::Sql {
 public:
  FaultySql(ports::Sql& inner, FaultHook& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Unit>> ensure_schema(ports::Schema schema) override {
    co_return co_await inner_.ensure_schema(std::move(schema));
  }
  Task<Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override {
    IDEMLAB_GATED_POINT("sql.begin");
    auto r = co_await inner_.begin(isolation);
    IDEMLAB_FAULT_POINT("after:sql.begin");
    if (!r.is_ok()) co_return r;
    std::unique_ptr<ports::Tx> tx = std::make_unique<FaultyTx>(std::move(r).value(), plan_, node_);
    co_return Result<std::unique_ptr<ports::Tx>>::ok(std::move(tx));
  }

 private:
  ports::Sql& inner_;
  FaultHook& plan_;
  sim::Node& node_;
};

class FaultyConsumer final : public ports::Consumer {
 public:
  FaultyConsumer(std::unique_ptr<ports::Consumer> inner, FaultHook& plan, sim::Node& node)
      : inner_(std::move(inner)), plan_(plan), node_(node) {}
  Task<Result<ports::Delivery>> next(sim::Duration wait) override { co_return co_await inner_->next(wait); }
  Task<Result<ports::Unit>> ack(std::uint64_t tag) override {
    IDEMLAB_GATED_POINT("queue.ack");
    auto r = co_await inner_->ack(tag);
    IDEMLAB_FAULT_POINT("after:queue.ack");
    co_return r;
  }
  Task<Result<ports::Unit>> nack(std::uint64_t tag, bool requeue) override {
    IDEMLAB_GATED_POINT("queue.nack");
    auto r = co_await inner_->nack(tag, requeue);
    IDEMLAB_FAULT_POINT("after:queue.nack");
    co_return r;
  }

 private:
  std::unique_ptr<ports::Consumer> inner_;
  FaultHook& plan_;
  sim::Node& node_;
};

class FaultyQueue final : public ports::Queue {
 public:
  FaultyQueue(ports::Queue& inner, FaultHook& plan, sim::Node& node) : inner_(inner), plan_(plan), node_(node) {}
  Task<Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override {
    co_return co_await inner_.declare(std::move(queue), std::move(options));
  }
  Task<Result<ports::Unit>> publish(std::string queue, ports::Message message) override {
    IDEMLAB_GATED_POINT("queue.publish");
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
  FaultHook& plan_;
  sim::Node& node_;
};

#undef IDEMLAB_GATED_POINT
#undef IDEMLAB_FAULT_POINT

}  // namespace

FaultyPorts::FaultyPorts(Ports inner, FaultHook& hook, sim::Node& node)
    : owner_(node),
      clock_(inner.clock),
      kv_(std::make_unique<FaultyKv>(inner.kv, hook, node)),
      sql_(std::make_unique<FaultySql>(inner.sql, hook, node)),
      queue_(std::make_unique<FaultyQueue>(inner.queue, hook, node)),
      processor_(std::make_unique<FaultyProcessor>(inner.processor, hook, node)) {}

FaultyPorts::~FaultyPorts() = default;

Ports FaultyPorts::ports() { return Ports{clock_, *kv_, *sql_, *queue_, *processor_}; }

}  // namespace idemlab::ports
