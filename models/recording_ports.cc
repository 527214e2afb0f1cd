#include "models/recording_ports.h"

#include <utility>
#include <vector>

namespace idemlab::models {
namespace {

using ports::Result;
using ports::Status;
using sim::Task;

// Who records: each operation goes out as perhaps made and is settled by
// its answer.
struct Recorder {
  PortHistory& history;
  ports::Clock& clock;
  std::uint32_t actor;

  PortOp op(PortOp::Kind kind, std::string subject) const {
    PortOp o;
    o.kind = kind;
    o.actor = actor;
    o.issued = clock.now();
    o.answered = sim::kTimeNever;
    o.outcome = PortOp::Outcome::kPerhaps;
    o.subject = std::move(subject);
    return o;
  }
  std::size_t start(PortOp o) const { return history.add(std::move(o)); }
  void settle(std::size_t index, PortOp::Outcome outcome) const {
    history.settle(index, outcome, outcome == PortOp::Outcome::kPerhaps ? sim::kTimeNever : clock.now());
  }
  // What is known only from an answer: recorded made, when it comes.
  void answered(PortOp o) const {
    o.outcome = PortOp::Outcome::kMade;
    o.answered = clock.now();
    history.add(std::move(o));
  }
};

// What an answer says of an operation that went out: made when it did
// something, perhaps when it timed out, not made otherwise.
template <class T>
PortOp::Outcome outcome_of(const Result<T>& result, bool did_something) {
  if (result.is_ok()) return did_something ? PortOp::Outcome::kMade : PortOp::Outcome::kNotMade;
  return result.status() == Status::kTimeout ? PortOp::Outcome::kPerhaps : PortOp::Outcome::kNotMade;
}
inline PortOp::Outcome outcome_of(const Result<bool>& result) { return outcome_of(result, result.is_ok() && result.value()); }

class RecordingKv final : public ports::Kv {
 public:
  RecordingKv(ports::Kv& inner, const Recorder& r) : inner_(inner), r_(r) {}

  Task<Result<std::optional<std::string>>> get(std::string key) override {
    PortOp absent = r_.op(PortOp::Kind::kKvAbsent, key);
    auto result = co_await inner_.get(std::move(key));
    if (result.is_ok() && !result.value()) r_.answered(std::move(absent));
    co_return result;
  }
  Task<Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override {
    const std::size_t index = r_.start(write_op(key, value, options));
    auto result = co_await inner_.set(std::move(key), std::move(value), options);
    r_.settle(index, outcome_of(result));
    co_return result;
  }
  Task<Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                   ports::SetOptions options) override {
    const std::size_t index = r_.start(write_op(key, value, options));
    auto result = co_await inner_.set_get(std::move(key), std::move(value), options);
    r_.settle(index, outcome_of(result, result.is_ok() && ports::set_get_wrote(options, result.value())));
    co_return result;
  }
  Task<Result<bool>> del(std::string key) override {
    const std::size_t index = r_.start(r_.op(PortOp::Kind::kKvDelete, key));
    auto result = co_await inner_.del(std::move(key));
    r_.settle(index, outcome_of(result));
    co_return result;
  }
  Task<Result<bool>> expire(std::string key, sim::Duration ttl) override {
    PortOp o = r_.op(PortOp::Kind::kKvExpire, key);
    o.ttl = ttl;
    const std::size_t index = r_.start(std::move(o));
    auto result = co_await inner_.expire(std::move(key), ttl);
    r_.settle(index, outcome_of(result));
    co_return result;
  }
  Task<Result<sim::Duration>> ttl(std::string key) override { co_return co_await inner_.ttl(std::move(key)); }
  Task<Result<bool>> compare_and_delete(std::string key, std::string expected) override {
    PortOp o = r_.op(PortOp::Kind::kKvDelete, key);
    o.guard = PortOp::Guard::kIfMatches;
    const std::size_t index = r_.start(std::move(o));
    auto result = co_await inner_.compare_and_delete(std::move(key), std::move(expected));
    r_.settle(index, outcome_of(result));
    co_return result;
  }
  Task<Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                     sim::Duration ttl) override {
    PortOp o = r_.op(PortOp::Kind::kKvWrite, key);
    o.guard = PortOp::Guard::kIfMatches;
    o.state = record_state_of_text(value);
    o.ttl = ttl;
    const std::size_t index = r_.start(std::move(o));
    auto result = co_await inner_.compare_and_set(std::move(key), std::move(expected), std::move(value), ttl);
    r_.settle(index, outcome_of(result));
    co_return result;
  }

