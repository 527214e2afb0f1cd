#include "models/retry_demo.h"

#include <algorithm>
#include <cassert>
#include <memory>
#include <vector>

#include "sim/latency.h"
#include "sim/network.h"
#include "sim/node.h"
#include "sim/resource.h"

namespace idemlab::models {
namespace {

using sim::Duration;
using sim::Node;
using sim::Task;

struct ApiMemory : sim::NodeMemory {
  explicit ApiMemory(sim::Simulator& s, int workers) : pool(s, static_cast<std::size_t>(workers), 64) {}
  sim::Resource pool;
};

class DemoWorld {
 public:
  DemoWorld(const RetryDemoConfig& config, sim::Tape& tape)
      : config_(config),
        sim_(tape, config.simulator),
        net_(sim_),
        api_(sim_, "api", [this](Node& n) { return boot_api(n); }),
        chaos_(sim_, "chaos") {
    sim::LinkConfig link;
    link.latency = sim::LatencyModel::log_normal(2 * sim::kMillisecond, 0.5, 40 * sim::kMillisecond);
    link.drop_request = config.drop_request;
    link.drop_reply = config.drop_reply;
    link.duplicate = config.duplicate;
    net_.set_defaults(link);
    for (int i = 0; i < config.clients; ++i) {
      clients_.push_back(std::make_unique<Node>(sim_, "client-" + std::to_string(i + 1)));
    }
  }

  RetryDemoResult run() {
    api_.start();
    chaos_.start();
    for (auto& client : clients_) {
      client->start();
      client->spawn(client_loop(*client), "payments");
    }
    if (config_.crash_api) chaos_.spawn(crash_api_once(), "crash-api");
    RetryDemoResult result;
    result.run = sim_.run();
    result.trace_hash = sim_.trace().hash();
    result.timeline = sim_.trace().timeline();
    result.json_lines = sim_.trace().json_lines();
    result.intents = config_.clients * config_.payments_per_client;
    result.charges = charges_;
    for (const auto& [intent, count] : charges_) {
      if (count == 1) ++result.charged_once;
      if (count > 1) ++result.charged_more_than_once;
    }
    result.never_charged = result.intents - static_cast<int>(charges_.size());
    result.client_successes = successes_;
    result.client_gave_up = gave_up_;
    return result;
  }

 private:
  Task<void> boot_api(Node& node) {
    node.set_memory(std::make_unique<ApiMemory>(sim_, config_.api_workers));
    co_return;
  }

  // POST /payments with no idempotency: every request that runs charges.
  Task<int> create_payment(Node& node, std::string intent) {
    sim::Resource& pool = node.memory<ApiMemory>().pool;
    if (!co_await pool.acquire()) co_return 503;
    sim::SlotGuard slot(pool);
    co_await sim_.sleep(sim::uniform(sim_.tape(), 5 * sim::kMillisecond, 15 * sim::kMillisecond,
                                     sim::Choice::kLatency));
    const int count = ++charges_[intent];
    if (sim_.trace().enabled()) {
      sim_.record(node.name(), "charge", intent + (count > 1 ? " AGAIN: charged " + std::to_string(count) + " times" : ""));
    }
    co_return 201;
  }

  Task<void> client_loop(Node& client) {
    for (int p = 1; p <= config_.payments_per_client; ++p) {
      const std::string intent = client.name() + "/pay-" + std::to_string(p);
      bool done = false;
      for (int attempt = 1; attempt <= config_.attempts_max && !done; ++attempt) {
        if (sim_.trace().enabled()) sim_.record(client.name(), "invoke", intent + " attempt " + std::to_string(attempt));
        // Named, not temporaries: g++ 12 may destroy a temporary of class type
        // twice when it sits in a co_await expression (see docs/architecture.md).
        std::function<Task<int>()> handler = [this, intent]() -> Task<int> { return create_payment(api_, intent); };
        std::string op = "POST /payments " + intent;
        const sim::CallResult<int> r =
            co_await net_.call<int>(client, api_, std::move(op), config_.request_timeout, std::move(handler));
        if (r.ok() && *r.value == 201) {
          done = true;
          ++successes_;
          if (sim_.trace().enabled()) sim_.record(client.name(), "ok", intent + " 201");
          break;
        }
        if (sim_.trace().enabled()) {
          const std::string what = r.ok() ? std::to_string(*r.value)
                                          : std::string(sim::call_status_name(r.status)) +
                                                (r.status == sim::CallStatus::kTimeout ? " (unknown outcome)" : "");
          sim_.record(client.name(), r.status == sim::CallStatus::kTimeout ? "unknown" : "fail", intent + " " + what);
        }
        if (attempt == config_.attempts_max) break;
        const Duration ceiling = config_.backoff_base << (attempt - 1);
        co_await sim_.sleep(sim::uniform(sim_.tape(), 0, ceiling + 1, sim::Choice::kJitter));
      }
      if (!done) {
        ++gave_up_;
        if (sim_.trace().enabled()) sim_.record(client.name(), "give-up", intent);
      }
      co_await sim_.sleep(sim::LatencyModel::exponential(config_.think_mean).sample(sim_.tape()));
    }
  }

  Task<void> crash_api_once() {
    co_await sim_.sleep(config_.crash_at);
    if (api_.up()) api_.crash();
    co_await sim_.sleep(config_.down_for);
    api_.start();
  }

  RetryDemoConfig config_;
  sim::Simulator sim_;
  sim::Network net_;
  Node api_;
  Node chaos_;
  std::vector<std::unique_ptr<Node>> clients_;
  std::map<std::string, int> charges_;  // the processor's ledger: survives crashes
  int successes_ = 0;
  int gave_up_ = 0;
};

}  // namespace

RetryDemoResult run_retry_demo(const RetryDemoConfig& config, sim::Tape& tape) {
  DemoWorld world(config, tape);
  return world.run();
}

}  // namespace idemlab::models
