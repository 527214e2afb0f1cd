// The clients' test rig: a world with one API node whose POST /payments
// answers from a script, and the one-intent client the tests start from.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "models/clients/client.h"

namespace idemlab::models::clients::testing {

using sim::kMillisecond;
using sim::kSecond;
using HK = HistoryEvent::Kind;

// A world with one API node whose POST /payments answers `status` after
// `service_time`, counting the requests it ran.
struct Rig {
  explicit Rig(int status = 201, sim::Duration service_time = 5 * kMillisecond, service::ServiceConfig config = {})
      : tape(1), sim(tape, options()), net(sim), api(sim, "api", config) {
    sim::LinkConfig link;
    link.latency = sim::LatencyModel::constant(1 * kMillisecond);
    net.set_defaults(link);
    api.route("POST /payments", [this, status, service_time](api::Request request) -> sim::Task<api::Response> {
      return respond(std::move(request), status, service_time);
    });
    api.start();
  }
  ~Rig() { sim.cancel_all(); }

  static sim::SimulatorOptions options() {
    sim::SimulatorOptions o;
    o.trace = sim::TraceLevel::kFull;
    return o;
  }

  sim::Task<api::Response> respond(api::Request request, int status, sim::Duration service_time) {
    co_await sim.sleep(service_time);
    const std::size_t n = static_cast<std::size_t>(executed++);
    keys_seen.push_back(request.idempotency_key.value_or("<none>"));
    bodies_seen.push_back(request.body);
    answered_at.push_back(sim.now());
    // The script's answers in turn, its last one for ever; else `status`.
    if (!script.empty()) co_return script[std::min(n, script.size() - 1)];
    co_return api::Response{status, "{}", false};
  }

  Client& add_client(ClientConfig config, std::string name = "client-1") {
    clients.push_back(std::make_unique<Client>(sim, net, std::move(name), std::move(config), api, history));
    return *clients.back();
  }

  void run() {
    for (auto& c : clients) c->start();
    const sim::RunResult r = sim.run();
    REQUIRE(r.stop == sim::RunStop::kQuiescent);
  }

  std::vector<const HistoryEvent*> of(HK kind) const {
    std::vector<const HistoryEvent*> out;
    for (const auto& e : history.events()) {
      if (e.kind == kind) out.push_back(&e);
    }
    return out;
  }

  sim::RandomTape tape;
  sim::Simulator sim;
  sim::Network net;
  service::ServiceNode api;
  History history;
  std::vector<std::unique_ptr<Client>> clients;
  int executed = 0;
  std::vector<std::string> keys_seen;
  std::vector<std::string> bodies_seen;
  std::vector<sim::Time> answered_at;
  std::vector<api::Response> script;
};

inline ClientConfig one_intent() {
  ClientConfig c;
  c.intents = 1;
  c.request_timeout = 100 * kMillisecond;
  c.retry.backoff = Backoff::kFixed;
  c.retry.base = 50 * kMillisecond;
  c.retry.attempts_max = 3;
  return c;
}

}  // namespace idemlab::models::clients::testing
