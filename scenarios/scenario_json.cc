#include "scenarios/scenario_json.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "checks/invariants.h"
#include "scenarios/load_json.h"
#include "scenarios/script_reader.h"
#include "sim/strict_json.h"
#include "sim/text_file.h"

namespace idemlab::scenarios {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "idemlab-scenario/1";

using sim::member_path;
using sim::shown;


void read_workload(const Reader& r, const json& value, const std::string& path, models::clients::ClientConfig& c) {
  r.object(value, path,
           {"intents", "keys", "key_reused_with_other_payload", "key_reused_with_one_field_changed", "double_click",
            "copies", "copies_window", "webhook_duplicate", "webhook_deliveries", "webhook_reserialised",
            "same_purchase_again", "retries_reorder_body", "think_mean", "amount_cents", "arrivals"});
  if (value.contains("intents")) c.intents = static_cast<int>(r.integer(value["intents"], path + ".intents", 1, 100000));
  if (value.contains("keys")) {
    c.keys = r.choice<models::clients::KeyMode>(value["keys"], path + ".keys", {"uuid", "missing"});
  }
  if (value.contains("key_reused_with_other_payload")) {
    c.key_reused_with_other_payload =
        r.ratio(value["key_reused_with_other_payload"], path + ".key_reused_with_other_payload");
  }
  if (value.contains("key_reused_with_one_field_changed")) {
    const std::string p = path + ".key_reused_with_one_field_changed";
    const json& v = r.object(value["key_reused_with_one_field_changed"], p, {"chance", "field"});
    if (!v.contains("chance")) r.fail(p + ".chance", "missing");
    c.key_reused_with_one_field_changed = r.ratio(v["chance"], p + ".chance");
    if (v.contains("field")) {
      // ChangedField's values after kNone, in order.
      const int field = r.choice<int>(v["field"], p + ".field", {"amount", "currency", "description"});
      c.changed_field = static_cast<models::clients::ChangedField>(field + 1);
    }
  }
  if (value.contains("double_click")) c.double_click = r.ratio(value["double_click"], path + ".double_click");
  // A sender's number is a byte, and the ones after the copies are the
  // webhooks' (at most 16): 100 + 1 + 16 fit.
  if (value.contains("copies")) c.copies = static_cast<int>(r.integer(value["copies"], path + ".copies", 1, 100));
  if (value.contains("copies_window")) c.copies_window = r.duration(value["copies_window"], path + ".copies_window");
  if (value.contains("webhook_duplicate")) {
    c.webhook_duplicate = r.ratio(value["webhook_duplicate"], path + ".webhook_duplicate");
  }
  if (value.contains("webhook_deliveries")) {
    c.webhook_deliveries = static_cast<int>(r.integer(value["webhook_deliveries"], path + ".webhook_deliveries", 1, 16));
  }
  if (value.contains("webhook_reserialised")) {
    c.webhook_reserialised = r.boolean(value["webhook_reserialised"], path + ".webhook_reserialised");
  }
  if (value.contains("same_purchase_again")) {
    c.same_purchase_again = r.ratio(value["same_purchase_again"], path + ".same_purchase_again");
  }
  if (value.contains("retries_reorder_body")) {
    c.retries_reorder_body = r.boolean(value["retries_reorder_body"], path + ".retries_reorder_body");
  }
  if (value.contains("think_mean")) c.think_mean = r.duration(value["think_mean"], path + ".think_mean");
  if (value.contains("arrivals")) {
    if (value.contains("think_mean")) {
      r.fail(path + ".think_mean", "not with arrivals: open-loop arrivals set the pace, clients do not think");
    }
    c.arrivals = read_arrivals(r, value["arrivals"], path + ".arrivals");
  }
  if (value.contains("amount_cents")) {
    const json& range = value["amount_cents"];
    const std::string p = path + ".amount_cents";
    if (!range.is_array() || range.size() != 2) r.fail(p, "must be [min, max]");
    c.amount_min = r.integer(range[0], p + "[0]", 1, 100000000);
    c.amount_max = r.integer(range[1], p + "[1]", c.amount_min, 100000000);
  }
}

void read_client(const Reader& r, const json& value, const std::string& path, models::clients::ClientConfig& c) {
  r.object(value, path, {"request_timeout", "give_up_after", "resend_after", "new_key_on_retry", "retry", "breaker"});
  if (value.contains("breaker")) c.breaker = read_breaker(r, value["breaker"], path + ".breaker");
  if (value.contains("request_timeout")) c.request_timeout = r.duration(value["request_timeout"], path + ".request_timeout");
  if (value.contains("give_up_after")) c.give_up_after = r.duration(value["give_up_after"], path + ".give_up_after");
  if (value.contains("resend_after")) c.resend_after = r.duration(value["resend_after"], path + ".resend_after");
  if (value.contains("new_key_on_retry")) {
    const json& list = value["new_key_on_retry"];
    const std::string p = path + ".new_key_on_retry";
    if (!list.is_array()) r.fail(p, "must be an array of outcomes (timeout, connection_error, 5xx, 409, 429)");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string item = p + "[" + std::to_string(i) + "]";
      const auto outcome = r.choice<models::clients::Outcome>(list[i], item,
                                                              {"timeout", "connection_error", "5xx", "409", "429"});
      if (c.new_key_on_retry.has(outcome)) r.fail(item, "listed twice");
      c.new_key_on_retry.add(outcome);
    }
  }
  if (!value.contains("retry")) return;
  const std::string p = path + ".retry";
  const json& retry = r.object(value["retry"], p,
                               {"backoff", "base", "cap", "attempts_max", "retry_timeout", "retry_connection_error",
                                "retry_5xx", "retry_409", "retry_429", "honour_retry_after", "budget_tokens_max",
                                "budget_tokens_per_success_milli"});
  models::clients::RetryPolicy& policy = c.retry;
  if (retry.contains("backoff")) {
    policy.backoff = r.choice<models::clients::Backoff>(
        retry["backoff"], p + ".backoff",
        {"none", "fixed", "exponential", "full_jitter", "equal_jitter", "decorrelated_jitter"});
  }
  if (retry.contains("base")) policy.base = r.duration(retry["base"], p + ".base");
  if (retry.contains("cap")) policy.cap = r.duration(retry["cap"], p + ".cap");
  if (retry.contains("attempts_max")) {
    policy.attempts_max = static_cast<int>(r.integer(retry["attempts_max"], p + ".attempts_max", 1, 1000));
  }
  if (retry.contains("retry_timeout")) policy.retry_timeout = r.boolean(retry["retry_timeout"], p + ".retry_timeout");
  if (retry.contains("retry_5xx")) policy.retry_5xx = r.boolean(retry["retry_5xx"], p + ".retry_5xx");
  if (retry.contains("retry_409")) policy.retry_409 = r.boolean(retry["retry_409"], p + ".retry_409");
  if (retry.contains("retry_429")) policy.retry_429 = r.boolean(retry["retry_429"], p + ".retry_429");
  if (retry.contains("retry_connection_error")) {
    policy.retry_connection_error = r.boolean(retry["retry_connection_error"], p + ".retry_connection_error");
  }
  if (retry.contains("honour_retry_after")) {
    policy.honour_retry_after = r.boolean(retry["honour_retry_after"], p + ".honour_retry_after");
  }
  if (retry.contains("budget_tokens_max")) {
    policy.budget_tokens_max = r.integer(retry["budget_tokens_max"], p + ".budget_tokens_max", 0, 1000000);
  }
  if (retry.contains("budget_tokens_per_success_milli")) {
    policy.budget_tokens_per_success_milli =
        r.integer(retry["budget_tokens_per_success_milli"], p + ".budget_tokens_per_success_milli", 0, 1000000);
  }
}

