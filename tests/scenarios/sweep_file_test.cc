// Sharded sweeps: the shards' results merge into exactly the unsharded
// sweep's file, the file reads back as written, files that are not the
// shards of one sweep are refused, and latency buckets bound every sample.
#include <catch2/catch.hpp>

#include "scenarios/shipped.h"
#include "scenarios/sweep_file.h"

namespace idemlab::scenarios {
namespace {

SweepFile swept(const std::vector<std::string>& names, std::uint64_t seeds, Shard shard, unsigned jobs) {
  SweepFile f;
  f.version = "test";
  f.seeds = seeds;
  f.shard = shard;
  f.strategies = {"baseline", "idempotency_key"};
  for (const std::string& name : names) {
    const Scenario s = find_scenario(name);
    f.scenarios.push_back(s.name);
    for (const std::string& strategy : f.strategies) {
      f.cells.push_back(parallel_sweep(s, *strategies::find_strategy(strategy), 1, seeds, jobs, shard));
    }
  }
  return f;
}

TEST_CASE("the merge of n shards is the unsharded sweep's file, byte for byte, in any order") {
  const std::vector<std::string> names = {"crash_after_charge_before_commit", "concurrent_identical_requests"};
  const std::string whole = sweep_file_text(swept(names, 23, Shard{}, 2));
  std::vector<SweepFile> shards;
  for (std::uint64_t i : {3, 1, 4, 2}) shards.push_back(swept(names, 23, Shard{i, 4}, 1));
  const SweepFile merged = merge_shards(shards, {"s3", "s1", "s4", "s2"});
  CHECK(sweep_file_text(merged) == whole);
  // Not a vacuous equality: the cells hold violations, seeds and latencies.
  CHECK(whole.find("\"at_most_one_charge\"") != std::string::npos);
  CHECK(merged.cells.front().violated.at("at_most_one_charge").seeds.size() == kSeedsKept);
  CHECK(merged.cells.front().latencies.samples > 0);
  // The storage high-water mark: the baseline's payment rows only; the
  // key's Redis records and claim rows besides for idempotency_key.
  CHECK(merged.cells[0].storage.redis_bytes == 0);
  CHECK(merged.cells[0].storage.postgres_bytes > 0);
  CHECK(merged.cells[1].strategy == "idempotency_key");
  CHECK(merged.cells[1].storage.redis_bytes > 0);
  CHECK(merged.cells[1].storage.postgres_bytes > merged.cells[0].storage.postgres_bytes);
}

TEST_CASE("a cell's storage high-water mark is the most any one of its runs held") {
  const Scenario s = find_scenario("concurrent_identical_requests");
  const strategies::StrategyInfo& db_unique = *strategies::find_strategy("db_unique");
  StoragePeak most;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) most.take_max(run_once(s, db_unique, seed).storage);
  const SweepResult cell = sweep(s, db_unique, 1, 4);
  CHECK(cell.storage == most);
  CHECK(most.postgres_bytes > 0);
  CHECK(most.redis_bytes == 0);
}

TEST_CASE("a sweep file reads back as it was written") {
  const SweepFile f = swept({"crash_after_charge_before_commit"}, 7, Shard{2, 3}, 1);
  const std::string text = sweep_file_text(f);
  CHECK(sweep_file_text(parse_sweep_file(text, "f.json")) == text);
}

TEST_CASE("files that are not the shards of one sweep are refused, naming the file") {
  const std::vector<std::string> names = {"crash_after_charge_before_commit"};
  const SweepFile a = swept(names, 6, Shard{1, 2}, 1), b = swept(names, 6, Shard{2, 2}, 1);
  CHECK_THROWS_WITH(merge_shards({a}, {"a.json"}), Catch::Contains("shard 2/2 is missing"));
  CHECK_THROWS_WITH(merge_shards({a, a}, {"a.json", "a2.json"}), Catch::Contains("a2.json: shard 1/2 given twice"));
  SweepFile other = b;
  other.version = "another";
  CHECK_THROWS_WITH(merge_shards({a, other}, {"a.json", "o.json"}), Catch::Contains("o.json: the idemlab version"));
  other = b;
  other.seeds = 7;
  CHECK_THROWS_WITH(merge_shards({a, other}, {"a.json", "o.json"}), Catch::Contains("o.json: the seeds"));
  CHECK_THROWS_WITH(parse_sweep_file("{\"format\": \"idemlab-scenario/1\"}", "x.json"),
                    Catch::Contains("x.json: $.format"));
  CHECK_THROWS_WITH(parse_sweep_file("[1,", "y.json"), Catch::Contains("y.json: ") && Catch::Contains("not JSON"));
}

TEST_CASE("a latency bucket holds its samples and is at most 12.5% wide") {
  for (sim::Duration d : {sim::Duration{0}, sim::Duration{1}, sim::Duration{15}, sim::Duration{16},
                          sim::Duration{17}, sim::Duration{1000}, sim::Duration{123456789}, 5 * sim::kSecond,
                          sim::Duration{1} << 50}) {
    const std::uint32_t b = latency_bucket(d);
    INFO(d);
    CHECK(bucket_lower_bound(b) <= d);
    CHECK(d < bucket_lower_bound(b + 1));
    CHECK(static_cast<double>(bucket_lower_bound(b + 1) - bucket_lower_bound(b)) <=
          std::max(1.0, 0.125 * static_cast<double>(bucket_lower_bound(b))));
  }
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(i * sim::kMillisecond);
  CHECK(h.percentile(0.5) >= 500 * sim::kMillisecond);
  CHECK(h.percentile(0.5) <= 563 * sim::kMillisecond);  // within the bucket's 12.5%
  CHECK(h.percentile(1.0) >= 1000 * sim::kMillisecond);
}

}  // namespace
}  // namespace idemlab::scenarios

