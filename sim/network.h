// Request/reply links between nodes, with latency and the faults retries are
// about. A call runs the handler as a process on the target node, so a crash
// of the target loses the request, and the caller waits for the reply with a
// deadline. What each fault means:
//   drop request  the handler never runs; the caller times out
//   drop reply    the handler ran (its effects stand); the caller times out
//   duplicate     the handler runs twice; the caller takes the first reply
//   delay         the request takes an extra delay on top of its latency
//   partition     every request and reply between the two nodes is lost
//   target down   refused: the caller learns after one latency that the
//                 handler did not run (a TCP reset)
// Random faults are ratios drawn through the tape at send (request faults) and
// at reply (reply fault); inject() forces the faults of the next call.
#pragma once

#include <array>
#include <cassert>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/state_writer.h"
#include "sim/latency.h"
#include "sim/node.h"
#include "sim/simulator.h"

namespace idemlab::sim {

enum class Fault : std::uint8_t { kDropRequest, kDropReply, kDuplicate, kDelay };
const char* fault_name(Fault fault);

struct LinkConfig {
  LatencyModel latency = LatencyModel::constant(100 * kMicrosecond);  // one way
  Ratio drop_request{0, 1};
  Ratio drop_reply{0, 1};
  Ratio duplicate{0, 1};
  Ratio delay{0, 1};
  LatencyModel extra_delay = LatencyModel::constant(50 * kMillisecond);
};

enum class CallStatus : std::uint8_t {
  kOk,       // the reply arrived
  kTimeout,  // no reply by the deadline: the handler may or may not have run
  kRefused,  // the target was down: the handler did not run
};
const char* call_status_name(CallStatus status);

template <class T>
struct CallResult {
  CallStatus status = CallStatus::kTimeout;
  std::optional<T> value;  // set iff status == kOk
  bool ok() const { return status == CallStatus::kOk; }
};

struct NetworkStats {
  std::uint64_t calls = 0;
  std::uint64_t requests_dropped = 0;
  std::uint64_t replies_dropped = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t delays = 0;
  std::uint64_t refused = 0;
  std::uint64_t partitioned = 0;
};

// The caller's end of one call. Shared with the handler processes, which may
// outlive the caller (or the other way round).
struct ReplyBox {
  Simulator* sim = nullptr;
  const Node* from = nullptr;
  std::string op;          // the call's name, kept only when tracing
  Waiter waiter;           // the caller, while it waits
  bool waiting = false;
  bool replied = false;    // a reply is on its way or has arrived
  bool force_drop_reply = false;
  CallStatus status = CallStatus::kTimeout;
  EventId timer;
  EventId arrival;

  void settle(CallStatus outcome);
  static void arrive(void* context, std::uint64_t);
  static void expire(void* context, std::uint64_t);
};

template <class T>
struct ValueBox : ReplyBox {
  std::optional<T> value;
};

struct ReplyAwaiter {
  ReplyBox& box;
  Duration timeout;

  ReplyAwaiter(ReplyBox& b, Duration t) : box(b), timeout(t) {}
  ReplyAwaiter(const ReplyAwaiter&) = delete;
  ~ReplyAwaiter();
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h) {
    box.waiter.bind(*box.sim, h);
    box.waiting = true;
    box.timer = box.sim->schedule(box.sim->now() + timeout, &ReplyBox::expire, &box);
  }
  void await_resume() const noexcept {}
};

class Network {
 public:
  explicit Network(Simulator& sim, LinkConfig defaults = {}) : sim_(sim), defaults_(std::move(defaults)) {}

  // The settings of the directed link from -> to, for changing them (made
  // from the defaults on first use); change them freely between calls.
  LinkConfig& link(const Node& from, const Node& to);
  // The settings in force from -> to: the link's own, or the defaults. Reading
  // creates nothing, so a world keeps entries only for links it changed.
  const LinkConfig& config(const Node& from, const Node& to) const;
  void set_defaults(LinkConfig defaults) { defaults_ = std::move(defaults); }

  void partition(const Node& a, const Node& b);
  void heal(const Node& a, const Node& b);
  void heal_all() { partitions_.clear(); }
  bool partitioned(const Node& a, const Node& b) const;

  // Forces `fault` on the next call from -> to (several may be queued).
  void inject(const Node& from, const Node& to, Fault fault) { inject_nth(from, to, fault, 1); }
  // Forces `fault` on the nth call from -> to counted from now (1: the next).
  // A forced kDelay holds the request back `delay` (0: the link's extra_delay).
  void inject_nth(const Node& from, const Node& to, Fault fault, std::uint64_t nth, Duration delay = 0);