void read_backends(const Reader& r, const json& root, models::WorldConfig& w) {
  if (root.contains("timeouts")) {
    const json& t = r.object(root["timeouts"], "$.timeouts", {"redis", "postgres", "rabbitmq", "processor"});
    if (t.contains("redis")) w.redis_timeout = r.duration(t["redis"], "$.timeouts.redis");
    if (t.contains("postgres")) w.postgres_timeout = r.duration(t["postgres"], "$.timeouts.postgres");
    if (t.contains("rabbitmq")) w.rabbitmq_timeout = r.duration(t["rabbitmq"], "$.timeouts.rabbitmq");
    if (t.contains("processor")) w.processor_timeout = r.duration(t["processor"], "$.timeouts.processor");
  }
  if (root.contains("redis")) {
    const json& v = r.object(root["redis"], "$.redis",
                             {"persistence", "replica", "replication_lag", "command_time", "maxmemory_bytes", "eviction"});
    if (v.contains("persistence")) {
      w.redis.persistence =
          r.choice<models::redis::Persistence>(v["persistence"], "$.redis.persistence", {"none", "everysec", "always"});
    }
    if (v.contains("replica")) w.redis.replica = r.boolean(v["replica"], "$.redis.replica");
    if (v.contains("replication_lag")) w.redis.replication_lag = r.duration(v["replication_lag"], "$.redis.replication_lag");
    if (v.contains("command_time")) w.redis.command_time = r.latency(v["command_time"], "$.redis.command_time");
    if (v.contains("maxmemory_bytes")) {
      w.redis.maxmemory_bytes = r.integer(v["maxmemory_bytes"], "$.redis.maxmemory_bytes", 0, INT64_MAX);
    }
    if (v.contains("eviction")) {
      w.redis.eviction = r.choice<models::redis::EvictionPolicy>(v["eviction"], "$.redis.eviction",
                                                                 {"noeviction", "allkeys-lru", "volatile-lru"});
    }
  }
  if (root.contains("postgres")) {
    const json& v = r.object(root["postgres"], "$.postgres",
                             {"statement_time", "commit_time", "deadlock_timeout", "max_connections"});
    if (v.contains("statement_time")) w.postgres.statement_time = r.latency(v["statement_time"], "$.postgres.statement_time");
    if (v.contains("commit_time")) w.postgres.commit_time = r.latency(v["commit_time"], "$.postgres.commit_time");
    if (v.contains("deadlock_timeout")) {
      w.postgres.deadlock_timeout = r.duration(v["deadlock_timeout"], "$.postgres.deadlock_timeout");
    }
    if (v.contains("max_connections")) {
      w.postgres.max_connections =
          static_cast<std::size_t>(r.integer(v["max_connections"], "$.postgres.max_connections", 1, 100000));
    }
  }
  if (root.contains("rabbitmq")) {
    const json& v = r.object(root["rabbitmq"], "$.rabbitmq", {"publish_time", "fsync_delay", "consumer_timeout"});
    if (v.contains("publish_time")) w.rabbitmq.publish_time = r.latency(v["publish_time"], "$.rabbitmq.publish_time");
    if (v.contains("fsync_delay")) w.rabbitmq.fsync_delay = r.duration(v["fsync_delay"], "$.rabbitmq.fsync_delay");
    if (v.contains("consumer_timeout")) {
      w.rabbitmq.consumer_timeout = r.duration(v["consumer_timeout"], "$.rabbitmq.consumer_timeout");
    }
  }
  if (root.contains("processor")) {
    const json& v = r.object(root["processor"], "$.processor", {"processing_time", "decline", "errors", "key_retention"});
    if (v.contains("errors")) w.processor.errors = r.ratio(v["errors"], "$.processor.errors");
    if (v.contains("processing_time")) {
      w.processor.processing_time = r.latency(v["processing_time"], "$.processor.processing_time");
    }
    if (v.contains("decline")) w.processor.decline = r.ratio(v["decline"], "$.processor.decline");
    if (v.contains("key_retention")) w.processor.key_retention = r.duration(v["key_retention"], "$.processor.key_retention");
  }
  if (root.contains("service")) {
    const json& v = r.object(root["service"], "$.service",
                             {"workers", "queue_max", "overhead", "shed_status", "queue_timeout", "shed_retry_after"});
    if (v.contains("shed_status")) {
      w.service.shed_status = static_cast<int>(r.integer(v["shed_status"], "$.service.shed_status", 429, 503));
      if (w.service.shed_status != 429 && w.service.shed_status != 503) {
        r.fail("$.service.shed_status", "must be 429 (Too Many Requests) or 503 (Service Unavailable)");
      }
    }
    if (v.contains("queue_timeout")) {
      w.service.queue_timeout = r.duration(v["queue_timeout"], "$.service.queue_timeout");
      if (w.service.queue_timeout <= 0) r.fail("$.service.queue_timeout", "must be positive (leave it out to wait as long as it takes)");
    }
    if (v.contains("workers")) w.service.workers = static_cast<std::size_t>(r.integer(v["workers"], "$.service.workers", 1, 10000));
    if (v.contains("queue_max")) {
      w.service.queue_max = static_cast<std::size_t>(r.integer(v["queue_max"], "$.service.queue_max", 0, 1000000));
    }
    if (v.contains("overhead")) w.service.overhead = r.latency(v["overhead"], "$.service.overhead");
    if (v.contains("shed_retry_after")) {
      const sim::Duration after = r.duration(v["shed_retry_after"], "$.service.shed_retry_after");
      if (after % sim::kSecond != 0 || after > 86400 * sim::kSecond) {
        r.fail("$.service.shed_retry_after", "must be whole seconds, at most a day (a Retry-After header)");
      }
      w.service.shed_retry_after_s = static_cast<int>(after / sim::kSecond);
    }
  }
}

