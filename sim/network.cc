#include "sim/network.h"

#include "sim/state_writer.h"

#include <algorithm>
#include <cassert>

namespace idemlab::sim {
namespace {

void write_link(StateWriter& out, const LinkConfig& c) {
  out.str(c.latency.describe());
  for (const Ratio& r : {c.drop_request, c.drop_reply, c.duplicate, c.delay}) {
    out.u64(r.numerator);
    out.u64(r.denominator);
  }
  out.str(c.extra_delay.describe());
}

}  // namespace

void Network::write_state(StateWriter& out) const {
  out.tag("network");
  write_link(out, defaults_);
  out.u64(links_.size());
  for (const auto& [key, config] : links_) {
    out.str(key.first);
    out.str(key.second);
    write_link(out, config);
  }
  out.u64(partitions_.size());
  for (const auto& [key, on] : partitions_) {
    out.str(key.first);
    out.str(key.second);
    out.flag(on);
  }
  out.u64(forced_.size());
  for (const auto& [key, by_call] : forced_) {
    out.str(key.first);
    out.str(key.second);
    out.u64(by_call.size());
    for (const auto& [call, faults] : by_call) {
      out.u64(call);
      for (Fault f : faults) out.u64(static_cast<std::uint64_t>(f));
      out.u64(faults.size());
    }
  }
  for (const auto& [key, by_call] : forced_delays_) {
    out.str(key.first);
    out.str(key.second);
    for (const auto& [call, delay] : by_call) {
      out.u64(call);
      out.i64(delay);
    }
  }
  out.u64(calls_.size());
  for (const auto& [key, calls] : calls_) {
    out.str(key.first);
    out.str(key.second);
    out.u64(calls);
  }
}
namespace {

using LinkView = std::pair<std::string_view, std::string_view>;

LinkView link_view(const Node& from, const Node& to) { return LinkView{from.name(), to.name()}; }

// A partition's key: the pair of names in order, whichever side is given first.
LinkView unordered_view(const Node& a, const Node& b) { return a.name() < b.name() ? link_view(a, b) : link_view(b, a); }

}  // namespace

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::kDropRequest: return "drop_request";
    case Fault::kDropReply: return "drop_reply";
    case Fault::kDuplicate: return "duplicate";
    case Fault::kDelay: return "delay";
  }
  assert(false && "unknown Fault");
  return "?";
}

const char* call_status_name(CallStatus status) {
  switch (status) {
    case CallStatus::kOk: return "ok";
    case CallStatus::kTimeout: return "timeout";
    case CallStatus::kRefused: return "refused";
  }
  assert(false && "unknown CallStatus");
  return "?";
}

// The call is over, by reply or by deadline: disarm the other event and
// resume the caller.
void ReplyBox::settle(CallStatus outcome) {
  assert(waiting);
  sim->cancel(timer);
  sim->cancel(arrival);
  timer = {};
  arrival = {};
  waiting = false;
  status = outcome;
  // A call that timed out is the scenario reaching the caller (a slow
  // backend, a lost message), whoever the caller is: a client, the API or
  // a worker.
  if (outcome == CallStatus::kTimeout) sim->tape().count_disturbance();
  if (sim->trace().enabled()) {
    if (outcome == CallStatus::kTimeout) {
      sim->record(from->name(), "timeout", op);
    } else {
      sim->record(from->name(), "receive", op + ": " + call_status_name(outcome));
    }
  }
  sim->resume(waiter.process, waiter.handle);
}

void ReplyBox::arrive(void* context, std::uint64_t) {
  auto* box = static_cast<ReplyBox*>(context);
  box->arrival = {};
  box->settle(box->status);
}

void ReplyBox::expire(void* context, std::uint64_t) {
  auto* box = static_cast<ReplyBox*>(context);
  box->timer = {};
  box->settle(CallStatus::kTimeout);
}

ReplyAwaiter::~ReplyAwaiter() {
  // The caller is gone (or done): nobody may resume it any more.
  box.sim->cancel(box.timer);
  box.sim->cancel(box.arrival);
  box.timer = {};
  box.arrival = {};
  box.waiting = false;
}

LinkConfig& Network::link(const Node& from, const Node& to) {
  const LinkKey key{from.name(), to.name()};
  auto it = links_.find(key);
  if (it == links_.end()) it = links_.emplace(key, defaults_).first;
  return it->second;
}

const LinkConfig& Network::config(const Node& from, const Node& to) const {
  if (links_.empty()) return defaults_;
  auto it = links_.find(link_view(from, to));
  return it == links_.end() ? defaults_ : it->second;
}

void Network::partition(const Node& a, const Node& b) {
  partitions_[Network::LinkKey(unordered_view(a, b))] = true;
  if (sim_.trace().enabled()) sim_.record(a.name(), "partition", "from " + b.name());
}

void Network::heal(const Node& a, const Node& b) {
  const auto it = partitions_.find(unordered_view(a, b));
  if (it != partitions_.end()) partitions_.erase(it);
  if (sim_.trace().enabled()) sim_.record(a.name(), "heal", "with " + b.name());
}

