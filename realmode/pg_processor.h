// The payment processor in real mode: an external system whose ledger lives
// in a PostgreSQL schema of its own, written by statements in autocommit on
// connections of its own, never inside the service's transactions. It keeps
// the simulated processor's rules (models/processor): processing time,
// declines, downstream idempotency keys with a retention window, 409 while a
// key's first request runs, an error for a key reused with other parameters.
//
// A charge, once sent, runs to its end on the processor's worker whatever
// happens to the caller: a caller that crashes or gives up (the call's
// timeout) does not stop the money moving.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "models/processor/processor.h"
#include "realmode/pg_sql.h"

namespace idemlab::realmode {

class RealProcessor final : public ports::Processor {
 public:
  // `schema`: the processor's own schema, made here and dropped by
  // drop_everything(). `timeout`: how long a caller waits for a reply.
  // Throws Unreachable.
  RealProcessor(RealTimeLoop& loop, Endpoint endpoint, std::string schema, models::processor::ProcessorConfig config,
                sim::Duration timeout);
  ~RealProcessor() override;

  sim::Task<ports::Result<ports::Charge>> charge(ports::ChargeRequest request) override;
  sim::Task<ports::Result<ports::Refund>> refund(ports::RefundRequest request) override;
  sim::Task<ports::Result<ports::ChargeLookup>> find_charge(std::string idempotency_key) override;

  // Ground truth, read from the ledger. Blocking; from the loop's thread.
  std::int64_t charges_for(const std::string& intent);
  // Successful charges and refunds in the order they happened, and declines
  // per intent, as the simulated processor keeps them.
  std::vector<models::processor::LedgerEntry> ledger();
  std::map<std::string, std::int64_t> declines();
  // Refunds by key that found nothing, in order (without times, as ledger()).
  std::vector<models::processor::RefundMiss> refund_misses();

  // After a PostgreSQL restart (the ledger shares the server): every
  // connection reconnects before its next statement. A charge running then
  // has failed with its connection; the simulated processor, a system of its
  // own, would not have noticed.
  void forget_connections();

  // The simulated run's decisions, in the order its processor began its
  // charges and refunds: the live charges and refunds take them in the
  // order they begin processing (draws from the run's tape once they run
  // out). Call before the run starts.
  void follow(std::vector<models::processor::ChargeDecision> charges, std::vector<sim::Duration> refunds);

  // From now on, for `length`: charges take `slowdown_milli`/1000 times as
  // long and fail unavailable at the rate `errors` (a processor episode,
  // begun at run time: `idemlab serve`'s slow-processor fault). Replaces any
  // episode not yet over. Loop thread only, as the decisions are.
  void begin_episode(std::int64_t slowdown_milli, sim::Ratio errors, sim::Duration length);
  // Drops the processor's schema. Blocking; call when the loop is idle.
  void drop_everything();
  const std::string& schema() const { return schema_; }

  // One connection and its thread; busy from taking until its job ends
  // (on the worker thread), whether or not the caller still waits.
  struct Session {
    explicit Session(const Endpoint& endpoint) : connection(endpoint) {}
    PgConnection connection;
    WorkerThread worker;  // after the connection: joins before it goes
    std::atomic<bool> busy = false;
  };

 private:
  template <class T>
  struct Followed {
    std::vector<T> decisions;
    std::size_t next = 0;
  };
  Session& take_session();
  // The next followed decision, else `drawn`. From the processor's workers.
  template <class T>
  T next_decision(Followed<T>& followed, T drawn);

  RealTimeLoop& loop_;
  Endpoint endpoint_;
  std::string schema_;
  models::processor::ProcessorConfig config_;
  sim::Duration timeout_;
  PgConnection reader_;  // ground-truth queries and set-up, from the loop's thread
  std::atomic<bool> stopping_{false};  // set when the processor goes
  std::mutex followed_mutex_;
  Followed<models::processor::ChargeDecision> charges_followed_;
  Followed<sim::Duration> refunds_followed_;
  std::vector<std::unique_ptr<Session>> sessions_;  // last: their workers join first
};

}  // namespace idemlab::realmode