void read_strategy_options(const Reader& r, const json& value, strategies::StrategyOptions& o) {
  const std::string path = "$.strategy_options";
  r.object(value, path, {"key_ttl", "lock_ttl", "isolation", "poll_interval"});
  if (value.contains("key_ttl")) o.key_ttl = r.duration(value["key_ttl"], path + ".key_ttl");
  if (value.contains("lock_ttl")) o.lock_ttl = r.duration(value["lock_ttl"], path + ".lock_ttl");
  if (value.contains("isolation")) {
    o.isolation = r.choice<ports::Isolation>(value["isolation"], path + ".isolation",
                                             {"read_committed", "repeatable_read", "serializable"});
  }
  if (value.contains("poll_interval")) {
    o.poll_interval = r.duration(value["poll_interval"], path + ".poll_interval");
    // A consumer waiting 0 for a delivery returns at once: its loop would
    // never yield to the rest of the world.
    if (o.poll_interval <= 0) r.fail(path + ".poll_interval", "must be positive");
  }
}

// Node names a link point may use: the fixed nodes, the clients, and the
// workers some strategy runs on their own node.
bool known_node(const std::string& name, int clients) {
  static const char* kFixed[] = {"api", "redis", "postgres", "rabbitmq", "processor", "client"};
  for (const char* fixed : kFixed) {
    if (name == fixed) return true;
  }
  if (name.rfind("client-", 0) == 0) {
    const std::string n = name.substr(7);
    const bool digits = !n.empty() && n.size() < 6 && std::all_of(n.begin(), n.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    return digits && std::stoi(n) >= 1 && std::stoi(n) <= clients;
  }
  for (const strategies::StrategyInfo& info : strategies::all_strategies()) {
    for (const strategies::Worker& worker : info.make({})->workers()) {
      if (worker.own_node && worker.name == name) return true;
    }
  }
  return false;
}

void read_faults(const Reader& r, const json& value, int clients, std::vector<TargetedFault>& out) {
  if (!value.is_array()) r.fail("$.faults", "must be an array");
  if (value.size() > kFaultsMax) r.fail("$.faults", "at most " + std::to_string(kFaultsMax) + " faults");
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string path = "$.faults[" + std::to_string(i) + "]";
    const json& f = r.object(value[i], path, {"at", "nth", "action", "downtime", "delay"});
    for (const char* required : {"at", "action"}) {
      if (!f.contains(required)) r.fail(path + "." + required, "missing");
    }
    TargetedFault fault;
    fault.point = r.string(f["at"], path + ".at");
    const std::string action = r.string(f["action"], path + ".action");
    if (!parse_action(action, fault.action)) r.fail(path + ".action", "unknown action " + shown(action));
    if (const std::optional<std::string> problem = validate_point(fault.point, fault.action)) {
      r.fail(path + ".at", shown(fault.point) + ": " + *problem);
    }
    for (const std::string& node : point_nodes(fault.point)) {
      if (!known_node(node, clients)) r.fail(path + ".at", "no node called " + shown(node) + " in this world");
    }
    if (f.contains("nth")) fault.nth = static_cast<std::uint64_t>(r.integer(f["nth"], path + ".nth", 1, 1000000));
    if (f.contains("downtime")) {
      if (fault.action != TargetedFault::Action::kCrash) r.fail(path + ".downtime", "only a crash has a downtime");
      const json& downtime = f["downtime"];
      if (downtime.is_object()) {
        // {"uniform": [low, high]}: drawn at the crash.
        r.object(downtime, path + ".downtime", {"uniform"});
        const json& range = downtime["uniform"];
        if (!range.is_array() || range.size() != 2) r.fail(path + ".downtime.uniform", "must be [low, high]");
        fault.downtime = r.duration(range[0], path + ".downtime.uniform[0]");
        fault.downtime_max = r.duration(range[1], path + ".downtime.uniform[1]");
        if (fault.downtime_max < fault.downtime) r.fail(path + ".downtime.uniform", "high is below low");
        if (fault.downtime_max == fault.downtime) fault.downtime_max = 0;
      } else {
        fault.downtime = r.duration(downtime, path + ".downtime");
      }
    }
    if (f.contains("delay")) {
      if (fault.action != TargetedFault::Action::kDelay) r.fail(path + ".delay", "only a delay has an amount");
      fault.delay = r.duration(f["delay"], path + ".delay");
      if (fault.delay == 0) r.fail(path + ".delay", "must be more than 0 (leave it out for the link's extra_delay)");
    }
    out.push_back(std::move(fault));
  }
}

