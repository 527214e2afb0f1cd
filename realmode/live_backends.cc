#include "realmode/live_backends.h"

#include <cassert>
#include <cstdio>

#include "realmode/foreign_data.h"

namespace idemlab::realmode {

class LiveBackends::Truth final : public checks::GroundTruth {
 public:
  Truth(LiveBackends& live, const models::clients::History& history, const models::PortHistory& port_history,
        sim::Time now)
      : live_(live), history_(history), port_history_(port_history), now_(now), ledger_(live.processor_.ledger()),
        declines_(live.processor_.declines()), refund_misses_(live.processor_.refund_misses()) {}

  const models::clients::History& history() override { return history_; }
  const models::PortHistory& port_history() override { return port_history_; }
  const std::vector<models::processor::LedgerEntry>& ledger() override { return ledger_; }
  const std::map<std::string, std::int64_t>& declines() override { return declines_; }
  const std::vector<models::processor::RefundMiss>& refund_misses() override { return refund_misses_; }
  void for_each_key_without_expiry(const std::function<void(const std::string&, const std::string&)>& visit) override {
    RedisConnection& redis = live_.redis_reader_;
    const std::string& prefix = live_.key_prefix_;
    for_each_key_with_prefix(redis, prefix, [&](const std::vector<std::string>& keys) {
      for (const std::string& key : keys) {
        if (redis.command({"PTTL", key}).integer != -1) continue;  // expires, or gone since
        const RedisConnection::Reply value = redis.command({"GET", key});
        if (value.status == ports::Status::kOk && !value.nil) visit(key.substr(prefix.size()), value.text);
      }
    });
  }
  bool has_table(const std::string& table) override { return live_.sql_.has_table(table); }
  std::vector<std::string> table_names() override { return live_.sql_.table_names(); }
  std::vector<ports::Row> committed_rows(const std::string& table) override { return live_.sql_.committed_rows(table); }
  sim::Time now() override { return now_; }

