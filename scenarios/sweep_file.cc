#include "scenarios/sweep_file.h"

#include <nlohmann/json.hpp>
#include <cstdint>
#include <set>

#include "sim/json_fields.h"
#include "sim/strict_json.h"

namespace idemlab::scenarios {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json seeds_json(const std::vector<std::uint64_t>& seeds) {
  ordered_json out = ordered_json::array();
  for (std::uint64_t s : seeds) out.push_back(s);
  return out;
}

ordered_json cell_json(const SweepResult& r) {
  ordered_json c = ordered_json::object();
  c["scenario"] = r.scenario;
  c["strategy"] = r.strategy;
  c["runs"] = r.runs;
  c["runs_with_violations"] = r.runs_with_violations;
  c["runs_disturbed"] = r.runs_disturbed;
  c["charges"] = r.charges;
  c["attempts"] = r.attempts;
  c["intents"] = r.intents;
  c["storage_high_water"] = {{"redis_bytes", r.storage.redis_bytes},
                             {"postgres_bytes", r.storage.postgres_bytes},
                             {"broker_messages", r.storage.broker_messages}};
  ordered_json violated = ordered_json::object();
  for (const auto& [invariant, t] : r.violated) {
    violated[invariant] = {{"runs", t.runs},
                           {"seeds", seeds_json(t.seeds)},
                           {"example_seed", t.example_seed},
                           {"example_intent", t.example_intent},
                           {"example_evidence", t.example_evidence}};
  }
  c["violated"] = std::move(violated);
  ordered_json unjudged = ordered_json::object();
  for (const auto& [kind, t] : r.unjudged) {
    unjudged[kind] = {{"runs", t.runs},
                      {"seeds", seeds_json(t.seeds)},
                      {"example_seed", t.example_seed},
                      {"example_detail", t.example_detail}};
  }
  c["unjudged"] = std::move(unjudged);
  ordered_json latency = ordered_json::object();
  latency["samples"] = r.latencies.samples;
  for (const auto& [name, q] : {std::pair{"p50_ns", 0.5}, {"p90_ns", 0.9}, {"p99_ns", 0.99}, {"p999_ns", 0.999}}) {
    latency[name] = r.latencies.percentile(q);
  }
  ordered_json buckets = ordered_json::array();
  for (const auto& [bucket, n] : r.latencies.counts) buckets.push_back({bucket, n});
  latency["buckets"] = std::move(buckets);  // [bucket, count]; see LatencyHistogram
  c["attempt_latency"] = std::move(latency);
  return c;
}

// Reads what the writer wrote; anything else is an error naming its path.
class Reader : public sim::JsonFields<SweepFileError> {
 public:
  using JsonFields::JsonFields;

  std::int64_t bytes(const json& object, const std::string& path, const char* key) const {
    const std::uint64_t n = count(object, path, key);
    if (n > static_cast<std::uint64_t>(INT64_MAX)) fail(path + "." + key, "not a number of bytes");
    return static_cast<std::int64_t>(n);
  }
  std::vector<std::uint64_t> seeds(const json& object, const std::string& path) const {
    const json& v = member(object, path, "seeds");
    if (!v.is_array() || v.size() > kSeedsKept) fail(path + ".seeds", "not a list of at most 5 seeds");
    std::vector<std::uint64_t> out;
    for (const json& s : v) {
      if (!s.is_number_unsigned()) fail(path + ".seeds", "not a list of seeds");
      out.push_back(s.get<std::uint64_t>());
    }
    return out;
  }
  std::vector<std::string> names(const json& root, const char* key) const {
    const json& v = member(root, "$", key);
    if (!v.is_array()) fail(std::string("$.") + key, "not a list");
    std::vector<std::string> out;
    for (const json& n : v) {
      if (!n.is_string()) fail(std::string("$.") + key, "not a list of names");
      out.push_back(n.get<std::string>());
    }
    return out;
  }

  SweepResult cell(const json& c, const std::string& path) const {
    SweepResult r;
    r.scenario = text(c, path, "scenario");
    r.strategy = text(c, path, "strategy");
    r.runs = count(c, path, "runs");
    r.runs_with_violations = count(c, path, "runs_with_violations");
    r.runs_disturbed = count(c, path, "runs_disturbed");
    r.charges = count(c, path, "charges");
    r.attempts = count(c, path, "attempts");
    r.intents = count(c, path, "intents");
    const json& storage = member(c, path, "storage_high_water");
    const std::string storage_path = path + ".storage_high_water";
    r.storage.redis_bytes = bytes(storage, storage_path, "redis_bytes");
    r.storage.postgres_bytes = bytes(storage, storage_path, "postgres_bytes");
    r.storage.broker_messages = count(storage, storage_path, "broker_messages");
    const json& violated = member(c, path, "violated");
    if (!violated.is_object()) fail(path + ".violated", "not an object");
    for (const auto& [invariant, t] : violated.items()) {
      const std::string at = path + ".violated." + invariant;
      InvariantTally& tally = r.violated[invariant];
      tally.runs = count(t, at, "runs");
      tally.seeds = seeds(t, at);
      tally.example_seed = count(t, at, "example_seed");
      tally.example_intent = text(t, at, "example_intent");
      tally.example_evidence = text(t, at, "example_evidence");
    }
    const json& unjudged = member(c, path, "unjudged");
    if (!unjudged.is_object()) fail(path + ".unjudged", "not an object");
    for (const auto& [kind, t] : unjudged.items()) {
      const std::string at = path + ".unjudged." + kind;
      OutcomeTally& tally = r.unjudged[kind];
      tally.runs = count(t, at, "runs");
      tally.seeds = seeds(t, at);
      tally.example_seed = count(t, at, "example_seed");
      tally.example_detail = text(t, at, "example_detail");
    }
    const json& latency = member(c, path, "attempt_latency");
    const json& buckets = member(latency, path + ".attempt_latency", "buckets");
    if (!buckets.is_array()) fail(path + ".attempt_latency.buckets", "not a list");
    for (const json& b : buckets) {
      if (!b.is_array() || b.size() != 2 || !b[0].is_number_unsigned() || !b[1].is_number_unsigned() ||
          b[0].get<std::uint64_t>() > 0xffffffffu) {
        fail(path + ".attempt_latency.buckets", "not a list of [bucket, count]");
      }
      r.latencies.counts[b[0].get<std::uint32_t>()] += b[1].get<std::uint64_t>();
      r.latencies.samples += b[1].get<std::uint64_t>();
    }
    return r;
  }
};

}  // namespace