Schedule read_schedule(const Reader& r, const json& value) {
  const std::string path = "$.schedule";
  r.object(value, path, {"strategy", "ties", "seed", "faults_taken", "steps", "tape"});
  for (const char* required : {"strategy", "seed", "steps", "tape"}) {
    if (!value.contains(required)) r.fail(path + "." + required, "missing");
  }
  Schedule schedule;
  schedule.strategy = r.string(value["strategy"], path + ".strategy");
  if (strategies::find_strategy(schedule.strategy) == nullptr) r.fail(path + ".strategy", "unknown strategy");
  if (value.contains("ties")) {
    const std::string ties = r.string(value["ties"], path + ".ties");
    if (ties != "fifo" && ties != "tape") r.fail(path + ".ties", "must be \"fifo\" or \"tape\"");
    schedule.ties_on_tape = ties == "tape";
  }
  if (!value["seed"].is_number_unsigned()) r.fail(path + ".seed", "must be a non-negative integer");
  schedule.seed = value["seed"].get<std::uint64_t>();
  if (value.contains("faults_taken")) {
    const json& faults = value["faults_taken"];
    if (!faults.is_array()) r.fail(path + ".faults_taken", "must be an array of strings");
    for (std::size_t i = 0; i < faults.size(); ++i) {
      schedule.faults_taken.push_back(r.string(faults[i], path + ".faults_taken[" + std::to_string(i) + "]"));
    }
  }
  const json& steps = value["steps"];
  if (!steps.is_array()) r.fail(path + ".steps", "must be an array of [node, process, operation]");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string p = path + ".steps[" + std::to_string(i) + "]";
    const json& step = steps[i];
    if (!step.is_array() || step.size() != 3) r.fail(p, "must be [node, process, operation]");
    schedule.steps.push_back({r.string(step[0], p + "[0]"), r.string(step[1], p + "[1]"), r.string(step[2], p + "[2]")});
  }
  try {
    schedule.tape = sim::tape_from_json(value["tape"].dump());
  } catch (const std::runtime_error& e) {
    // "tape: $[3]: ..." -> "$.schedule.tape[3]: ..."
    std::string message = e.what();
    const std::string prefix = "tape: $";
    if (message.rfind(prefix, 0) == 0) message = path + ".tape" + message.substr(prefix.size());
    throw ScenarioError(r.origin() + ": " + message);
  }
  return schedule;
}

