// One strategy served as a live payments API: real mode's world (the
// strategy's code on live Redis, PostgreSQL and RabbitMQ, the processor's
// ledger live) with no simulated clients. Requests come from HTTP threads;
// the world runs on a thread of its own (its RealTimeLoop), which alone
// touches the strategy, its ports and the fault plan. Everything the
// strategy made lives under a run id of its own and is removed when the
// ServedStrategy goes.
#pragma once

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "realmode/pg_sql.h"
#include "realmode/servers.h"
#include "sim/tape.h"
#include "strategies/api.h"
#include "strategies/strategy.h"

namespace idemlab::serve {

// Real mode's PostgreSQL pool.
inline constexpr std::size_t kSqlPool = realmode::RealSql::kSessionsDefault;
// Transactions left to the background workers (a relay, a consumer, a recovery pass).
inline constexpr std::size_t kSqlPoolForWorkers = 2;

struct ServeOptions {
  // Requests the service handles at once. Each holds at most one
  // PostgreSQL transaction, from real mode's pool of kSqlPool connections,
  // which the strategy's background workers share.
  std::size_t workers = 12;
  std::size_t queue = 1024;      // requests waiting for a worker; more are shed with 503
  sim::Duration processing_median = 150 * sim::kMillisecond;  // the processor's charge time (log-normal)
  strategies::StrategyOptions strategy;
  std::uint64_t seed = 1;        // the processor's draws (processing times, declines)
  sim::Duration setup_limit = 60 * sim::kSecond;
};

// What the HTTP side does with one request.
struct Answer {
  enum class Kind : std::uint8_t {
    kReply,      // send `response`
    kLost,       // the API crashed while serving it, or was down: close the connection unanswered
    kDropReply,  // it was served, but the reply is lost: hold the connection unanswered
  };
  Kind kind = Kind::kReply;
  api::Response response;
};

// A fault armed at run time, as the admin endpoint asks for it.
struct AdminFault {
  enum class Kind : std::uint8_t {
    kCrashAfterCharge,  // the API node crashes once the next charge returns, restarts after `length`
    kDropReply,         // the next `count` replies are lost
    kSlowProcessor,     // charges take `slowdown_milli`/1000 as long for `length`, `errors` of them fail
  };
  Kind kind = Kind::kDropReply;
  std::uint64_t count = 1;
  sim::Duration length = 1 * sim::kSecond;
  std::int64_t slowdown_milli = 10000;
  sim::Ratio errors{0, 1};
};

// One movement of money in the processor's ledger, for the admin views.
struct LedgerLine {
  std::string id;      // ch_N or re_N
  std::string intent;  // the request's X-Intent header, else its Idempotency-Key ("" if neither)
  std::int64_t amount = 0;
};

class ServedStrategy {
 public:
  // Connects, creates the strategy's tables and queues, starts its workers.
  // Throws realmode::Unreachable (a server does not answer) or
  // realmode::RealRunError (the setup failed), having left nothing behind.
  ServedStrategy(const strategies::StrategyInfo& info, const realmode::Servers& servers, const ServeOptions& options);
  // Stops the world and removes what it made.
  ~ServedStrategy();
  ServedStrategy(const ServedStrategy&) = delete;
  ServedStrategy& operator=(const ServedStrategy&) = delete;

  const std::string& name() const { return name_; }
  const std::string& run_id() const { return run_id_; }
  // Whether the strategy reads a payment's outcome on GET /payments/{key}.
  bool answers_lookups() const { return answers_lookups_; }

  // Thread-safe. The answer comes once the strategy has answered (or the
  // API crashed under the request).
  std::future<Answer> submit(api::Request request);
  // Thread-safe.
  void arm(const AdminFault& fault);
  // Thread-safe: the ledger as it is now (blocking).
  std::vector<LedgerLine> ledger();
  // Thread-safe: whether the API node is up (not crashed).
  bool up() const { return up_.load(); }

  // Waits, at most `grace`, until no request is in flight and the strategy's
  // queues hold nothing ready or unacknowledged (a 202's payment has been
  // charged, or is still held durably). True if it got there. Thread-safe.
  bool drain(sim::Duration grace);

 private:
  class World;
  void run(const strategies::StrategyInfo& info, const realmode::Servers& servers, const ServeOptions& options,
           std::promise<void>& ready);

  std::string name_;
  std::string run_id_;
  bool answers_lookups_ = false;
  std::atomic<bool> up_{true};
  std::atomic<bool> stopping_{false};
  World* world_ = nullptr;  // the loop thread's; set before `ready` and kept until stopping_
  std::thread thread_;
};

}  // namespace idemlab::serve
