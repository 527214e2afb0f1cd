// Targeted faults at named points of a run, as scenario scripts ask for them:
//   before:<port>.<op> / after:<port>.<op>   e.g. after:processor.charge, before:sql.commit
//     optionally on one node only: after:processor.charge@payments-consumer
//   reply:<from><-<to> / request:<from>-><to> e.g. reply:client<-api (a network fault on that link)
// Port points take crash, drop_request (before:) and drop_reply (after:), and
// the server actions (restart_redis...); link points take the network faults.
// each with `nth` (the nth time the point is reached) and an action. Points on
// ports are reached through decorators around every node's ports, so the
// strategies and the models know nothing of them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/state_writer.h"
#include "models/host.h"
#include "strategies/ports/faulty_ports.h"

namespace idemlab::scenarios {

// One port operation of a run, in the order they took effect (see
// takes_effect_over_time): which node,
// which process (a request's handler is named after the request, so the
// process says which client intent it serves), which operation ("kv.set").
struct ScheduleStep {
  std::string node;
  std::string process;
  std::string op;
  bool operator==(const ScheduleStep&) const = default;
};

struct TargetedFault {
  enum class Action : std::uint8_t {
    kCrash,            // the node reaching the point crashes, restarts after `downtime`
    kDropReply,        // link points; or after: points (the operation happened, the caller sees a timeout)
    kDropRequest,      // link points; or before: points (the operation does not happen; a timeout)
    kDuplicate,        // network points only
    kDelay,            // network points only
    kRestartRedis,
    kFailoverRedis,
    kRestartPostgres,
    kRestartBroker,
  };
  std::string point;
  std::uint64_t nth = 1;
  Action action = Action::kCrash;
  sim::Duration downtime = 100 * sim::kMillisecond;
  // kCrash: when above `downtime`, the downtime is drawn uniformly from
  // [downtime, downtime_max] through the tape (a latency draw, whose ends
  // schedule exploration takes as choices); 0: exactly `downtime`.
  sim::Duration downtime_max = 0;
  // kDelay: how long the request is held back; 0: the link's extra_delay.
  sim::Duration delay = 0;
};

const char* action_name(TargetedFault::Action action);
// Parses an action name; false if unknown.
bool parse_action(const std::string& name, TargetedFault::Action& out);
// An error message if `point` is malformed or names no known port operation.
std::optional<std::string> validate_point(const std::string& point, TargetedFault::Action action);
// The node names a valid point mentions: both ends of a link, or the node
// after '@'.
std::vector<std::string> point_nodes(const std::string& point);
// The port through which a node calls the backend node `node` ("redis" ->
// "kv", "postgres" -> "sql", "rabbitmq" -> "queue", "processor"); empty if
// `node` is no backend.
std::string port_of_backend(const std::string& node);

// A schedule's step is where its operation took effect, which for most is
// where its caller saw it end. Some take effect over their whole duration:
// a charge (the processor claims its key at once, writes its ledger after
// its processing time) and a publish (the broker delivers the message before
// the confirm comes back). Their step is where they started, and a turnstile
// lets the next step go as soon as they have. `op`: "processor.charge".
bool takes_effect_over_time(std::string_view op);

// A place a fault can be put: a point with its node ("after:kv.set@api",
// "reply:client-1<-api") and which time the run reached it (nth).
struct FaultSite {
  std::string point;
  std::uint64_t nth = 1;
  bool operator==(const FaultSite&) const = default;
  auto operator<=>(const FaultSite&) const = default;
};

// Where a fault's server action (restart_redis...) lands: the world's models
// in simulation; the live servers in real mode. An action returns once the
// server is back: the run stands still meanwhile, so that it takes no time,
// as in the models.
class ServerActions {
 public:
  virtual ~ServerActions() = default;
  virtual void restart_redis() = 0;
  virtual void failover_redis() = 0;
  virtual void restart_postgres() = 0;
  virtual void restart_broker() = 0;
};

// The faults of one run. Installs itself on the world (port decorators and
// network injections); the world must outlive it only while the run lasts.
// Server actions go to `servers` (kept): the models, or the live servers.
class FaultPlan final : public ports::FaultHook {
 public:
  FaultPlan(models::Host& world, std::vector<TargetedFault> faults, ServerActions& servers);
  ~FaultPlan();
  FaultPlan(const FaultPlan&) = delete;
  FaultPlan& operator=(const FaultPlan&) = delete;