// A world must fit in memory: the history and the ledger grow with every
// payment (bench/world measures about 1 KB a payment once it is done).
void check_world_size(const Reader& r, const models::WorldConfig& w) {
  const std::uint64_t payments = static_cast<std::uint64_t>(w.clients) * static_cast<std::uint64_t>(w.client.intents);
  if (payments <= kPaymentsMax) return;
  const std::uint64_t megabytes = payments * kBytesPerPaymentEstimate >> 20;
  r.fail("$.workload.intents", std::to_string(w.clients) + " clients x " + std::to_string(w.client.intents) +
                                   " intents = " + std::to_string(payments) + " payments, about " +
                                   std::to_string(megabytes) + " MiB for one world; a world holds at most " +
                                   std::to_string(kPaymentsMax) + " payments (clients x intents)");
}

// An array of distinct invariant names ([] allowed).
std::set<std::string> read_invariant_names(const Reader& r, const json& names, const std::string& path) {
  if (!names.is_array()) r.fail(path, "must be an array of invariant names ([] for none)");
  std::set<std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    const std::string name = r.string(names[i], item);
    if (!checks::is_invariant(name)) r.fail(item, "unknown invariant " + shown(name));
    if (!out.insert(name).second) r.fail(item, "listed twice");
  }
  return out;
}