std::string sweep_file_text(const SweepFile& file) {
  ordered_json root = ordered_json::object();
  root["format"] = kSweepFormat;
  root["version"] = file.version;
  root["first_seed"] = file.first_seed;
  root["seeds"] = file.seeds;
  root["shard"] = {{"index", file.shard.index}, {"count", file.shard.count}};
  root["complete"] = file.complete;
  root["scenarios"] = file.scenarios;
  root["strategies"] = file.strategies;
  ordered_json cells = ordered_json::array();
  for (const SweepResult& r : file.cells) cells.push_back(cell_json(r));
  root["cells"] = std::move(cells);
  return root.dump(1) + "\n";
}

SweepFile parse_sweep_file(const std::string& text, const std::string& where) {
  json root;
  try {
    root = sim::parse_strict_json(text);
  } catch (const sim::JsonError& e) {
    throw SweepFileError(where + ": " + e.what());
  }
  const Reader read(where);
  if (read.text(root, "$", "format") != kSweepFormat) {
    read.fail("$.format", "not " + std::string(kSweepFormat) + " (not a sweep's --json results)");
  }
  SweepFile f;
  f.version = read.text(root, "$", "version");
  f.first_seed = read.count(root, "$", "first_seed");
  f.seeds = read.count(root, "$", "seeds");
  const json& shard = read.member(root, "$", "shard");
  f.shard.index = read.count(shard, "$.shard", "index");
  f.shard.count = read.count(shard, "$.shard", "count");
  if (f.shard.count < 1 || f.shard.index < 1 || f.shard.index > f.shard.count) read.fail("$.shard", "not i/n with 1 <= i <= n");
  f.complete = read.boolean(root, "$", "complete");
  f.scenarios = read.names(root, "scenarios");
  f.strategies = read.names(root, "strategies");
  const json& cells = read.member(root, "$", "cells");
  if (!cells.is_array() || cells.size() != f.scenarios.size() * f.strategies.size()) {
    read.fail("$.cells", "not one cell per scenario and strategy");
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string path = "$.cells[" + std::to_string(i) + "]";
    f.cells.push_back(read.cell(cells[i], path));
    const SweepResult& c = f.cells.back();
    if (c.scenario != f.scenarios[i / f.strategies.size()] || c.strategy != f.strategies[i % f.strategies.size()]) {
      read.fail(path, "not the cell of " + f.scenarios[i / f.strategies.size()] + " and " +
                          f.strategies[i % f.strategies.size()]);
    }
  }
  return f;
}

SweepFile merge_shards(const std::vector<SweepFile>& shards, const std::vector<std::string>& names) {
  if (shards.empty()) throw SweepFileError("no shard files to merge");
  const SweepFile& first = shards.front();
  std::set<std::uint64_t> seen;  // not a vector: a file's shard count is not to be trusted with memory
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const SweepFile& s = shards[k];
    const auto differs = [&](const std::string& what) {
      throw SweepFileError(names[k] + ": " + what + " differ from " + names[0] + "'s: not shards of one sweep");
    };
    if (!s.complete) throw SweepFileError(names[k] + ": an interrupted sweep's partial results: not a whole shard");
    if (s.version != first.version) differs("the idemlab version (" + s.version + ", " + first.version + ")");
    if (s.first_seed != first.first_seed || s.seeds != first.seeds) differs("the seeds");
    if (s.scenarios != first.scenarios) differs("the scenarios");
    if (s.strategies != first.strategies) differs("the strategies");
    if (s.shard.count != first.shard.count) differs("the shard counts");
    if (seen.count(s.shard.index)) {
      throw SweepFileError(names[k] + ": shard " + std::to_string(s.shard.index) + "/" + std::to_string(s.shard.count) +
                           " given twice");
    }
    seen.insert(s.shard.index);
  }
  if (seen.size() != first.shard.count) {
    std::uint64_t missing = 1;
    while (seen.count(missing)) ++missing;
    throw SweepFileError("shard " + std::to_string(missing) + "/" + std::to_string(first.shard.count) +
                         " is missing: the merge would not be the whole sweep");
  }
  SweepFile out = first;
  out.shard = Shard{};
  for (std::size_t k = 1; k < shards.size(); ++k) {
    for (std::size_t c = 0; c < out.cells.size(); ++c) merge_into(out.cells[c], shards[k].cells[c]);
  }
  return out;
}

}  // namespace idemlab::scenarios