  // Injects the network faults. Call once the setup has run, so that call
  // numbers count the workload's calls only.
  void arm_network_faults();

  // Adds a port-point fault at run time, its `nth` counted from now: nth 1
  // is the next time the point is reached. `idemlab serve`'s admin faults.
  // REQUIRES: a before:/after: point that validate_point accepts.
  void arm_next(TargetedFault fault);

  // Real mode: the calls to the backends do not cross the simulated network,
  // so a fault on such a link ("reply:api<-processor") is taken at the
  // caller's port instead: drop_reply at "after:processor.*@api", counting
  // every operation of that port, as the link counts every reply. (Calls
  // that carry no point, such as kv.ttl or sql.rollback, are not counted.)
  // REQUIRES: before the run starts.
  void take_backend_link_faults_at_ports();

  // Called by the decorators. Performs the faults due at this hit of `point`.
  Verdict hit(const std::string& point, sim::Node& node) override;
  sim::Duration last_drop_wait() const override { return last_drop_wait_; }

  // Real mode following a recorded schedule: every decorated operation
  // passes `gate` (kept) first.
  void follow(ports::Gate& gate) { gate_ = &gate; }
  ports::Gate* gate() override { return gate_; }

  // Faults taken so far, for reports and recorded schedules.
  const std::vector<std::string>& taken() const { return taken_; }
  // Faults whose point was reached when the world could not take them (a
  // crash of a node already down, a failover without a replica), each with
  // the reason.
  const std::vector<std::string>& not_taken() const { return not_taken_; }

  // What decides the faults still to come: the hits counted per point and
  // the faults taken.
  void write_state(sim::StateWriter& out) const;

  // Exploration: every port point the run reaches, as a site with its node
  // and its count there, in the order reached; and every link call made
  // since the network faults were armed (which is what their nth counts).
  // REQUIRES: record_sites() before the run starts.
  void record_sites() { record_sites_ = true; }
  const std::vector<FaultSite>& port_sites() const { return port_sites_; }
  // Per directed link (caller, callee) that carried a call: the calls made
  // since arm_network_faults().
  std::vector<std::pair<sim::Network::LinkKey, std::uint64_t>> link_calls() const;

  // Every port operation, in the order the callers saw them end (node,
  // process, operation), when asked for before the run starts: the steps of
  // a recorded schedule.
  void keep_steps() { keep_steps_ = true; }
  const std::vector<ScheduleStep>& steps() const { return steps_; }

 private:
  std::optional<std::string> cannot_take(const TargetedFault& fault, const sim::Node& node) const;
  void crash_and_restart(sim::Node& node, sim::Duration downtime);
  void apply_network_fault(const TargetedFault& fault);

  models::Host& world_;
  ServerActions& servers_;
  std::vector<TargetedFault> faults_;
  std::set<std::string> watched_;  // the points the faults name, without "@node"
  std::map<std::string, std::uint64_t> hits_;
  std::map<std::size_t, std::string> shown_as_;  // faults taken at ports: their link point
  std::vector<std::string> taken_;
  std::vector<std::string> not_taken_;
  bool keep_steps_ = false;
  std::vector<ScheduleStep> steps_;
  bool record_sites_ = false;
  std::vector<FaultSite> port_sites_;
  sim::Network::CallCounts calls_when_armed_;
  ports::Gate* gate_ = nullptr;
  std::map<std::size_t, sim::Duration> drop_waits_;  // faults taken at ports: the caller's timeout
  sim::Duration last_drop_wait_ = 0;
  std::vector<std::unique_ptr<ports::FaultyPorts>> decorated_;
};

}  // namespace idemlab::scenarios
