// bench/world: what a simulated world costs, since sweeps build millions.
//
//   world_1000_intents_bytes   heap bytes a world holds once 1,000 payment
//                              intents have gone through it (10 clients x 100),
//                              with a handler shaped like the idempotency-key
//                              strategy: SET NX in Redis, a charge with a
//                              downstream key, an INSERT in PostgreSQL, the
//                              response cached in Redis
//   world_setup_teardown_us    creating and destroying an idle world
//
// Bytes are counted by this binary's operator new/delete (live bytes as
// malloc_usable_size reports them). Targets: under 1 MB; under 50 us.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "models/world.h"

namespace {

std::size_t g_live_bytes = 0;  // this benchmark's own allocation counter
std::size_t g_peak_bytes = 0;
std::size_t g_allocations = 0;

}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes += malloc_usable_size(p);
  g_peak_bytes = std::max(g_peak_bytes, g_live_bytes);
  ++g_allocations;
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using namespace idemlab;

void emit(const char* metric, double value, const char* unit) {
  std::printf("{\"bench\":\"world\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", metric, value, unit);
  std::fflush(stdout);
}

ports::Schema payments_schema() {
  ports::TableSchema payments;
  payments.name = "payments";
  payments.columns = {{"key", ports::ColumnType::kText, false},
                      {"status", ports::ColumnType::kText, false},
                      {"charge_id", ports::ColumnType::kText, true},
                      {"response", ports::ColumnType::kJson, true}};
  payments.primary_key = {"key"};
  return ports::Schema{{payments}, {}};
}

ports::Row payment_row(const std::string& key, const std::string& charge_id, const std::string& response) {
  return ports::Row{{"key", ports::Value(key)}, {"status", ports::Value(std::string("succeeded"))},
                    {"charge_id", ports::Value(charge_id)}, {"response", ports::Value(response)}};
}

ports::ChargeRequest charge_request(const api::Request& request) {
  ports::ChargeRequest charge;
  charge.intent = request.idempotency_key.value_or("");
  charge.amount = 100;
  charge.customer = "cus";
  charge.idempotency_key = "down-" + request.idempotency_key.value_or("");
  return charge;
}

// Which models the handler touches; all of them by default, one at a time
// for the breakdown.
struct Steps {
  bool kv = true;
  bool processor = true;
  bool sql = true;
};

// Shaped like the idempotency-key strategy, without its error handling: the
// point is the footprint a processed intent leaves in every model.
sim::Task<api::Response> keyed_payment(models::Ports ports, Steps steps, api::Request request) {
  const std::string key = request.idempotency_key.value_or("");
  const ports::SetOptions claim{ports::SetOptions::Condition::kIfAbsent, 24 * 3600 * sim::kSecond};
  if (steps.kv) {
    auto claimed = co_await ports.kv.set("idem:" + key, "in-progress", claim);
    if (!claimed.is_ok() || !claimed.value()) co_return api::Response{409, "{}", false};
  }
  std::string charge_id = "ch_none";
  if (steps.processor) {
    auto charged = co_await ports.processor.charge(charge_request(request));
    if (!charged.is_ok()) co_return api::Response{502, "{}", false};
    charge_id = charged.value().charge_id;
  }
  const std::string body = "{\"id\":\"" + charge_id + "\",\"status\":\"succeeded\"}";
  auto tx = co_await ports.sql.begin(ports::Isolation::kReadCommitted);
  if (tx.is_ok() && steps.sql) {
    auto inserted = co_await tx.value()->insert("payments", payment_row(key, charge_id, body));
    auto committed = co_await tx.value()->commit();
    (void)inserted;
    (void)committed;
  }
  if (steps.kv) {
    const ports::SetOptions cache{ports::SetOptions::Condition::kAlways, 24 * 3600 * sim::kSecond};
    auto cached = co_await ports.kv.set("idem:" + key, body, cache);
    (void)cached;
  }
  co_return api::Response{201, body, false};
}

