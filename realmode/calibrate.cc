#include "realmode/calibrate.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "models/sim_clock.h"
#include "realmode/live_backends.h"
#include "realmode/real_run.h"
#include "realmode/run_id.h"

namespace idemlab::realmode {
namespace {

constexpr int kWarmUp = 20;

// A loopback TCP round trip of one byte, between two threads: what the
// models' links stand for, without any server's work.
std::vector<sim::Duration> loopback_round_trips(int samples) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 1) != 0 || getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw RealRunError("loopback round trip: cannot listen on 127.0.0.1");
  }
  const int total = samples + kWarmUp;
  std::thread echo([listener, total] {
    const int peer = accept(listener, nullptr, nullptr);
    char byte = 0;
    for (int i = 0; i < total && peer >= 0; ++i) {
      if (read(peer, &byte, 1) != 1 || write(peer, &byte, 1) != 1) break;
    }
    if (peer >= 0) close(peer);
  });
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<sim::Duration> out;
  if (client >= 0 && connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    char byte = 'x';
    for (int i = 0; i < total; ++i) {
      const auto start = std::chrono::steady_clock::now();
      if (write(client, &byte, 1) != 1 || read(client, &byte, 1) != 1) break;
      const auto took = std::chrono::steady_clock::now() - start;
      if (i >= kWarmUp) out.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count());
    }
  }
  if (client >= 0) close(client);
  echo.join();
  close(listener);
  if (static_cast<int>(out.size()) != samples) throw RealRunError("loopback round trip: the echo broke off");
  return out;
}

ports::Schema calibration_schema() {
  ports::TableSchema table;
  table.name = "calibration";
  table.columns = {{"id", ports::ColumnType::kBigint, false},
                   {"key", ports::ColumnType::kText, false},
                   {"body", ports::ColumnType::kJson, false}};
  table.primary_key = {"id"};
  table.unique_keys = {{"key"}};
  return ports::Schema{{table}, {}};
}

// One stream of measurements: every operation through the ports, one call
// at a time, on the loop's clock (the wall clock), into the shared
// `measured`. Several streams can run at once (--concurrency), for figures
// taken under load.
// Failures are kept, not thrown: a coroutine must not throw.
class Stream {
 public:
  Stream(sim::Simulator& sim, ports::Ports ports, int stream, int samples, Measurements& measured, std::string& error)
      : sim_(sim), ports_(ports), stream_(stream), samples_(samples), measured_(measured), error_(error) {}

  sim::Task<void> run() {
    const std::string queue = "calibration-" + std::to_string(stream_);
    ports::QueueOptions durable;
    auto declared = co_await ports_.queue.declare(queue, durable);
    if (!declared.is_ok()) {
      fail("amqp.declare", declared.message());
      co_return;
    }
    auto consumer = co_await ports_.queue.consume(queue, 1);
    if (!consumer.is_ok()) {
      fail("amqp.consume", consumer.message());
      co_return;
    }
    for (int i = 0; i < samples_ + kWarmUp && error_.empty(); ++i) {
      keep_ = i >= kWarmUp;
      const std::int64_t n = std::int64_t{stream_} * kStreamSpan + i;
      co_await redis_round(n);
      co_await postgres_round(n);
      co_await queue_round(queue, *consumer.value(), n);
      co_await processor_round(n);
    }
  }

 private:
  // Row ids, keys and intents of a stream: n = stream * kStreamSpan + i.
  static constexpr std::int64_t kStreamSpan = 10'000'000;

  void fail(const std::string& operation, const std::string& message) {
    if (error_.empty()) error_ = operation + " failed: " + message;
  }
  void record(const std::string& operation, sim::Time start) {
    if (keep_) measured_[operation].push_back(sim_.now() - start);
  }

  sim::Task<void> redis_round(std::int64_t i) {
    const std::string key = "calibration:" + std::to_string(i);
    const ports::SetOptions nx{ports::SetOptions::Condition::kIfAbsent, 60 * sim::kSecond};
    sim::Time start = sim_.now();
    auto set = co_await ports_.kv.set(key, "token", nx);
    record("redis.set_nx", start);
    if (!set.is_ok()) fail("redis.set_nx", set.message());
    start = sim_.now();
    auto got = co_await ports_.kv.get(key);
    record("redis.get", start);
    if (!got.is_ok()) fail("redis.get", got.message());
    start = sim_.now();
    auto deleted = co_await ports_.kv.compare_and_delete(key, "token");
    record("redis.compare_and_delete", start);
    if (!deleted.is_ok()) fail("redis.compare_and_delete", deleted.message());
  }