 private:
  PortOp write_op(const std::string& key, const std::string& value, const ports::SetOptions& options) const {
    PortOp o = r_.op(PortOp::Kind::kKvWrite, key);
    o.guard = options.condition == ports::SetOptions::Condition::kIfAbsent ? PortOp::Guard::kIfAbsent : PortOp::Guard::kNone;
    o.state = record_state_of_text(value);
    o.ttl = options.ttl;
    return o;
  }

  ports::Kv& inner_;
  Recorder r_;
};

// Row changes wait in the transaction and go out with its commit: until
// then no other transaction could see them.
class RecordingTx final : public ports::Tx {
 public:
  RecordingTx(std::unique_ptr<ports::Tx> inner, const Recorder& r) : inner_(std::move(inner)), r_(r) {}

  Task<Result<ports::Row>> insert(std::string table, ports::Row row) override {
    const sim::Time issued = r_.clock.now();
    auto result = co_await inner_->insert(table, std::move(row));
    if (result.is_ok()) {
      stage(PortOp::Kind::kRowWrite, issued, r_.history.row_subject(table, result.value()), PortOp::Guard::kIfAbsent,
            record_state_of_row(result.value()));
    }
    co_return result;
  }
  Task<Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                             ports::OnConflict on_conflict) override {
    const sim::Time issued = r_.clock.now();
    // DO NOTHING writes only a row that was absent; DO UPDATE may overwrite one.
    const PortOp::Guard guard = on_conflict.action == ports::OnConflict::Action::kDoNothing ? PortOp::Guard::kIfAbsent
                                                                                            : PortOp::Guard::kNone;
    auto result = co_await inner_->insert_on_conflict(table, std::move(row), std::move(on_conflict));
    if (result.is_ok() && result.value()) {
      stage(PortOp::Kind::kRowWrite, issued, r_.history.row_subject(table, *result.value()), guard,
            record_state_of_row(*result.value()));
    }
    co_return result;
  }
  Task<Result<std::vector<ports::Row>>> query(std::string table, ports::Query query) override {
    co_return co_await inner_->query(std::move(table), std::move(query));
  }
  Task<Result<std::vector<ports::Row>>> update(std::string table, ports::Where where, ports::Assignments set) override {
    const sim::Time issued = r_.clock.now();
    auto result = co_await inner_->update(table, std::move(where), std::move(set));
    if (result.is_ok()) {
      for (const ports::Row& row : result.value()) {
        stage(PortOp::Kind::kRowWrite, issued, r_.history.row_subject(table, row), PortOp::Guard::kNone,
              record_state_of_row(row));
      }
    }
    co_return result;
  }
  Task<Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    const sim::Time issued = r_.clock.now();
    const bool one_row = r_.history.names_one_row(table, where);
    std::string subject = one_row ? r_.history.row_subject(table, where) : table;
    auto result = co_await inner_->remove(table, std::move(where));
    if (result.is_ok() && result.value() > 0) {
      stage(one_row ? PortOp::Kind::kRowDelete : PortOp::Kind::kTableUnknown, issued, std::move(subject),
            PortOp::Guard::kNone, RecordState::kOther);
    }
    co_return result;
  }
  Task<Result<std::int64_t>> nextval(std::string sequence) override { co_return co_await inner_->nextval(std::move(sequence)); }
  Task<Result<ports::Unit>> commit() override {
    std::vector<std::size_t> going;
    if (!staged_.empty()) {
      for (PortOp& o : staged_) going.push_back(r_.start(std::move(o)));
      going.push_back(r_.start(r_.op(PortOp::Kind::kCommitChanged, std::string())));
    }
    staged_.clear();
    auto result = co_await inner_->commit();
    for (const std::size_t index : going) r_.settle(index, outcome_of(result, true));
    co_return result;
  }
  Task<Result<ports::Unit>> rollback() override {
    staged_.clear();
    co_return co_await inner_->rollback();
  }

 private:
  // `issued`: when its statement went out, which is when a later statement
  // of another transaction may have read what came before it.
  void stage(PortOp::Kind kind, sim::Time issued, std::string subject, PortOp::Guard guard, RecordState state) {
    PortOp o = r_.op(kind, std::move(subject));
    o.issued = issued;
    o.guard = guard;
    o.state = state;
    staged_.push_back(std::move(o));
  }

  std::unique_ptr<ports::Tx> inner_;
  Recorder r_;
  std::vector<PortOp> staged_;
};

class RecordingSql final : public ports::Sql {
 public:
  RecordingSql(ports::Sql& inner, const Recorder& r) : inner_(inner), r_(r) {}

  Task<Result<ports::Unit>> ensure_schema(ports::Schema schema) override {
    r_.history.learn_schema(schema);
    co_return co_await inner_.ensure_schema(std::move(schema));
  }
  Task<Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override {
    auto begun = co_await inner_.begin(isolation);
    if (!begun.is_ok()) co_return begun;
    co_return Result<std::unique_ptr<ports::Tx>>::ok(std::make_unique<RecordingTx>(std::move(begun).value(), r_));
  }