  const NetworkStats& stats() const { return stats_; }
  // Links changed from the defaults, partitions, forced faults and the
  // calls counted on each link (what forced faults are numbered by).
  void write_state(StateWriter& out) const;
  // The calls made so far on each directed link that carried one, by
  // (caller, callee) name: what an explorer places link faults among.
  using LinkKey = std::pair<std::string, std::string>;
  // Ordered as the pair of names; looked up by views of the names, so that
  // the per-call lookups copy no string.
  struct LinkLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const std::string_view a1 = a.first, b1 = b.first;
      if (a1 != b1) return a1 < b1;
      return std::string_view(a.second) < std::string_view(b.second);
    }
  };
  template <class T>
  using LinkMap = std::map<LinkKey, T, LinkLess>;
  using CallCounts = LinkMap<std::uint64_t>;
  const CallCounts& call_counts() const { return calls_; }

  // Calls `handler` on `to` on behalf of a process of `from`, waiting at most
  // `timeout` for the reply. Parameters are taken by value: they must live as
  // long as the handler processes, which can outlive the caller.
  template <class T>
  Task<CallResult<T>> call(Node& from, Node& to, std::string op, Duration timeout,
                           std::function<Task<T>()> handler);

 private:
  // The fate of one request, decided at send time.
  struct Plan {
    bool refused = false;
    // One per copy that reaches the target: the request, and a duplicate.
    std::array<Duration, 2> deliveries{};
    std::size_t copies = 0;
    void deliver(Duration delivery) {
      assert(copies < deliveries.size());
      deliveries[copies++] = delivery;
    }
  };
  Plan plan_request(Node& from, Node& to, ReplyBox& box);
  // At the target, once the handler is done: drop the reply, or send it.
  // Returns true when the reply should be sent.
  bool reply_survives(const Node& from, const Node& to, ReplyBox& box);
  void send_reply(const Node& from, const Node& to, ReplyBox& box);

  template <class T>
  Task<void> serve(Node& from, Node& to, Duration delivery, std::shared_ptr<ValueBox<T>> box,
                   std::function<Task<T>()> handler);

  Simulator& sim_;
  LinkConfig defaults_;
  LinkMap<LinkConfig> links_;
  LinkMap<bool> partitions_;  // unordered pair, stored sorted
  // Forced faults by link and by the number of the call they hit.
  LinkMap<std::map<std::uint64_t, std::vector<Fault>>> forced_;
  LinkMap<std::map<std::uint64_t, Duration>> forced_delays_;  // explicit amounts of forced delays
  CallCounts calls_;  // calls made on each link so far
  NetworkStats stats_;
};

template <class T>
Task<CallResult<T>> Network::call(Node& from, Node& to, std::string op, Duration timeout,
                                  std::function<Task<T>()> handler) {
  auto box = std::make_shared<ValueBox<T>>();
  box->sim = &sim_;
  box->from = &from;
  if (sim_.trace().enabled()) box->op = std::move(op);
  const Plan plan = plan_request(from, to, *box);
  // The handler's process is named after the call when tracing, so that a
  // recorded schedule says which request each step served.
  const std::string_view process = box->op.empty() ? std::string_view("rpc") : std::string_view(box->op);
  for (std::size_t copy = 0; copy < plan.copies; ++copy) {
    // The last copy takes the handler itself: a handler holds the call's
    // arguments (keys, rows, bodies), and most calls have one copy.
    std::function<Task<T>()> mine = copy + 1 == plan.copies ? std::move(handler) : handler;
    to.spawn(serve<T>(from, to, plan.deliveries[copy], box, std::move(mine)), process);
  }
  co_await ReplyAwaiter(*box, timeout);
  CallResult<T> result;
  result.status = box->status;
  if (box->status == CallStatus::kOk) result.value = std::move(box->value);
  co_return result;
}

template <class T>
Task<void> Network::serve(Node& from, Node& to, Duration delivery, std::shared_ptr<ValueBox<T>> box,
                          std::function<Task<T>()> handler) {
  co_await sim_.sleep(delivery);
  if (sim_.trace().enabled()) sim_.record(to.name(), "deliver", box->op + " from " + from.name());
  T value = co_await handler();
  if (!reply_survives(from, to, *box)) co_return;
  if (!box->waiting || box->replied) co_return;  // caller gone, or a duplicate lost the race
  box->value = std::move(value);
  send_reply(from, to, *box);
}

}  // namespace idemlab::sim