// {"only": [...], "exclude": [...]}: which invariants the scenario's runs
// judge (those of "only", or all, less those of "exclude").
checks::InvariantSelection read_selection(const Reader& r, const json& block) {
  r.object(block, "$.invariants", {"only", "exclude"});
  if (block.empty()) r.fail("$.invariants", "give \"only\" (the invariants judged), \"exclude\" (those not), or both");
  checks::InvariantSelection selection;
  if (block.contains("only")) {
    selection.only = read_invariant_names(r, block["only"], "$.invariants.only");
    if (selection.only.empty()) r.fail("$.invariants.only", "must name at least one invariant");
  }
  if (block.contains("exclude")) selection.excluded = read_invariant_names(r, block["exclude"], "$.invariants.exclude");
  return selection;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& origin) {
  const Reader r(origin);
  json root;
  try {
    root = sim::parse_strict_json(text);
  } catch (const sim::JsonError& e) {
    throw ScenarioError(origin + ": " + e.what());
  }
  r.object(root, "$",
           {"$schema", "format", "name", "description", "clients", "workload", "client", "network", "client_link",
            "timeouts", "redis", "postgres", "rabbitmq", "processor", "service", "strategy_options", "faults",
            "fault_phase", "run_limit", "event_limit", "invariants", "expect", "notes", "schedule", "episodes"});
  if (!root.contains("format") || root["format"] != kFormat) r.fail("$.format", std::string("must be \"") + kFormat + "\"");
  if (!root.contains("name")) r.fail("$.name", "missing");
  Scenario s;
  s.name = r.string(root["name"], "$.name");
  if (s.name.empty() || !std::all_of(s.name.begin(), s.name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    r.fail("$.name", "must be lower_snake_case letters, digits and underscores");
  }
  if (root.contains("description")) s.description = r.string(root["description"], "$.description");
  if (root.contains("notes")) r.string(root["notes"], "$.notes");
  if (root.contains("clients")) s.world.clients = static_cast<int>(r.integer(root["clients"], "$.clients", 1, 10000));
  if (root.contains("workload")) read_workload(r, root["workload"], "$.workload", s.world.client);
  if (root.contains("client")) read_client(r, root["client"], "$.client", s.world.client);
  if (root.contains("network")) r.link(root["network"], "$.network", s.world.network);
  if (root.contains("client_link")) {
    sim::LinkConfig link = s.world.network;
    r.link(root["client_link"], "$.client_link", link);
    s.client_link = link;
  }
  read_backends(r, root, s.world);
  if (root.contains("strategy_options")) read_strategy_options(r, root["strategy_options"], s.options);
  if (root.contains("episodes")) s.world.processor.episodes = read_episodes(r, root["episodes"]);
  if (root.contains("faults")) read_faults(r, root["faults"], s.world.clients, s.faults);
  if (root.contains("fault_phase")) s.fault_phase = r.duration(root["fault_phase"], "$.fault_phase");
  if (root.contains("run_limit")) s.run_limit = r.duration(root["run_limit"], "$.run_limit");
  if (s.run_limit <= s.fault_phase) r.fail("$.run_limit", "must be longer than the fault phase");
  if (root.contains("event_limit")) {
    s.event_limit = static_cast<std::uint64_t>(r.integer(root["event_limit"], "$.event_limit", 1000, 10000000000));
  }
  check_world_size(r, s.world);
  if (root.contains("invariants")) s.invariants = read_selection(r, root["invariants"]);
  if (root.contains("expect")) {
    const json& expect = root["expect"];
    if (!expect.is_object()) r.fail("$.expect", "must be an object: strategy -> invariants it breaks");
    for (const auto& [strategy, invariants] : expect.items()) {
      const std::string path = member_path("$.expect", strategy);
      if (strategies::find_strategy(strategy) == nullptr) r.fail(path, "unknown strategy");
      std::set<std::string>& broken = s.expect[strategy];
      broken = read_invariant_names(r, invariants, path);
      for (std::size_t i = 0; i < invariants.size(); ++i) {
        if (!s.invariants.selects(invariants[i].get<std::string>())) {
          r.fail(path + "[" + std::to_string(i) + "]", "expects an invariant that $.invariants leaves out");
        }
      }
    }
  }
  if (root.contains("schedule")) s.schedule = read_schedule(r, root["schedule"]);
  s.source = text;
  return s;
}

Scenario load_scenario_file(const std::string& path) {
  std::string text;
  if (const std::optional<std::string> problem = sim::read_text_file(path, text)) {
    throw ScenarioError(path + ": cannot read the scenario file: " + *problem);
  }
  return parse_scenario(text, path);
}

}  // namespace idemlab::scenarios