 private:
  ports::Sql& inner_;
  Recorder r_;
};

class RecordingConsumer final : public ports::Consumer {
 public:
  RecordingConsumer(std::unique_ptr<ports::Consumer> inner, std::string queue, const Recorder& r)
      : inner_(std::move(inner)), queue_(std::move(queue)), r_(r) {}

  Task<Result<ports::Delivery>> next(sim::Duration wait) override {
    PortOp o = r_.op(PortOp::Kind::kDelivered, std::string());
    auto delivery = co_await inner_->next(wait);
    if (delivery.is_ok()) {
      o.subject = delivery.value().message.id;
      o.queue = queue_;
      o.tag = delivery.value().tag;
      r_.answered(std::move(o));
    }
    co_return delivery;
  }
  Task<Result<ports::Unit>> ack(std::uint64_t tag) override {
    const std::size_t index = r_.start(settled(tag));
    auto result = co_await inner_->ack(tag);
    r_.settle(index, outcome_of(result, true));
    co_return result;
  }
  Task<Result<ports::Unit>> nack(std::uint64_t tag, bool requeue) override {
    if (requeue) co_return co_await inner_->nack(tag, requeue);
    const std::size_t index = r_.start(settled(tag));
    auto result = co_await inner_->nack(tag, requeue);
    r_.settle(index, outcome_of(result, true));
    co_return result;
  }

 private:
  PortOp settled(std::uint64_t tag) const {
    PortOp o = r_.op(PortOp::Kind::kSettled, std::string());
    o.queue = queue_;
    o.tag = tag;
    return o;
  }

  std::unique_ptr<ports::Consumer> inner_;
  std::string queue_;
  Recorder r_;
};

class RecordingQueue final : public ports::Queue {
 public:
  RecordingQueue(ports::Queue& inner, const Recorder& r) : inner_(inner), r_(r) {}

  Task<Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override {
    co_return co_await inner_.declare(std::move(queue), std::move(options));
  }
  Task<Result<ports::Unit>> publish(std::string queue, ports::Message message) override {
    PortOp o = r_.op(PortOp::Kind::kPublish, message.id);
    o.queue = queue;
    const std::size_t index = r_.start(std::move(o));
    auto result = co_await inner_.publish(std::move(queue), std::move(message));
    r_.settle(index, outcome_of(result, true));
    co_return result;
  }
  Task<Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override {
    PortOp o = r_.op(PortOp::Kind::kConsume, std::string());
    auto consumer = co_await inner_.consume(queue, prefetch);
    if (!consumer.is_ok()) co_return consumer;
    o.queue = queue;
    r_.answered(std::move(o));
    co_return Result<std::unique_ptr<ports::Consumer>>::ok(
        std::make_unique<RecordingConsumer>(std::move(consumer).value(), std::move(queue), r_));
  }

 private:
  ports::Queue& inner_;
  Recorder r_;
};

class RecordingProcessor final : public ports::Processor {
 public:
  RecordingProcessor(ports::Processor& inner, const Recorder& r) : inner_(inner), r_(r) {}

  Task<Result<ports::Charge>> charge(ports::ChargeRequest request) override {
    PortOp o = r_.op(PortOp::Kind::kMoneyMoved, request.intent);
    auto result = co_await inner_.charge(std::move(request));
    if (result.is_ok() && result.value().succeeded && !result.value().replayed) r_.answered(std::move(o));
    co_return result;
  }
  Task<Result<ports::Refund>> refund(ports::RefundRequest request) override {
    co_return co_await inner_.refund(std::move(request));
  }
  Task<Result<ports::ChargeLookup>> find_charge(std::string idempotency_key) override {
    co_return co_await inner_.find_charge(std::move(idempotency_key));
  }

 private:
  ports::Processor& inner_;
  Recorder r_;
};

}  // namespace

RecordingPorts::RecordingPorts(ports::Ports inner, PortHistory& history, std::uint32_t actor)
    : clock_(inner.clock) {
  const Recorder recorder{history, inner.clock, actor};
  kv_ = std::make_unique<RecordingKv>(inner.kv, recorder);
  sql_ = std::make_unique<RecordingSql>(inner.sql, recorder);
  queue_ = std::make_unique<RecordingQueue>(inner.queue, recorder);
  processor_ = std::make_unique<RecordingProcessor>(inner.processor, recorder);
}

RecordingPorts::~RecordingPorts() = default;

ports::Ports RecordingPorts::ports() { return ports::Ports{clock_, *kv_, *sql_, *queue_, *processor_}; }

}  // namespace idemlab::models
