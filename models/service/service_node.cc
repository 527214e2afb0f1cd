#include "models/service/service_node.h"

#include "sim/state_writer.h"
#include <memory>

#include "sim/resource.h"

namespace idemlab::models::service {
namespace {

struct Pool : sim::NodeMemory {
  Pool(sim::Simulator& sim, std::size_t slots, std::size_t queue_max) : workers(sim, slots, queue_max) {}
  sim::Resource workers;
};

}  // namespace

ServiceNode::ServiceNode(sim::Simulator& sim, std::string name, ServiceConfig config)
    : sim_(sim), config_(std::move(config)), node_(sim, std::move(name), [this](sim::Node& n) { return boot(n); }) {}

ServiceNode::~ServiceNode() {
  if (node_.up()) node_.crash();
}

void ServiceNode::route(std::string prefix, Handler handler) { routes_[std::move(prefix)] = std::move(handler); }

void ServiceNode::add_background(std::string name, Background worker) {
  background_.emplace_back(std::move(name), std::move(worker));
}

sim::Task<void> ServiceNode::boot(sim::Node& node) {
  node.set_memory(std::make_unique<Pool>(sim_, config_.workers, config_.queue_max));
  for (const auto& [name, worker] : background_) node.spawn(worker(), name);
  co_return;
}

std::size_t ServiceNode::in_flight() {
  if (!node_.has_memory()) return 0;
  const sim::Resource& workers = node_.memory<Pool>().workers;
  return workers.in_use() + workers.waiting();
}

sim::Task<api::Response> ServiceNode::handle(api::Request request) {
  const std::string target = request.method + " " + request.path;
  const Handler* handler = nullptr;
  std::size_t matched = 0;
  for (const auto& [prefix, candidate] : routes_) {
    if (target.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= matched) {
      handler = &candidate;
      matched = prefix.size();
    }
  }
  if (handler == nullptr) co_return api::Response{404, "{\"error\":\"no route for " + target + "\"}", false};
  sim::Resource& workers = node_.memory<Pool>().workers;
  if (!co_await workers.acquire(config_.queue_timeout)) {
    ++rejected_;
    co_return api::Response{config_.shed_status, "{\"error\":\"overloaded\"}", false, config_.shed_retry_after_s};
  }
  sim::SlotGuard worker(workers);
  co_await sim_.sleep(config_.overhead.sample(sim_.tape()));
  // The call ends before the co_await: its argument is no temporary of the
  // co_await expression (g++ 12, see docs/architecture.md).
  sim::Task<api::Response> pending = (*handler)(std::move(request));
  api::Response response = co_await std::move(pending);
  ++served_;
  co_return response;
}

void ServiceNode::write_state(sim::StateWriter& out) {
  out.tag("service");
  node_.write_state(out);
  out.flag(node_.has_memory());
  if (node_.has_memory()) node_.memory<Pool>().workers.write_state(out);
  out.u64(served_);
  out.u64(rejected_);
}

}  // namespace idemlab::models::service