  sim::Task<void> postgres_round(std::int64_t i) {
    sim::Time start = sim_.now();
    auto begun = co_await ports_.sql.begin(ports::Isolation::kReadCommitted);
    record("pg.begin", start);
    if (!begun.is_ok()) {
      fail("pg.begin", begun.message());
      co_return;
    }
    ports::Tx& tx = *begun.value();
    const ports::Row row{{"id", i}, {"key", "k" + std::to_string(i)}, {"body", R"({"step":1})"}};
    start = sim_.now();
    auto inserted = co_await tx.insert("calibration", row);
    record("pg.insert", start);
    if (!inserted.is_ok()) fail("pg.insert", inserted.message());
    ports::Row again = row;
    again["id"] = i + kStreamSpan / 2;  // the same key: a conflict
    ports::OnConflict on_conflict;
    on_conflict.columns = {"key"};
    start = sim_.now();
    auto conflicted = co_await tx.insert_on_conflict("calibration", again, on_conflict);
    record("pg.insert_on_conflict", start);
    if (!conflicted.is_ok()) fail("pg.insert_on_conflict", conflicted.message());
    const ports::Where where{{"id", i}};
    start = sim_.now();
    auto selected = co_await tx.select("calibration", where, ports::RowLock::kForUpdate);
    record("pg.select_for_update", start);
    if (!selected.is_ok()) fail("pg.select_for_update", selected.message());
    start = sim_.now();
    auto committed = co_await tx.commit();
    record("pg.commit", start);
    if (!committed.is_ok()) fail("pg.commit", committed.message());
  }

  sim::Task<void> queue_round(const std::string& queue, ports::Consumer& consumer, std::int64_t i) {
    ports::Message message;
    message.id = "m" + std::to_string(i);
    message.body = R"({"intent":"calibration"})";
    sim::Time start = sim_.now();
    auto published = co_await ports_.queue.publish(queue, message);
    record("amqp.publish_confirm", start);
    if (!published.is_ok()) fail("amqp.publish_confirm", published.message());
    start = sim_.now();
    auto delivery = co_await consumer.next(5 * sim::kSecond);
    if (!delivery.is_ok()) {
      fail("amqp.deliver", delivery.message());
      co_return;
    }
    auto acked = co_await consumer.ack(delivery.value().tag);
    record("amqp.deliver_ack", start);
    if (!acked.is_ok()) fail("amqp.ack", acked.message());
  }

  sim::Task<void> processor_round(std::int64_t i) {
    ports::ChargeRequest request;
    request.intent = "calibration/" + std::to_string(i);
    request.amount = 1000;
    request.customer = "cus_calibration";
    request.idempotency_key = "calibration-" + std::to_string(i);
    const sim::Time start = sim_.now();
    auto charged = co_await ports_.processor.charge(request);
    record("processor.charge", start);
    if (!charged.is_ok()) fail("processor.charge", charged.message());
  }

  sim::Simulator& sim_;
  ports::Ports ports_;
  int stream_;
  int samples_;
  bool keep_ = false;
  Measurements& measured_;
  std::string& error_;
};

}  // namespace

Measurements measure_latencies(const Servers& servers, int samples, int concurrency) {
  sim::RandomTape tape(1);
  sim::Simulator sim(tape);
  RealTimeLoop loop(sim);
  models::WorldConfig config;
  config.processor.processing_time = sim::LatencyModel::constant(0);  // the ledger's own cost only
  LiveBackends live(loop, servers, config, new_run_id());
  models::SimClock clock(sim);
  Measurements out;
  std::string error;
  std::vector<std::unique_ptr<Stream>> streams;
  const int per_stream = (samples + concurrency - 1) / concurrency;
  for (int s = 0; s < concurrency; ++s) {
    streams.push_back(std::make_unique<Stream>(sim, live.ports(clock), s, per_stream, out, error));
  }
  int running = concurrency;
  auto body = [](ports::Sql& sql, std::vector<std::unique_ptr<Stream>>& all, int& left, std::string& failure,
                 sim::Simulator& simulator) -> sim::Task<void> {
    auto made = co_await sql.ensure_schema(calibration_schema());
    if (!made.is_ok()) {
      failure = "pg.ensure_schema failed: " + made.message();
      left = 0;
      co_return;
    }
    auto stream = [](Stream& one, int& count) -> sim::Task<void> {
      co_await one.run();
      --count;
    };
    for (const std::unique_ptr<Stream>& one : all) simulator.spawn(stream(*one, left), nullptr, "calibrate");
  };
  sim.spawn(body(live.ports(clock).sql, streams, running, error, sim), nullptr, "calibrate");
  const bool finished = loop.run([&running] { return running == 0; }, 600 * sim::kSecond);
  if (!finished) throw RealRunError("calibration did not finish within 10 minutes");
  if (!error.empty()) throw RealRunError("calibration: " + error);
  out["loopback.rtt"] = loopback_round_trips(samples);
  return out;
}

std::string calibration_json(const Measurements& alone, const Measurements& under_load, const std::string& machine,
                             int concurrency) {
  auto operations = [](const Measurements& measurements) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [name, samples] : measurements) out[name]["samples_ns"] = samples;
    return out;
  };
  nlohmann::ordered_json root;
  root["format"] = "idemlab-calibration/1";
  root["machine"] = machine;
  std::string how = "idemlab calibrate --real: each operation through real mode's ports, one call at a time";
  if (!under_load.empty()) {
    how += "; under load, ";
    how += std::to_string(concurrency);
    how += " calls at a time";
  }
  root["measured_with"] = how;
  root["operations"] = operations(alone);
  if (!under_load.empty()) root["operations_under_load"] = operations(under_load);
  return root.dump(1) + "\n";
}

}  // namespace idemlab::realmode
