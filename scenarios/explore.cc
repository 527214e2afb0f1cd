#include "scenarios/explore.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <set>

#include "sim/distinct_count.h"

namespace idemlab::scenarios {
namespace {

using Action = TargetedFault::Action;

// The backends a run's strategy talks to, from the port points it reached:
// server actions on the others would change nothing.
struct BackendsUsed {
  bool redis = false;
  bool postgres = false;
  bool broker = false;
};

BackendsUsed backends_used(const std::vector<FaultSite>& sites) {
  BackendsUsed used;
  for (const FaultSite& site : sites) {
    const std::string op = site.point.substr(site.point.find(':') + 1);
    used.redis |= op.rfind("kv.", 0) == 0;
    used.postgres |= op.rfind("sql.", 0) == 0;
    used.broker |= op.rfind("queue.", 0) == 0;
  }
  return used;
}

TargetedFault fault_at(const std::string& point, std::uint64_t nth, Action action) {
  TargetedFault f;
  f.point = point;
  f.nth = nth;
  f.action = action;
  return f;
}

// How long the caller of a link waits for its answer: a client for the API,
// the service (and the workers) for a backend.
sim::Duration caller_timeout(const models::WorldConfig& world, const std::string& callee) {
  if (callee == "redis") return world.redis_timeout;
  if (callee == "postgres") return world.postgres_timeout;
  if (callee == "rabbitmq") return world.rabbitmq_timeout;
  if (callee == "processor") return world.processor_timeout;
  return world.client.request_timeout;
}

}  // namespace

// In the order the run reached its port points, then link by link.
std::vector<TargetedFault> fault_candidates(const RunReport& report, const models::WorldConfig& world,
                                            const ExploreOptions& options) {
  const std::set<Action>& allowed = options.actions;
  const bool replica = world.redis.replica;
  std::vector<TargetedFault> out;
  const auto add = [&out, &allowed, &options](const std::string& point, std::uint64_t nth, Action action) {
    if (!allowed.empty() && !allowed.count(action)) return;
    out.push_back(fault_at(point, nth, action));
    if (action == Action::kCrash) {
      out.back().downtime = options.crash_downtime;
      out.back().downtime_max = options.crash_downtime_max > options.crash_downtime ? options.crash_downtime_max : 0;
    }
  };
  const BackendsUsed used = backends_used(report.port_sites);
  for (const FaultSite& site : report.port_sites) {
    const bool before = site.point.rfind("before:", 0) == 0;
    std::vector<Action> actions = {Action::kCrash, before ? Action::kDropRequest : Action::kDropReply};
    if (!before) {
      // A server's restart right after an operation it acknowledged: what a
      // restart can lose is exactly what was just written.
      if (used.redis) actions.push_back(Action::kRestartRedis);
      if (used.redis && replica) actions.push_back(Action::kFailoverRedis);
      if (used.postgres) actions.push_back(Action::kRestartPostgres);
      if (used.broker) actions.push_back(Action::kRestartBroker);
    }
    for (Action a : actions) {
      // Points the loader would refuse are none of the decorators': skipped
      // rather than trusted.
      if (!validate_point(site.point, a)) add(site.point, site.nth, a);
    }
  }
  for (const LinkUse& link : report.link_uses) {
    const std::string request = "request:" + link.caller + "->" + link.callee;
    const std::string reply = "reply:" + link.caller + "<-" + link.callee;
    // A statement or a command travels on one TCP session to Redis,
    // PostgreSQL or RabbitMQ, which never delivers it twice; an HTTP call
    // (to the API, to the processor) can arrive twice (a proxy's retry).
    const std::string port = port_of_backend(link.callee);
    const bool can_duplicate = port.empty() || port == "processor";
    for (std::uint64_t n = 1; n <= link.calls; ++n) {
      add(request, n, Action::kDropRequest);
      if (can_duplicate) add(request, n, Action::kDuplicate);
      add(request, n, Action::kDelay);
      // Held back just past the caller's timeout: the caller gives up (and
      // retries) while the request is still to arrive and take effect.
      if (options.delays_past_timeout && (allowed.empty() || allowed.count(Action::kDelay))) {
        TargetedFault late = fault_at(request, n, Action::kDelay);
        late.delay = caller_timeout(world, link.callee) + sim::kMillisecond;
        out.push_back(std::move(late));
      }
      add(reply, n, Action::kDropReply);
    }
  }
  return out;
}

namespace {

// "request:client-2->api" with each client name ("client-N") replaced by
// `replace(name)`.
template <class Replace>
std::string map_clients(const std::string& point, Replace replace) {
  std::string out;
  std::size_t i = 0;
  while (i < point.size()) {
    const std::size_t found = point.find("client-", i);
    if (found == std::string::npos) {
      out += point.substr(i);
      break;
    }
    std::size_t end = found + 7;
    while (end < point.size() && point[end] >= '0' && point[end] <= '9') ++end;
    out += point.substr(i, found - i);
    out += end > found + 7 ? replace(point.substr(found, end - found)) : point.substr(found, end - found);
    i = end;
  }
  return out;
}

std::string one_fault_key(const std::string& point, const TargetedFault& f) {
  return point + "#" + std::to_string(f.nth) + "=" + action_name(f.action) + "/" + std::to_string(f.downtime) + "-" +
         std::to_string(f.downtime_max) + "/" +
         std::to_string(f.delay);
}

// A placement's identity up to the order of its faults and the naming of
// the clients, which are interchangeable (one configuration, one workload):
// the faults sorted with the clients' names hidden, then the clients
// renamed in the order they appear.
std::string placement_key(const std::vector<TargetedFault>& faults) {
  std::vector<std::pair<std::string, const TargetedFault*>> sorted;
  for (const TargetedFault& f : faults) {
    sorted.emplace_back(one_fault_key(map_clients(f.point, [](const std::string&) { return std::string("client-*"); }), f),
                        &f);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->point < b.second->point;
  });
  std::map<std::string, std::string> renamed;
  std::string key;
  for (const auto& [masked, fault] : sorted) {
    const std::string point = map_clients(fault->point, [&renamed](const std::string& name) {
      auto [it, added] = renamed.try_emplace(name, "client-" + std::to_string(renamed.size() + 1));
      return it->second;
    });
    key += one_fault_key(point, *fault) + ";";
  }
  return key;
}

}  // namespace

