// A run written by hand for the checker's tests: a client history, a
// processor ledger, Redis keys and committed rows, each added in time order
// (every call moves the clock on by a millisecond), read through the same
// GroundTruth interface that the simulator's models and the live servers
// answer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checks/invariant.h"

namespace idemlab::checks::testing {

class TestRun final : public GroundTruth {
 public:
  TestRun() { client_ = history_.add_client("client-1"); }

  // client-1's next intent, paying `amount`; its index.
  std::uint32_t intent(std::int64_t amount = 1000) {
    models::clients::Intent i;
    i.client = client_;
    i.number = static_cast<std::uint32_t>(history_.intents().size() + 1);
    i.amount = amount;
    return history_.add_intent(i);
  }
  std::string id(std::uint32_t intent) const { return history_.intent_id(history_.intents()[intent]); }

  void invoke(std::uint32_t intent, int attempt = 1, int sender = 1) {
    history_.add(event(intent, attempt, sender, models::clients::HistoryEvent::Kind::kInvoke));
  }
  // An answer to an attempt already invoked.
  void answer(std::uint32_t intent, int status, const std::string& body, int attempt = 1, int sender = 1) {
    models::clients::HistoryEvent e = event(intent, attempt, sender,
                                            status < 400 ? models::clients::HistoryEvent::Kind::kOk
                                                         : models::clients::HistoryEvent::Kind::kFail);
    e.status = static_cast<std::int16_t>(status);
    history_.add_answer(e, body);
  }
  // Invoke and answer at once.
  void request(std::uint32_t intent, int status, const std::string& body, int attempt = 1, int sender = 1) {
    invoke(intent, attempt, sender);
    answer(intent, status, body, attempt, sender);
  }
  void timeout(std::uint32_t intent, int attempt = 1, int sender = 1) {
    history_.add(event(intent, attempt, sender, models::clients::HistoryEvent::Kind::kUnknown));
  }

  // A successful charge of the intent; its number (ch_<number>).
  std::uint32_t charge(std::uint32_t intent, std::int64_t amount = 1000) {
    const std::uint32_t number = next_charge_++;
    ledger_.push_back({models::processor::LedgerEntry::Kind::kCharge, number, 0, amount, tick(), id(intent)});
    return number;
  }
  void refund(std::uint32_t intent, std::uint32_t charge, std::int64_t amount = 1000) {
    ledger_.push_back({models::processor::LedgerEntry::Kind::kRefund, next_refund_++, charge, amount, tick(), id(intent)});
  }
  void decline(std::uint32_t intent) {
    ++declines_[id(intent)];
    ++next_charge_;  // a declined charge takes a number too
    tick();
  }
  // A refund of the intent by a downstream key that found no charge.
  void refund_missed(std::uint32_t intent, const std::string& key) { refund_misses_.push_back({id(intent), key, tick()}); }
  void redis_key(const std::string& key, const std::string& value) { keys_[key] = value; }
  void row(const std::string& table, ports::Row row) { tables_[table].push_back(std::move(row)); }
  void advance(sim::Duration d) { now_ += d; }

  // The port history: a new actor, and an operation of it that goes out
  // now and is answered `took` later (the clock moves on to its answer),
  // to adjust before record() adds it.
  std::uint32_t actor(const std::string& name = "api request") { return port_history_.new_actor(name); }
  models::PortOp op(models::PortOp::Kind kind, std::uint32_t actor, const std::string& subject,
                    sim::Duration took = sim::kMillisecond) {
    models::PortOp o;
    o.kind = kind;
    o.actor = actor;
    o.subject = subject;
    o.issued = tick();
    o.answered = now_ += took;
    return o;
  }
  void record(models::PortOp op) { port_history_.add(std::move(op)); }
  // A write (a Kv set, a row) of a record in `state`, to adjust or record.
  models::PortOp write(models::PortOp::Kind kind, std::uint32_t actor, const std::string& record,
                       models::RecordState state, models::PortOp::Guard guard = models::PortOp::Guard::kNone,
                       sim::Duration ttl = 0) {
    models::PortOp o = op(kind, actor, record);
    o.state = state;
    o.guard = guard;
    o.ttl = ttl;
    return o;
  }
  // Messages: recorded at once.
  void published(std::uint32_t actor, const std::string& queue, const std::string& message) {
    models::PortOp o = op(models::PortOp::Kind::kPublish, actor, message);
    o.queue = queue;
    record(std::move(o));
  }
  void consumed(std::uint32_t consumer, const std::string& queue) {
    models::PortOp o = op(models::PortOp::Kind::kConsume, consumer, "");
    o.queue = queue;
    record(std::move(o));
  }
  void delivered(std::uint32_t consumer, const std::string& queue, const std::string& message, std::uint64_t tag) {
    models::PortOp o = op(models::PortOp::Kind::kDelivered, consumer, message);
    o.queue = queue;
    o.tag = tag;
    record(std::move(o));
  }
  // An ack: made, or perhaps (its sender crashed right after it went out).
  void acked(std::uint32_t consumer, const std::string& queue, std::uint64_t tag,
             models::PortOp::Outcome outcome = models::PortOp::Outcome::kMade) {
    models::PortOp o = op(models::PortOp::Kind::kSettled, consumer, "");
    o.queue = queue;
    o.tag = tag;
    o.outcome = outcome;
    if (outcome == models::PortOp::Outcome::kPerhaps) o.answered = sim::kTimeNever;
    record(std::move(o));
  }