namespace idemlab::scenarios {
namespace {

// A cell whose scenario never reached its strategy is told apart from one
// that was reached and held: outbox_relay_crash_after_publish crashes the
// outbox's relay, which the baseline does not have.
TEST_CASE("a sweep counts the runs its faults reached: none for a strategy they never reach") {
  const Scenario relay = find_scenario("outbox_relay_crash_after_publish");
  const SweepResult baseline = parallel_sweep(relay, *strategies::find_strategy("baseline"), 1, 5, 2, Shard{});
  const SweepResult outbox = parallel_sweep(relay, *strategies::find_strategy("outbox"), 1, 5, 2, Shard{});
  CHECK(baseline.runs == 5);
  CHECK(baseline.runs_disturbed == 0);
  CHECK(outbox.runs_disturbed == 5);
  // Random faults count too: a lost answer in one of five replies.
  const Scenario lost = find_scenario("client_retry_after_lost_response");
  CHECK(parallel_sweep(lost, *strategies::find_strategy("idempotency_key"), 1, 5, 2, Shard{}).runs_disturbed == 5);
  // And a slow processor that only a queue's worker waits on: the worker's
  // calls time out, though its clients were answered at once.
  const Scenario slow = find_scenario("network_timeout");
  CHECK(parallel_sweep(slow, *strategies::find_strategy("dedup_queue"), 1, 5, 2, Shard{}).runs_disturbed == 5);
  // And they go through the file and the merge of shards.
  SweepFile f;
  f.version = "test";
  f.seeds = 5;
  f.strategies = {"baseline", "outbox"};
  f.scenarios = {relay.name};
  f.cells = {baseline, outbox};
  const SweepFile back = parse_sweep_file(sweep_file_text(f), "test");
  CHECK(back.cells.at(0).runs_disturbed == 0);
  CHECK(back.cells.at(1).runs_disturbed == 5);
}

}  // namespace
}  // namespace idemlab::scenarios