std::string fault_text(const TargetedFault& fault) {
  std::string text = std::string(action_name(fault.action)) + " at " + fault.point + " #" + std::to_string(fault.nth);
  if (fault.action == Action::kDelay && fault.delay > 0) text += " by " + sim::duration_text(fault.delay);
  if (fault.action == Action::kCrash && fault.downtime_max > fault.downtime) {
    text += ", down " + sim::duration_text(fault.downtime) + " to " + sim::duration_text(fault.downtime_max);
  } else if (fault.action == Action::kCrash && fault.downtime != TargetedFault{}.downtime) {
    text += ", down " + sim::duration_text(fault.downtime);
  }
  return text;
}

Scenario with_faults(const Scenario& scenario, const std::vector<TargetedFault>& added, bool keep_script_faults) {
  Scenario out = scenario;
  if (!keep_script_faults) out.faults.clear();
  out.faults.insert(out.faults.end(), added.begin(), added.end());
  out.schedule.reset();
  return out;
}

ExploreResult explore(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                      const ExploreOptions& options) {
  assert(options.faults_max >= 0 && options.runs_max >= 1);
  ExploreResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  result.seed = options.seed;
  result.faults_max = options.faults_max;

  // Breadth first: every placement of n faults before any of n + 1. The
  // queue holds at most what the run budget can still run, so its memory
  // is bounded by runs_max; a placement left out cuts the search.
  std::deque<std::vector<TargetedFault>> frontier;
  std::set<std::string> seen;
  frontier.emplace_back();
  seen.insert(placement_key({}));
  std::set<FaultSite> sites;
  std::set<std::string> pairs_seen;
  std::set<std::string> pairs_placed;
  std::uint64_t pairs_covered = 0;  // placed and seen: what result.pairs_placed ends as
  sim::DistinctCount interleavings;
  ProgressCurve progress;
  const auto point = [&] {
    return SearchProgress{result.runs, pairs_covered, pairs_seen.size(), interleavings.count()};
  };
  bool cut = false;
  while (!frontier.empty()) {
    if (result.runs >= options.runs_max || (options.out_of_time && options.out_of_time())) {
      cut = true;
      break;
    }
    const std::vector<TargetedFault> added = std::move(frontier.front());
    frontier.pop_front();
    const Scenario world = with_faults(scenario, added, options.keep_script_faults);
    RunReport report;
    try {
      report = run_once(world, strategy, options.seed, sim::TraceLevel::kHash, RunMode::kSites);
    } catch (const std::exception&) {
      // As in a sweep: one run that cannot be made (out of memory, say) is
      // counted, and the search goes on.
      ++result.runs;
      ++result.unjudged["error"];
      continue;
    }
    ++result.runs;
    interleavings.add(report.order_hash);
    for (const TargetedFault& f : added) {
      std::string pair = one_fault_key(f.point, f);
      if (pairs_seen.count(pair) && !pairs_placed.count(pair)) ++pairs_covered;
      pairs_placed.insert(std::move(pair));
    }
    for (const FaultSite& s : report.port_sites) sites.insert(s);
    for (const LinkUse& link : report.link_uses) {
      for (std::uint64_t n = 1; n <= link.calls; ++n) sites.insert({"link:" + link.caller + ">" + link.callee, n});
    }
    if (report.outcome != RunOutcome::kJudged) {
      const std::string kind = outcome_name(report.outcome);
      if (++result.unjudged[kind] == 1) {
        result.first_unjudged[kind] = Counterexample{kind, added, "", report.outcome_detail, result.runs};
      }
    }
    std::set<std::string> violated;
    for (const checks::Violation& v : report.violations) {
      if (!violated.insert(v.invariant).second) continue;
      ++result.violating_runs[v.invariant];
      if (!result.first.count(v.invariant)) {
        const double seconds = options.elapsed ? options.elapsed() : 0;
        result.first[v.invariant] = Counterexample{v.invariant, added, v.intent, v.evidence, result.runs, seconds};
      }
    }
    if (!violated.empty()) ++result.runs_with_violations;
    std::vector<TargetedFault> candidates = fault_candidates(report, scenario.world, options);
    for (const TargetedFault& f : candidates) {
      std::string pair = one_fault_key(f.point, f);
      if (pairs_placed.count(pair) && !pairs_seen.count(pair)) ++pairs_covered;
      pairs_seen.insert(std::move(pair));
    }
    if (progress.due(result.runs)) progress.add(point());
    if (static_cast<int>(added.size()) >= options.faults_max) continue;
    for (TargetedFault& next : candidates) {
      std::vector<TargetedFault> placement = added;
      placement.push_back(std::move(next));
      std::string key = placement_key(placement);
      if (seen.count(key)) {
        ++result.pruned;
        continue;
      }
      if (result.runs + frontier.size() >= options.runs_max) {
        cut = true;  // beyond the budget: never run, so the space is not exhausted
        continue;
      }
      seen.insert(std::move(key));
      frontier.push_back(std::move(placement));
    }
  }
  result.sites = sites.size();
  result.pairs_seen = pairs_seen.size();
  // A script's own faults can be placed where no run offered them.
  for (const std::string& placed : pairs_placed) result.pairs_placed += pairs_seen.count(placed);
  result.interleavings = interleavings.count();
  result.interleavings_exact = interleavings.exact();
  assert(result.pairs_placed == pairs_covered);
  progress.finish(point());
  result.progress = progress.points();
  result.exhausted = !cut && frontier.empty();
  return result;
}

}  // namespace idemlab::scenarios