  // GroundTruth
  const models::clients::History& history() override { return history_; }
  const models::PortHistory& port_history() override { return port_history_; }
  const std::vector<models::processor::LedgerEntry>& ledger() override { return ledger_; }
  const std::map<std::string, std::int64_t>& declines() override { return declines_; }
  const std::vector<models::processor::RefundMiss>& refund_misses() override { return refund_misses_; }
  void for_each_key_without_expiry(const std::function<void(const std::string&, const std::string&)>& visit) override {
    for (const auto& [key, value] : keys_) visit(key, value);
  }
  bool has_table(const std::string& table) override { return tables_.count(table) != 0; }
  std::vector<std::string> table_names() override {
    std::vector<std::string> names;
    for (const auto& entry : tables_) names.push_back(entry.first);
    return names;
  }
  std::vector<ports::Row> committed_rows(const std::string& table) override { return tables_.at(table); }
  sim::Time now() override { return now_; }

 private:
  sim::Time tick() { return now_ += sim::kMillisecond; }
  models::clients::HistoryEvent event(std::uint32_t intent, int attempt, int sender,
                                      models::clients::HistoryEvent::Kind kind) {
    models::clients::HistoryEvent e;
    e.at = tick();
    e.intent = intent;
    e.attempt = static_cast<std::uint16_t>(attempt);
    e.sender = static_cast<std::uint8_t>(sender);
    e.kind = kind;
    return e;
  }

  models::clients::History history_;
  models::PortHistory port_history_;
  std::uint16_t client_ = 0;
  std::vector<models::processor::LedgerEntry> ledger_;
  std::map<std::string, std::int64_t> declines_;
  std::vector<models::processor::RefundMiss> refund_misses_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::vector<ports::Row>> tables_;
  sim::Time now_ = 0;
  std::uint32_t next_charge_ = 1;
  std::uint32_t next_refund_ = 1;
};

// The violations of one invariant alone, judged at quiescence.
inline std::vector<Violation> violations_of(TestRun& run, const std::string& invariant, bool liveness = true) {
  InvariantSelection only;
  only.only = {invariant};
  CheckOptions options;
  options.liveness = liveness;
  options.invariants = &only;
  return check(run, options);
}

// Response bodies as the shipped strategies write them.
inline std::string created_body(const std::string& payment, std::int64_t amount, std::uint32_t charge) {
  return "{\"amount\":" + std::to_string(amount) + ",\"charge\":\"ch_" + std::to_string(charge) +
         "\",\"currency\":\"eur\",\"id\":\"" + payment + "\",\"status\":\"succeeded\"}";
}
inline std::string declined_body(const std::string& payment, std::uint32_t charge) {
  return "{\"charge\":\"ch_" + std::to_string(charge) + "\",\"error\":\"card_declined\",\"id\":\"" + payment +
         "\",\"status\":\"failed\"}";
}
inline std::string accepted_body(const std::string& payment) {
  return "{\"id\":\"" + payment + "\",\"status\":\"processing\"}";
}
inline std::string error_body(const std::string& message) { return "{\"error\":\"" + message + "\"}"; }

}  // namespace idemlab::checks::testing