 private:
  LiveBackends& live_;
  const models::clients::History& history_;
  const models::PortHistory& port_history_;
  sim::Time now_;
  std::vector<models::processor::LedgerEntry> ledger_;
  std::map<std::string, std::int64_t> declines_;
  std::vector<models::processor::RefundMiss> refund_misses_;
};

namespace {

// Every server answers, or Unreachable names the first that does not; called
// before anything is made, so that a refusal leaves nothing behind.
const std::string& after_probing(const Servers& servers, const std::string& run_id) {
  const sim::Duration deadline = servers.redis.connect_timeout_s * sim::kSecond;
  RedisConnection redis(servers.redis, deadline);
  redis.connect();
  // Connecting sends nothing without a password or a database: a port that
  // accepts and never answers shows only at the first command.
  if (const RedisConnection::Reply pong = redis.command({"PING"}); pong.status != ports::Status::kOk) {
    throw Unreachable("Redis", servers.redis,
                      "no answer to PING within " + std::to_string(servers.redis.connect_timeout_s) + " s (" +
                          pong.text + ")");
  }
  PgConnection postgres(servers.postgres);
  postgres.connect();
  AmqpConnection amqp(servers.amqp, servers.amqp.connect_timeout_s * sim::kSecond);
  amqp.connect(true);
  amqp.close();
  // What runs killed before they could clean up left behind goes first.
  for (const std::string& line : clean_abandoned(servers)) std::fprintf(stderr, "idemlab: removed %s\n", line.c_str());
  return run_id;
}

// The application_name the run's PostgreSQL sessions carry, by which the
// lock probe finds them.
std::string session_name(const std::string& run_id) { return "idemlab " + run_id; }

Endpoint run_sessions(Endpoint postgres, const std::string& run_id) {
  postgres.application = session_name(run_id);
  return postgres;
}

}  // namespace

LiveBackends::LiveBackends(RealTimeLoop& loop, const Servers& servers, const models::WorldConfig& config,
                           std::string run_id)
    : loop_(loop),
      infra_(servers.infra.empty() ? std::nullopt : std::optional<InfraControl>(servers.infra)),
      run_id_(after_probing(servers, run_id)),
      lease_(servers.postgres, run_id_, servers.lease_ttl_s * sim::kSecond),
      key_prefix_(redis_prefix_of(run_id_)),
      redis_(servers.redis, config.redis_timeout),
      redis_reader_(servers.redis, 5 * sim::kSecond),
      kv_(loop, redis_worker_, redis_, key_prefix_),
      sql_(loop, run_sessions(servers.postgres, run_id_), schema_of(run_id_), config.postgres_timeout),
      queue_(loop, servers.amqp, queue_prefix_of(run_id_), config.rabbitmq_timeout),
      processor_(loop, run_sessions(servers.postgres, run_id_), processor_schema_of(run_id_), config.processor,
                 config.processor_timeout),
      lock_probe_(servers.postgres) {
  redis_reader_.connect();
  queue_.on_declare([this](const std::string& queue) { lease_.add_queue(queue); });
}

LiveBackends::~LiveBackends() { clean_up(); }

sim::Task<int> LiveBackends::sessions_waiting_on_locks() {
  std::function<int()> ask = [this] {
    lock_probe_.connect();
    const SqlText count{
        "SELECT count(*) AS waiting FROM pg_stat_activity "
        "WHERE application_name = $1 AND cardinality(pg_blocking_pids(pid)) > 0",
        {ports::Value(session_name(run_id_))}};
    static const ports::TableSchema kCount{"waiting", {{"waiting", ports::ColumnType::kBigint}}, {}, {}};
    const PgConnection::Outcome o = lock_probe_.exec(count, &kCount);
    if (o.status != ports::Status::kOk || o.rows.empty()) return 0;
    return static_cast<int>(std::get<std::int64_t>(o.rows.front().at("waiting")));
  };
  co_return co_await offload(loop_, lock_probe_worker_, std::move(ask));
}

void LiveBackends::clean_up() {
  bool all_removed = true;
  auto attempt = [&all_removed](const char* what, const std::function<void()>& step) {
    try {
      step();
    } catch (const std::exception& e) {
      all_removed = false;
      std::fprintf(stderr, "idemlab: warning: clean-up of %s failed: %s\n", what, e.what());
    }
  };
  attempt("the Redis keys", [this] { delete_keys_with_prefix(redis_reader_, key_prefix_); });
  attempt("the PostgreSQL schema", [this] { sql_.drop_everything(); });
  attempt("the processor's ledger", [this] { processor_.drop_everything(); });
  attempt("the RabbitMQ queues", [this] { queue_.delete_everything(); });
  if (redis_disturbed_) {
    attempt("Redis's replication", [this] {
      infra_->set_redis_lag(0);
      infra_->heal_redis();
    });
  }
  // Everything the run made is gone: the lease goes too. Had a step failed,
  // the lease lapses instead, and the next run (or `idemlab clean --real`)
  // removes what is left.
  if (all_removed) lease_.release();
}

void LiveBackends::refuse_if_foreign(const std::string& server) {
  std::optional<std::string> found;
  std::string where;
  if (server == "redis") {
    found = foreign_redis_data(redis_reader_.endpoint());
    where = "Redis at " + redis_reader_.endpoint().redacted();
  } else if (server == "postgres") {
    found = foreign_postgres_data(lock_probe_.endpoint());
    where = "PostgreSQL at " + lock_probe_.endpoint().redacted();
  } else {
    assert(server == "rabbitmq");
    found = foreign_queue(infra_->queues());
    where = "RabbitMQ (" + infra_->script() + " queues)";
  }
  if (found) {
    throw ForeignData(where + " holds data idemlab did not create (" + *found +
                      "): real mode restarts, fails over or empties only servers that hold nothing else");
  }
}

void LiveBackends::reconnect_redis(const Endpoint& endpoint) {
  RedisConnection& connection = redis_;
  redis_worker_.run_and_wait([&connection, endpoint] { connection.reconnect_to(endpoint); });
  redis_reader_.reconnect_to(endpoint);
}

void LiveBackends::restart_redis(bool empty) {
  refuse_if_foreign("redis");
  loop_.stand_still([&] {
    infra_->restart_redis(empty);
    reconnect_redis(redis_reader_.endpoint());
  });
}

void LiveBackends::stop_redis() {
  refuse_if_foreign("redis");
  loop_.stand_still([&] {
    infra_->stop_redis();
    reconnect_redis(redis_reader_.endpoint());
  });
}

void LiveBackends::start_redis() {
  loop_.stand_still([&] { infra_->start_redis(); });
}

void LiveBackends::set_redis_lag(sim::Duration lag) {
  infra_->set_redis_lag(lag / sim::kMillisecond);
  redis_disturbed_ = true;
}

void LiveBackends::failover_redis() {
  refuse_if_foreign("redis");
  redis_disturbed_ = true;
  loop_.stand_still([&] {
    Endpoint promoted = infra_->failover_redis();
    // The same database and credentials, on the promoted replica.
    const Endpoint& old = redis_reader_.endpoint();
    promoted.user = old.user;
    promoted.password = old.password;
    promoted.path = old.path;
    reconnect_redis(promoted);
  });
}

void LiveBackends::restart_postgres() {
  refuse_if_foreign("postgres");
  loop_.stand_still([&] {
    lease_.across_restart([&] { infra_->restart_postgres(); });
    sql_.server_restarted();
    processor_.forget_connections();
  });
}

void LiveBackends::restart_broker() {
  refuse_if_foreign("rabbitmq");
  // The queue port finds its connections closed and opens new ones; the
  // consumers' channels report kClosed, as the model's do.
  loop_.stand_still([&] { infra_->restart_broker(); });
}

std::unique_ptr<checks::GroundTruth> LiveBackends::truth(const models::clients::History& history,
                                                       const models::PortHistory& port_history, sim::Time now) {
  return std::make_unique<Truth>(*this, history, port_history, now);
}

}  // namespace idemlab::realmode