sim::Task<void> create_schema(models::Ports ports) {
  auto created = co_await ports.sql.ensure_schema(payments_schema());
  if (!created.is_ok()) std::abort();
}

models::WorldConfig config(int clients, int intents_each) {
  models::WorldConfig c;
  c.simulator.trace = sim::TraceLevel::kHash;  // what sweeps use: the hash, no records
  c.clients = clients;
  c.client.intents = intents_each;
  c.client.think_mean = 50 * sim::kMillisecond;
  return c;
}

struct Footprint {
  std::size_t live_bytes;
  std::size_t peak_bytes;
  std::uint64_t charges;
};

Footprint world_with_intents(int clients, int intents_each, Steps steps) {
  sim::RandomTape tape(1);
  const std::size_t baseline = g_live_bytes;
  g_peak_bytes = g_live_bytes;
  models::World world(config(clients, intents_each), tape);
  models::Ports ports = world.service_ports();
  world.service().route("POST /payments",
                        [ports, steps](api::Request request) { return keyed_payment(ports, steps, std::move(request)); });
  world.start();
  world.service().node().spawn(create_schema(ports), "schema");
  const sim::RunResult r = world.run();
  if (r.stop != sim::RunStop::kQuiescent) std::abort();
  const std::size_t live = g_live_bytes - baseline;
  return Footprint{live, g_peak_bytes - baseline, static_cast<std::uint64_t>(world.processor().ledger().size())};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/world: memory and set-up cost of a simulated world"};
  int iterations = 20000;
  bool breakdown = false;
  app.add_option("--iterations", iterations, "Worlds created and destroyed for the set-up figure")->capture_default_str();
  app.add_flag("--breakdown", breakdown, "Also measure worlds whose handler touches one model only");
  CLI11_PARSE(app, argc, argv);

  if (breakdown) {
    emit("breakdown_idle_bytes", static_cast<double>(world_with_intents(10, 0, Steps{}).live_bytes), "bytes");
    emit("breakdown_none_bytes", static_cast<double>(world_with_intents(10, 100, Steps{false, false, false}).live_bytes), "bytes");
    emit("breakdown_redis_bytes", static_cast<double>(world_with_intents(10, 100, Steps{true, false, false}).live_bytes), "bytes");
    emit("breakdown_processor_bytes", static_cast<double>(world_with_intents(10, 100, Steps{false, true, false}).live_bytes), "bytes");
    emit("breakdown_postgres_bytes", static_cast<double>(world_with_intents(10, 100, Steps{false, false, true}).live_bytes), "bytes");
  }
  const Footprint f = world_with_intents(10, 100, Steps{});
  if (f.charges != 1000) {
    std::fprintf(stderr, "bench/world: expected 1000 charges, got %llu\n", static_cast<unsigned long long>(f.charges));
    return 1;
  }
  emit("world_1000_intents_bytes", static_cast<double>(f.live_bytes), "bytes");
  emit("world_1000_intents_peak_bytes", static_cast<double>(f.peak_bytes), "bytes");
  emit("world_bytes_per_intent", static_cast<double>(f.live_bytes) / 1000.0, "bytes");
  // The same 1,000 intents from one client: the peak without concurrency,
  // which shows what ten requests in flight add (frames, events, sessions).
  const Footprint serial = world_with_intents(1, 1000, Steps{});
  emit("world_1000_intents_one_client_bytes", static_cast<double>(serial.live_bytes), "bytes");
  emit("world_1000_intents_one_client_peak_bytes", static_cast<double>(serial.peak_bytes), "bytes");

  sim::RandomTape tape(1);
  const models::WorldConfig idle = config(1, 1);
  const std::size_t allocations_before = g_allocations;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    models::World world(idle, tape);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  emit("world_setup_teardown_us", seconds / iterations * 1e6, "us");
  emit("world_setup_allocations", static_cast<double>(g_allocations - allocations_before) / iterations, "allocations");
  return 0;
}