bool Network::partitioned(const Node& a, const Node& b) const {
  return !partitions_.empty() && partitions_.count(unordered_view(a, b)) != 0;
}

void Network::inject_nth(const Node& from, const Node& to, Fault fault, std::uint64_t nth, Duration delay) {
  assert(nth >= 1 && delay >= 0);
  const LinkKey key{from.name(), to.name()};
  forced_[key][calls_[key] + nth].push_back(fault);
  if (fault == Fault::kDelay && delay > 0) forced_delays_[key][calls_[key] + nth] = delay;
}

Network::Plan Network::plan_request(Node& from, Node& to, ReplyBox& box) {
  ++stats_.calls;
  const LinkConfig& link_config = config(from, to);
  const bool tracing = sim_.trace().enabled();
  if (tracing) sim_.record(from.name(), "send", box.op + " to " + to.name());

  bool forced_drop_request = false, forced_duplicate = false, forced_delay = false;
  Duration forced_delay_amount = 0;
  const LinkView key = link_view(from, to);
  auto calls = calls_.find(key);
  if (calls == calls_.end()) calls = calls_.emplace(LinkKey{from.name(), to.name()}, 0).first;
  const std::uint64_t call_number = ++calls->second;
  auto link_faults = forced_.empty() ? forced_.end() : forced_.find(key);
  if (link_faults != forced_.end()) {
    auto forced = link_faults->second.find(call_number);
    if (forced != link_faults->second.end()) {
      for (Fault f : forced->second) {
        forced_drop_request |= f == Fault::kDropRequest;
        forced_duplicate |= f == Fault::kDuplicate;
        forced_delay |= f == Fault::kDelay;
        box.force_drop_reply |= f == Fault::kDropReply;
      }
      link_faults->second.erase(forced);
    }
    auto amounts = forced_delays_.find(key);
    if (amounts != forced_delays_.end()) {
      auto amount = amounts->second.find(call_number);
      if (amount != amounts->second.end()) {
        forced_delay_amount = amount->second;
        amounts->second.erase(amount);
      }
    }
  }

  Plan plan;
  Tape& tape = sim_.tape();
  if (partitioned(from, to)) {
    ++stats_.partitioned;
    if (tracing) sim_.record(from.name(), "drop-request", box.op + ": partitioned from " + to.name());
    return plan;
  }
  if (!to.up()) {
    ++stats_.refused;
    plan.refused = true;
    box.status = CallStatus::kRefused;
    box.replied = true;
    // The reset comes back after a round trip. call() starts waiting before
    // any event can run, so the arrival always finds the caller waiting (or
    // the caller's destruction cancels it).
    const Duration round_trip = link_config.latency.sample(tape) + link_config.latency.sample(tape);
    box.arrival = sim_.schedule(sim_.now() + round_trip, &ReplyBox::arrive, &box);
    if (tracing) sim_.record(from.name(), "refused", box.op + ": " + to.name() + " is down");
    return plan;
  }
  if (forced_drop_request || chance(tape, link_config.drop_request, Choice::kFault)) {
    ++stats_.requests_dropped;
    if (tracing) sim_.record(from.name(), "drop-request", box.op + " to " + to.name());
    return plan;
  }
  const bool duplicate = forced_duplicate || chance(tape, link_config.duplicate, Choice::kFault);
  const bool delayed = forced_delay || chance(tape, link_config.delay, Choice::kFault);
  Duration delivery = link_config.latency.sample(tape);
  if (delayed) {
    ++stats_.delays;
    const Duration extra = forced_delay_amount > 0 ? forced_delay_amount : link_config.extra_delay.sample(tape);
    delivery += extra;
    if (tracing) sim_.record(from.name(), "delay", box.op + " by " + format_time(extra));
  }
  plan.deliver(delivery);
  if (duplicate) {
    ++stats_.duplicates;
    plan.deliver(link_config.latency.sample(tape));
    if (tracing) sim_.record(from.name(), "duplicate", box.op + " to " + to.name());
  }
  return plan;
}

bool Network::reply_survives(const Node& from, const Node& to, ReplyBox& box) {
  const bool forced = std::exchange(box.force_drop_reply, false);
  if (partitioned(from, to) || forced || chance(sim_.tape(), config(to, from).drop_reply, Choice::kFault)) {
    ++stats_.replies_dropped;
    if (sim_.trace().enabled()) sim_.record(to.name(), "drop-reply", box.op + " to " + from.name());
    return false;
  }
  return true;
}

void Network::send_reply(const Node& from, const Node& to, ReplyBox& box) {
  assert(box.waiting && !box.replied);
  box.replied = true;
  box.status = CallStatus::kOk;
  const Duration latency = config(to, from).latency.sample(sim_.tape());
  if (sim_.trace().enabled()) sim_.record(to.name(), "reply", box.op + " to " + from.name());
  box.arrival = sim_.schedule(sim_.now() + latency, &ReplyBox::arrive, &box);
}

}  // namespace idemlab::sim
