// A strategy is the system under test: the payments API's handlers and its
// background workers, written once over the ports, so that the same code runs
// in the simulator and against live servers.
//
// Adding a strategy: write one file that defines a class derived from
// Strategy, and add one line for it to strategies/registry.cc.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/task.h"
#include "sim/time.h"
#include "strategies/api.h"
#include "strategies/ports/ports.h"
#include "strategies/ports/result.h"
#include "strategies/ports/sql.h"

namespace idemlab::strategies {

struct StrategyOptions {
  // How long a completed key's response is kept and replayed (Stripe: 24 h).
  sim::Duration key_ttl = 24 * 3600 * sim::kSecond;
  // How long an in-progress claim holds before another request may take over.
  sim::Duration lock_ttl = 30 * sim::kSecond;
  ports::Isolation isolation = ports::Isolation::kReadCommitted;
  // Background workers poll at this interval when idle.
  sim::Duration poll_interval = 100 * sim::kMillisecond;
};

// A background process of the strategy (queue consumer, outbox relay,
// recovery job). On its own node it crashes independently of the API.
struct Worker {
  std::string name;
  bool own_node = true;
  std::function<sim::Task<void>(ports::Ports)> run;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Creates what the strategy needs (tables, queues). Runs once before any
  // request.
  virtual sim::Task<ports::Result<ports::Unit>> setup(ports::Ports ports) = 0;
  // Serves POST /payments (and GET /payments/{key} where supported).
  virtual sim::Task<api::Response> handle(ports::Ports ports, api::Request request) = 0;
  virtual std::vector<Worker> workers() { return {}; }
  // Whether GET /payments/{key} reads a payment's outcome: the strategies
  // that answer 202 and finish later do. The others answer every request as
  // a POST would, so `idemlab serve` refuses their GETs (405).
  virtual bool answers_lookups() const { return false; }
  // Queues the strategy uses, so that a run can tell when its background
  // work is done (nothing ready or unacknowledged in them).
  virtual std::vector<std::string> queues() const { return {}; }
};

// What a strategy is known to break, per shipped scenario (by name): the
// invariants a sweep of that scenario must find violated. A shipped
// scenario it does not name, it is expected to survive.
using Breaks = std::map<std::string, std::set<std::string>>;

// A strategy, as its own file states it (strategies/registry.cc lists it in
// one line).
struct StrategyInfo {
  std::string name;
  std::string summary;
  bool textbook = false;  // a flawed version from the articles, kept to show where it breaks
  std::function<std::unique_ptr<Strategy>(const StrategyOptions&)> make;
  // nullopt: no statement, so no expectation in any shipped scenario (a
  // new variant is swept and reported, not refused); the default, so that
  // {name, summary, textbook, make} is a whole StrategyInfo. A script's
  // $.expect overrides it (scenarios/expectations.h).
  std::optional<Breaks> breaks = std::nullopt;
};

// Every strategy and textbook variant, in the order reports list them.
const std::vector<StrategyInfo>& all_strategies();
// nullptr when `name` is unknown.
const StrategyInfo* find_strategy(const std::string& name);

}  // namespace idemlab::strategies
