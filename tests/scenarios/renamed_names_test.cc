// The checker knows no strategy's names: a strategy whose tables, sequences,
// Redis keys and queues are all renamed (each letter rot13'd, so that no
// length and no byte count changes) breaks exactly the invariants the
// original breaks, seed for seed, in every shipped scenario. A checker
// that looked for `outbox_events` or `sagas` would go blind (false safety),
// or one that looked for what it expects to find would cry wolf.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "scenarios/shipped.h"

namespace idemlab::scenarios {
namespace {

using sim::Task;

std::string rot13(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return text;
}

class RenamedKv final : public ports::Kv {
 public:
  explicit RenamedKv(ports::Kv& inner) : inner_(inner) {}
  Task<ports::Result<std::optional<std::string>>> get(std::string key) override { co_return co_await inner_.get(rot13(key)); }
  Task<ports::Result<bool>> set(std::string key, std::string value, ports::SetOptions options) override {
    co_return co_await inner_.set(rot13(key), std::move(value), options);
  }
  Task<ports::Result<std::optional<std::string>>> set_get(std::string key, std::string value,
                                                          ports::SetOptions options) override {
    co_return co_await inner_.set_get(rot13(key), std::move(value), options);
  }
  Task<ports::Result<bool>> del(std::string key) override { co_return co_await inner_.del(rot13(key)); }
  Task<ports::Result<bool>> expire(std::string key, sim::Duration ttl) override {
    co_return co_await inner_.expire(rot13(key), ttl);
  }
  Task<ports::Result<sim::Duration>> ttl(std::string key) override { co_return co_await inner_.ttl(rot13(key)); }
  Task<ports::Result<bool>> compare_and_delete(std::string key, std::string expected) override {
    co_return co_await inner_.compare_and_delete(rot13(key), std::move(expected));
  }
  Task<ports::Result<bool>> compare_and_set(std::string key, std::string expected, std::string value,
                                            sim::Duration ttl) override {
    co_return co_await inner_.compare_and_set(rot13(key), std::move(expected), std::move(value), ttl);
  }

 private:
  ports::Kv& inner_;
};

class RenamedTx final : public ports::Tx {
 public:
  explicit RenamedTx(std::unique_ptr<ports::Tx> inner) : inner_(std::move(inner)) {}
  Task<ports::Result<ports::Row>> insert(std::string table, ports::Row row) override {
    co_return co_await inner_->insert(rot13(table), std::move(row));
  }
  Task<ports::Result<std::optional<ports::Row>>> insert_on_conflict(std::string table, ports::Row row,
                                                                    ports::OnConflict on_conflict) override {
    co_return co_await inner_->insert_on_conflict(rot13(table), std::move(row), std::move(on_conflict));
  }
  Task<ports::Result<std::vector<ports::Row>>> query(std::string table, ports::Query query) override {
    co_return co_await inner_->query(rot13(table), std::move(query));
  }
  Task<ports::Result<std::vector<ports::Row>>> update(std::string table, ports::Where where,
                                                      ports::Assignments set) override {
    co_return co_await inner_->update(rot13(table), std::move(where), std::move(set));
  }
  Task<ports::Result<std::int64_t>> remove(std::string table, ports::Where where) override {
    co_return co_await inner_->remove(rot13(table), std::move(where));
  }
  Task<ports::Result<std::int64_t>> nextval(std::string sequence) override { co_return co_await inner_->nextval(rot13(sequence)); }
  Task<ports::Result<ports::Unit>> commit() override { co_return co_await inner_->commit(); }
  Task<ports::Result<ports::Unit>> rollback() override { co_return co_await inner_->rollback(); }

 private:
  std::unique_ptr<ports::Tx> inner_;
};

class RenamedSql final : public ports::Sql {
 public:
  explicit RenamedSql(ports::Sql& inner) : inner_(inner) {}
  Task<ports::Result<ports::Unit>> ensure_schema(ports::Schema schema) override {
    for (ports::TableSchema& table : schema.tables) table.name = rot13(table.name);
    for (std::string& sequence : schema.sequences) sequence = rot13(sequence);
    co_return co_await inner_.ensure_schema(std::move(schema));
  }
  Task<ports::Result<std::unique_ptr<ports::Tx>>> begin(ports::Isolation isolation) override {
    auto begun = co_await inner_.begin(isolation);
    if (!begun.is_ok()) co_return begun;
    co_return ports::Result<std::unique_ptr<ports::Tx>>::ok(std::make_unique<RenamedTx>(std::move(begun).value()));
  }

