// The API service as a simulated process: a bounded pool of workers with a
// bounded queue in front (a full queue, or a wait too long, sheds: 503 or 429), a fixed cost per
// request, routes to handlers (the strategies), and background workers that
// run on the same node. A crash cancels every request in progress and every
// background worker and drops the pool; a restart boots them again. Workers
// that must crash independently (a queue consumer, an outbox relay) run on
// their own sim::Node with a boot routine.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "sim/latency.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "strategies/api.h"

namespace idemlab::models::service {

struct ServiceConfig {
  std::size_t workers = 16;
  std::size_t queue_max = 128;
  sim::LatencyModel overhead = sim::LatencyModel::constant(200 * sim::kMicrosecond);  // parsing, routing, auth
  // Admission control: a request that finds the queue full, or waits in it
  // longer than queue_timeout (its client has likely given up on it), is
  // answered at once with shed_status (503, or 429 Too Many Requests) and
  // the Retry-After shed_retry_after_s (in seconds; -1: none).
  int shed_status = 503;
  sim::Duration queue_timeout = sim::kTimeNever;
  int shed_retry_after_s = -1;
};

using Handler = std::function<sim::Task<api::Response>(api::Request)>;
using Background = std::function<sim::Task<void>()>;

class ServiceNode {
 public:
  ServiceNode(sim::Simulator& sim, std::string name, ServiceConfig config);
  ~ServiceNode();
  ServiceNode(const ServiceNode&) = delete;
  ServiceNode& operator=(const ServiceNode&) = delete;

  sim::Node& node() { return node_; }

  // Requests whose "METHOD path" starts with `prefix` go to `handler`; the
  // longest matching prefix wins. Set up before start().
  void route(std::string prefix, Handler handler);
  // Started at every boot, on this node.
  void add_background(std::string name, Background worker);

  // Serves one request on this node (the network runs it here).
  sim::Task<api::Response> handle(api::Request request);

  void start() { node_.start(); }
  void crash() { node_.crash(); }
  void restart() { node_.restart(); }

  std::uint64_t served() const { return served_; }
  // Requests being served or waiting for a worker (none while down).
  std::size_t in_flight();
  // Its node, its worker pool, what it has served and rejected.
  void write_state(sim::StateWriter& out);
  std::uint64_t rejected() const { return rejected_; }

 private:
  sim::Task<void> boot(sim::Node& node);

  sim::Simulator& sim_;
  ServiceConfig config_;
  std::map<std::string, Handler> routes_;
  std::vector<std::pair<std::string, Background>> background_;
  std::uint64_t served_ = 0;
  std::uint64_t rejected_ = 0;
  sim::Node node_;  // last: destroyed first, while routes and workers still exist
};

}  // namespace idemlab::models::service