 private:
  ports::Sql& inner_;
};

class RenamedQueue final : public ports::Queue {
 public:
  explicit RenamedQueue(ports::Queue& inner) : inner_(inner) {}
  Task<ports::Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override {
    if (!options.dead_letter_queue.empty()) options.dead_letter_queue = rot13(options.dead_letter_queue);
    co_return co_await inner_.declare(rot13(queue), std::move(options));
  }
  Task<ports::Result<ports::Unit>> publish(std::string queue, ports::Message message) override {
    co_return co_await inner_.publish(rot13(queue), std::move(message));
  }
  Task<ports::Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override {
    co_return co_await inner_.consume(rot13(queue), prefetch);
  }

 private:
  ports::Queue& inner_;
};

// The ports of one call, renamed, for as long as it runs.
struct RenamedPorts {
  explicit RenamedPorts(ports::Ports inner) : clock(inner.clock), kv(inner.kv), sql(inner.sql), queue(inner.queue),
                                              processor(inner.processor) {}
  ports::Ports ports() { return ports::Ports{clock, kv, sql, queue, processor}; }
  ports::Clock& clock;
  RenamedKv kv;
  RenamedSql sql;
  RenamedQueue queue;
  ports::Processor& processor;
};

Task<ports::Result<ports::Unit>> setup_renamed(strategies::Strategy& inner, ports::Ports ports) {
  RenamedPorts renamed(ports);
  co_return co_await inner.setup(renamed.ports());
}
Task<api::Response> handle_renamed(strategies::Strategy& inner, ports::Ports ports, api::Request request) {
  RenamedPorts renamed(ports);
  co_return co_await inner.handle(renamed.ports(), std::move(request));
}
Task<void> run_renamed(std::function<Task<void>(ports::Ports)> run, ports::Ports ports) {
  RenamedPorts renamed(ports);
  co_await run(renamed.ports());
}

class Renamed final : public strategies::Strategy {
 public:
  explicit Renamed(std::unique_ptr<strategies::Strategy> inner) : inner_(std::move(inner)) {}
  Task<ports::Result<ports::Unit>> setup(ports::Ports ports) override { return setup_renamed(*inner_, ports); }
  Task<api::Response> handle(ports::Ports ports, api::Request request) override {
    return handle_renamed(*inner_, ports, std::move(request));
  }
  std::vector<strategies::Worker> workers() override {
    std::vector<strategies::Worker> workers = inner_->workers();
    for (strategies::Worker& w : workers) {
      w.run = [run = std::move(w.run)](ports::Ports ports) { return run_renamed(run, ports); };
    }
    return workers;
  }
  std::vector<std::string> queues() const override {
    std::vector<std::string> queues = inner_->queues();
    for (std::string& q : queues) q = rot13(q);
    return queues;
  }

 private:
  std::unique_ptr<strategies::Strategy> inner_;
};

// Per seed, the invariants a run broke.
std::vector<std::set<std::string>> broken(const Scenario& scenario, const strategies::StrategyInfo& info, int seeds) {
  std::vector<std::set<std::string>> out;
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(seeds); ++seed) {
    const RunReport report = run_once(scenario, info, seed);
    std::set<std::string> names;
    for (const checks::Violation& v : report.violations) names.insert(v.invariant);
    out.push_back(std::move(names));
  }
  return out;
}

}  // namespace

TEST_CASE("renamed: every table, sequence, key and queue renamed, a strategy breaks the same invariants, seed for seed") {
  int compared_with_violations = 0;
  for (const char* name : {"outbox", "saga", "saga_steps_in_one_transaction", "dedup_queue", "dedup_row_after_effect",
                           "idempotency_key", "redis_lock_del_in_finally", "get_then_set_claim", "db_unique"}) {
    const strategies::StrategyInfo* original = strategies::find_strategy(name);
    REQUIRE(original != nullptr);
    strategies::StrategyInfo renamed = *original;
    renamed.make = [make = original->make](const strategies::StrategyOptions& options) {
      return std::unique_ptr<strategies::Strategy>(std::make_unique<Renamed>(make(options)));
    };
    for (const Scenario& scenario : shipped_scenarios()) {
      INFO(name << " in " << scenario.name);
      const std::vector<std::set<std::string>> as_shipped = broken(scenario, *original, 4);
      CHECK(broken(scenario, renamed, 4) == as_shipped);
      for (const std::set<std::string>& seed : as_shipped) compared_with_violations += seed.empty() ? 0 : 1;
    }
  }
  // The comparison covers runs that break something, not only safe ones.
  CHECK(compared_with_violations > 50);
}

}  // namespace idemlab::scenarios
