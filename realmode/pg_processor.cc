#include "realmode/pg_processor.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <functional>
#include <thread>

#include "sim/tape.h"

namespace idemlab::realmode {
namespace {

using models::processor::ChargeDecision;
using models::processor::kKeyInProgress;
using models::processor::kKeyMismatch;
using ports::Result;
using ports::Status;
using ports::Value;

// g++ 12 warns falsely (-Wrestrict) on "literal" + std::string: texts here
// are built by appending, with the schema put in by table().
class Statements {
 public:
  explicit Statements(const std::string& schema) : schema_(quote_identifier(schema)) {}

  std::string table(const char* name) const {
    std::string out = schema_;
    out += '.';
    out += name;
    return out;
  }
  std::string sql(std::initializer_list<std::string_view> parts) const {
    std::string out;
    for (std::string_view p : parts) out += p;
    return out;
  }
  std::vector<std::string> create() const {
    return {
        sql({"CREATE TABLE IF NOT EXISTS ", table("charges"),
             " (number bigserial PRIMARY KEY, intent text NOT NULL, amount bigint NOT NULL, currency text NOT NULL,"
             " customer text NOT NULL, succeeded boolean NOT NULL, refundable bigint NOT NULL,"
             " at timestamptz NOT NULL DEFAULT clock_timestamp())"}),
        sql({"CREATE TABLE IF NOT EXISTS ", table("refunds"),
             " (number bigserial PRIMARY KEY, charge bigint NOT NULL, intent text NOT NULL, amount bigint NOT NULL,"
             " at timestamptz NOT NULL DEFAULT clock_timestamp())"}),
        sql({"CREATE TABLE IF NOT EXISTS ", table("idempotency_keys"),
             " (key text PRIMARY KEY, fingerprint text NOT NULL, created_at timestamptz NOT NULL,"
             " in_progress boolean NOT NULL, status text, number bigint, succeeded boolean, error text)"}),
        sql({"CREATE TABLE IF NOT EXISTS ", table("refund_misses"),
             " (number bigserial PRIMARY KEY, intent text NOT NULL, key text NOT NULL,"
             " at timestamptz NOT NULL DEFAULT clock_timestamp())"}),
    };
  }
  // Takes the key for a first request: a new key, or one past its retention
  // (forgotten, so the same key runs again). Returns a row if taken.
  std::string claim_key() const {
    return sql({"INSERT INTO ", table("idempotency_keys"),
                " AS k (key, fingerprint, created_at, in_progress) VALUES ($1, $2, clock_timestamp(), true)"
                " ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,"
                " in_progress = true, status = NULL, number = NULL, succeeded = NULL, error = NULL"
                " WHERE NOT k.in_progress AND k.created_at + $3::bigint * interval '1 microsecond' <= clock_timestamp()"
                " RETURNING k.key"});
  }
  std::string key_record() const {
    return sql({"SELECT fingerprint, in_progress::int::bigint AS in_progress, status, number,"
                " coalesce(succeeded, false)::int::bigint AS succeeded, coalesce(error, '') AS error FROM ",
                table("idempotency_keys"), " WHERE key = $1"});
  }
  std::string finish_key() const {
    return sql({"UPDATE ", table("idempotency_keys"),
                " SET in_progress = false, created_at = clock_timestamp(), status = $2, number = $3,"
                " succeeded = $4::bigint <> 0, error = $5 WHERE key = $1"});
  }
  // A claim given back: the first request failed before anything happened.
  std::string release_key() const {
    return sql({"DELETE FROM ", table("idempotency_keys"), " WHERE key = $1 AND in_progress"});
  }
  // A charge under a key: the charge and its key's record in one statement,
  // so one commit (and one round trip) makes both, and no crash falls
  // between them ($1..$5 as insert_charge, $6 the key).
  std::string insert_charge_under_key() const {
    return sql({"WITH charged AS (", insert_charge(), "), finished AS (UPDATE ", table("idempotency_keys"),
                " SET in_progress = false, created_at = clock_timestamp(), status = 'ok',"
                " number = (SELECT number FROM charged), succeeded = $5::bigint <> 0, error = '' WHERE key = $6)"
                " SELECT number FROM charged"});
  }
  std::string insert_charge() const {
    return sql({"INSERT INTO ", table("charges"),
                " (intent, amount, currency, customer, succeeded, refundable)"
                " VALUES ($1, $2::bigint, $3, $4, $5::bigint <> 0, CASE WHEN $5::bigint <> 0 THEN $2::bigint ELSE 0 END)"
                " RETURNING number"});
  }
  // Takes the amount from what the charge has left and records the refund,
  // in one statement; no row when the charge has not that much left.
  std::string refund() const {
    return sql({"WITH taken AS (UPDATE ", table("charges"),
                " SET refundable = refundable - $2::bigint WHERE number = $1 AND succeeded AND $2::bigint > 0"
                " AND refundable >= $2::bigint"
                " RETURNING number, intent) INSERT INTO ", table("refunds"),
                " (charge, intent, amount) SELECT number, intent, $2::bigint FROM taken RETURNING number"});
  }
  // The charge under a downstream key, while the key is retained (or its
  // first request still runs); charge keys are those whose parameters are a
  // charge's.
  std::string charge_under_key() const {
    return sql({"SELECT in_progress::int::bigint AS in_progress, coalesce(number, 0) AS number,"
                " coalesce(succeeded, false)::int::bigint AS succeeded FROM ", table("idempotency_keys"),
                " WHERE key = $1 AND fingerprint LIKE 'charge|%' AND (in_progress OR"
                " created_at + $2::bigint * interval '1 microsecond' > clock_timestamp())"});
  }
  std::string record_refund_miss() const {
    return sql({"INSERT INTO ", table("refund_misses"), " (intent, key) VALUES ($1, $2)"});
  }
  std::string charge_exists() const {
    return sql({"SELECT number FROM ", table("charges"), " WHERE number = $1"});
  }

 private:
  std::string schema_;
};

ports::TableSchema answer(std::initializer_list<std::pair<const char*, ports::ColumnType>> columns) {
  ports::TableSchema t;
  for (const auto& [name, type] : columns) t.columns.push_back({name, type, true});
  return t;
}

const ports::TableSchema kNumber = answer({{"number", ports::ColumnType::kBigint}});
const ports::TableSchema kKeyRecord = answer({{"fingerprint", ports::ColumnType::kText},
                                              {"in_progress", ports::ColumnType::kBigint},
                                              {"status", ports::ColumnType::kText},
                                              {"number", ports::ColumnType::kBigint},
                                              {"succeeded", ports::ColumnType::kBigint},
                                              {"error", ports::ColumnType::kText}});
const ports::TableSchema kTotal = answer({{"total", ports::ColumnType::kBigint}});
const ports::TableSchema kChargeUnderKey = answer({{"in_progress", ports::ColumnType::kBigint},
                                                   {"number", ports::ColumnType::kBigint},
                                                   {"succeeded", ports::ColumnType::kBigint}});

constexpr int kWarmSessions = 4;

std::int64_t integer(const ports::Row& row, const char* column) { return std::get<std::int64_t>(row.at(column)); }
std::string text(const ports::Row& row, const char* column) {
  const Value& v = row.at(column);
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
}

template <class T>
Result<T> failed(const PgConnection::Outcome& o) {
  // The processor's ledger is unreachable or refused us: to the caller, a
  // request whose outcome it cannot know.
  return Result<T>::failure(o.status == Status::kUnavailable ? Status::kUnavailable : Status::kTimeout,
                            "payment processor: " + o.message);
}

// What a retained key answers: kOk with the record to replay, kError on a
// mismatch, kConflict while the first request runs.
struct KeyCheck {
  bool taken = false;  // this request is the key's first (or the first since retention)
  Result<ports::Row> record = Result<ports::Row>::failure(Status::kError);
};

KeyCheck check_key(PgConnection& c, const Statements& s, const std::string& key, const std::string& fingerprint,
                   sim::Duration retention) {
  KeyCheck out;
  const PgConnection::Outcome claim =
      c.exec(SqlText{s.claim_key(), {Value(key), Value(fingerprint), Value(retention / sim::kMicrosecond)}});
  if (claim.status != Status::kOk) {
    out.record = failed<ports::Row>(claim);
    return out;
  }
  if (claim.affected == 1) {
    out.taken = true;
    return out;
  }
  const PgConnection::Outcome found = c.exec(SqlText{s.key_record(), {Value(key)}}, &kKeyRecord);
  if (found.status != Status::kOk || found.rows.empty()) {
    out.record = failed<ports::Row>(found);
    return out;
  }
  const ports::Row& record = found.rows.front();
  if (text(record, "fingerprint") != fingerprint) {
    out.record = Result<ports::Row>::failure(Status::kError, kKeyMismatch);
  } else if (integer(record, "in_progress") != 0) {
    out.record = Result<ports::Row>::failure(Status::kConflict, kKeyInProgress);
  } else {
    out.record = Result<ports::Row>::ok(record);
  }
  return out;
}

void finish_key(PgConnection& c, const Statements& s, const std::string& key, Status status, std::int64_t number,
                bool succeeded, const std::string& error) {
  c.exec(SqlText{s.finish_key(),
                 {Value(key), Value(std::string(ports::status_name(status))), Value(number),
                  Value(std::int64_t{succeeded ? 1 : 0}), Value(error)}});
}

ports::Charge charge_answer(std::int64_t number, bool succeeded, bool replayed) {
  ports::Charge charge;
  charge.charge_id = "ch_" + std::to_string(number);
  charge.succeeded = succeeded;
  if (!succeeded) charge.decline_reason = "card_declined";
  charge.replayed = replayed;
  return charge;
}

// The whole of a charge, on a processor session's thread.
// The processing time, on the worker; false if the processor is being shut
// down meanwhile (the run ended or was interrupted: nobody waits for the
// answer, and its ledger is about to be dropped).
bool process(sim::Duration processing, const std::atomic<bool>& stopping) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(processing);
  while (!stopping.load()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds(0)) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return false;
}

// `decide`: the processing time and the decline of a charge to be
// processed, asked once its key (if any) is claimed.
Result<ports::Charge> run_charge(PgConnection& c, const Statements& s, const ports::ChargeRequest& request,
                                 sim::Duration retention, const std::function<ChargeDecision()>& decide,
                                 const std::atomic<bool>& stopping) {
  if (request.idempotency_key) {
    const KeyCheck key = check_key(c, s, *request.idempotency_key, models::processor::charge_parameters(request), retention);
    if (!key.taken) {
      if (!key.record.is_ok()) return Result<ports::Charge>::failure(key.record.status(), key.record.message());
      const ports::Row& record = key.record.value();
      return Result<ports::Charge>::ok(charge_answer(integer(record, "number"), integer(record, "succeeded") != 0, true));
    }
  }
  const ChargeDecision decision = decide();
  const bool declined = decision.declined;
  if (!process(decision.processing, stopping)) {
    return Result<ports::Charge>::failure(Status::kUnavailable, "the processor stopped");
  }
  if (decision.unavailable) {
    // As the model: nothing charged, the key not kept.
    if (request.idempotency_key) c.exec(SqlText{s.release_key(), {Value(*request.idempotency_key)}});
    return Result<ports::Charge>::failure(Status::kUnavailable, "the payment processor is unavailable");
  }
  std::vector<Value> values{Value(request.intent), Value(request.amount), Value(request.currency),
                            Value(request.customer), Value(std::int64_t{declined ? 0 : 1})};
  if (request.idempotency_key) values.push_back(Value(*request.idempotency_key));
  const PgConnection::Outcome inserted = c.exec(
      SqlText{request.idempotency_key ? s.insert_charge_under_key() : s.insert_charge(), std::move(values)}, &kNumber);
  if (inserted.status != Status::kOk || inserted.rows.empty()) return failed<ports::Charge>(inserted);
  const std::int64_t number = integer(inserted.rows.front(), "number");
  return Result<ports::Charge>::ok(charge_answer(number, !declined, false));
}

Result<ports::ChargeLookup> run_lookup(PgConnection& c, const Statements& s, const std::string& key,
                                      sim::Duration retention) {
  const PgConnection::Outcome found =
      c.exec(SqlText{s.charge_under_key(), {Value(key), Value(retention / sim::kMicrosecond)}}, &kChargeUnderKey);
  if (found.status != Status::kOk) return failed<ports::ChargeLookup>(found);
  ports::ChargeLookup out;
  if (found.rows.empty()) return Result<ports::ChargeLookup>::ok(out);
  const ports::Row& row = found.rows.front();
  if (integer(row, "in_progress") != 0) {
    out.state = ports::ChargeLookup::State::kInProgress;
  } else {
    out.state = integer(row, "succeeded") != 0 ? ports::ChargeLookup::State::kCharged : ports::ChargeLookup::State::kDeclined;
    out.charge_id = "ch_" + std::to_string(integer(row, "number"));
  }
  return Result<ports::ChargeLookup>::ok(out);
}

Result<ports::Refund> run_refund(PgConnection& c, const Statements& s, const ports::RefundRequest& request,
                                 sim::Duration retention, const std::function<sim::Duration()>& decide,
                                 const std::atomic<bool>& stopping) {
  if (request.idempotency_key) {
    const KeyCheck key = check_key(c, s, *request.idempotency_key, models::processor::refund_parameters(request), retention);
    if (!key.taken) {
      if (!key.record.is_ok()) return Result<ports::Refund>::failure(key.record.status(), key.record.message());
      const ports::Row& record = key.record.value();
      if (text(record, "status") != ports::status_name(Status::kOk)) {
        return Result<ports::Refund>::failure(Status::kError, text(record, "error"));
      }
      return Result<ports::Refund>::ok(ports::Refund{"re_" + std::to_string(integer(record, "number")), true});
    }
  }
  if (!process(decide(), stopping)) return Result<ports::Refund>::failure(Status::kUnavailable, "the processor stopped");
  Result<ports::Refund> response = Result<ports::Refund>::failure(Status::kError);
  std::string charge_id = request.charge_id;
  if (request.charge_key) {
    const Result<ports::ChargeLookup> found = run_lookup(c, s, *request.charge_key, retention);
    if (!found.is_ok()) return Result<ports::Refund>::failure(found.status(), found.message());
    charge_id = found.value().state == ports::ChargeLookup::State::kCharged ? found.value().charge_id : std::string();
    if (charge_id.empty()) {
      const PgConnection::Outcome missed =
          c.exec(SqlText{s.record_refund_miss(), {Value(request.intent), Value(*request.charge_key)}});
      if (missed.status != Status::kOk) return failed<ports::Refund>(missed);
      response = Result<ports::Refund>::failure(Status::kError, ports::kNoChargeUnderKey);
      if (request.idempotency_key) finish_key(c, s, *request.idempotency_key, response.status(), 0, false, response.message());
      return response;
    }
  }
  const std::int64_t charge = models::processor::charge_number(charge_id);
  const PgConnection::Outcome refunded = c.exec(SqlText{s.refund(), {Value(charge), Value(request.amount)}}, &kNumber);
  if (refunded.status != Status::kOk) return failed<ports::Refund>(refunded);
  std::int64_t number = 0;
  if (!refunded.rows.empty()) {
    number = integer(refunded.rows.front(), "number");
    response = Result<ports::Refund>::ok(ports::Refund{"re_" + std::to_string(number), false});
  } else if (c.exec(SqlText{s.charge_exists(), {Value(charge)}}, &kNumber).rows.empty()) {
    response = Result<ports::Refund>::failure(Status::kError, "No such charge: " + charge_id);
  } else {
    response = Result<ports::Refund>::failure(Status::kError, "Refund amount exceeds what " + charge_id + " has left");
  }
  if (request.idempotency_key) {
    finish_key(c, s, *request.idempotency_key, response.status(), number, response.is_ok(),
               response.is_ok() ? "" : response.message());
  }
  return response;
}

}  // namespace

RealProcessor::RealProcessor(RealTimeLoop& loop, Endpoint endpoint, std::string schema,
                             models::processor::ProcessorConfig config, sim::Duration timeout)
    : loop_(loop), endpoint_(endpoint), schema_(std::move(schema)), config_(std::move(config)), timeout_(timeout),
      reader_(endpoint) {
  reader_.connect();
  std::vector<std::string> statements = Statements(schema_).create();
  statements.insert(statements.begin(), create_schema(schema_));
  for (const std::string& statement : statements) {
    const PgConnection::Outcome o = reader_.exec(statement);
    if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "the processor's ledger: " + o.message);
  }
  // Connected now, not at the first charge: requests reach the ledger in the
  // order they were sent, not in the order their connections came up.
  for (int i = 0; i < kWarmSessions; ++i) {
    sessions_.push_back(std::make_unique<Session>(endpoint_));
    sessions_.back()->connection.connect();
  }
}

RealProcessor::~RealProcessor() {
  // A charge still in its processing time stops short; then each session's
  // worker finishes its job and joins.
  stopping_.store(true);
}

RealProcessor::Session& RealProcessor::take_session() {
  for (const std::unique_ptr<Session>& s : sessions_) {
    bool idle = false;
    if (s->busy.compare_exchange_strong(idle, true)) return *s;
  }
  sessions_.push_back(std::make_unique<Session>(endpoint_));
  sessions_.back()->busy = true;
  return *sessions_.back();
}

void RealProcessor::begin_episode(std::int64_t slowdown_milli, sim::Ratio errors, sim::Duration length) {
  const sim::Time now = loop_.sim().now();
  std::vector<models::processor::ProcessorEpisode>& episodes = config_.episodes;
  episodes.erase(std::remove_if(episodes.begin(), episodes.end(),
                                [now](const models::processor::ProcessorEpisode& e) { return e.until > now; }),
                 episodes.end());
  episodes.push_back({now, now + length, slowdown_milli, errors});
}

void RealProcessor::follow(std::vector<ChargeDecision> charges, std::vector<sim::Duration> refunds) {
  const std::lock_guard<std::mutex> lock(followed_mutex_);
  charges_followed_ = Followed<ChargeDecision>{std::move(charges), 0};
  refunds_followed_ = Followed<sim::Duration>{std::move(refunds), 0};
}

template <class T>
T RealProcessor::next_decision(Followed<T>& followed, T drawn) {
  const std::lock_guard<std::mutex> lock(followed_mutex_);
  if (followed.next >= followed.decisions.size()) return drawn;
  return followed.decisions[followed.next++];
}

sim::Task<Result<ports::Charge>> RealProcessor::charge(ports::ChargeRequest request) {
  // Drawn here, on the loop's thread, from the run's tape; the simulated
  // run's decision instead when following one.
  ChargeDecision drawn = models::processor::decide_charge(config_, loop_.sim().now(), loop_.sim().tape());
  drawn.declined = chance(loop_.sim().tape(), config_.decline, sim::Choice::kWorkload);
  Session& session = take_session();
  std::function<Result<ports::Charge>()> job = [this, &session, schema = schema_, request = std::move(request),
                                                retention = config_.key_retention, drawn] {
    Result<ports::Charge> r = run_charge(session.connection, Statements(schema), request, retention,
                                         [this, drawn] { return next_decision(charges_followed_, drawn); }, stopping_);
    session.busy = false;
    return r;
  };
  Result<ports::Charge> late = Result<ports::Charge>::failure(Status::kTimeout, "no reply from the payment processor");
  co_return co_await offload_within(loop_, session.worker, timeout_, std::move(late), std::move(job));
}

sim::Task<Result<ports::Refund>> RealProcessor::refund(ports::RefundRequest request) {
  const sim::Duration drawn = config_.processing_time.sample(loop_.sim().tape());
  Session& session = take_session();
  std::function<Result<ports::Refund>()> job = [this, &session, schema = schema_, request = std::move(request),
                                                retention = config_.key_retention, drawn] {
    Result<ports::Refund> r = run_refund(session.connection, Statements(schema), request, retention,
                                         [this, drawn] { return next_decision(refunds_followed_, drawn); }, stopping_);
    session.busy = false;
    return r;
  };
  Result<ports::Refund> late = Result<ports::Refund>::failure(Status::kTimeout, "no reply from the payment processor");
  co_return co_await offload_within(loop_, session.worker, timeout_, std::move(late), std::move(job));
}

sim::Task<Result<ports::ChargeLookup>> RealProcessor::find_charge(std::string idempotency_key) {
  Session& session = take_session();
  std::function<Result<ports::ChargeLookup>()> job = [&session, schema = schema_, key = std::move(idempotency_key),
                                                      retention = config_.key_retention] {
    Result<ports::ChargeLookup> r = run_lookup(session.connection, Statements(schema), key, retention);
    session.busy = false;
    return r;
  };
  Result<ports::ChargeLookup> late =
      Result<ports::ChargeLookup>::failure(Status::kTimeout, "no reply from the payment processor");
  co_return co_await offload_within(loop_, session.worker, timeout_, std::move(late), std::move(job));
}

std::vector<models::processor::RefundMiss> RealProcessor::refund_misses() {
  const Statements s(schema_);
  static const ports::TableSchema kMiss = answer({{"intent", ports::ColumnType::kText}, {"key", ports::ColumnType::kText}});
  const std::string misses = s.sql({"SELECT intent, key FROM ", s.table("refund_misses"), " ORDER BY number"});
  const PgConnection::Outcome o = reader_.exec(SqlText{misses, {}}, &kMiss);
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "the processor's refund record: " + o.message);
  std::vector<models::processor::RefundMiss> out;
  for (const ports::Row& row : o.rows) {
    out.push_back({text(row, "intent"), text(row, "key"), 0});  // the server's clock is not the run's, as in ledger()
  }
  return out;
}

std::int64_t RealProcessor::charges_for(const std::string& intent) {
  const Statements s(schema_);
  const std::string count = s.sql({"SELECT count(*) AS total FROM ", s.table("charges"), " WHERE intent = $1 AND succeeded"});
  const PgConnection::Outcome o = reader_.exec(SqlText{count, {Value(intent)}}, &kTotal);
  if (o.status != Status::kOk || o.rows.empty()) throw Unreachable("PostgreSQL", endpoint_, "the processor's ledger: " + o.message);
  return integer(o.rows.front(), "total");
}

std::vector<models::processor::LedgerEntry> RealProcessor::ledger() {
  using models::processor::LedgerEntry;
  const Statements s(schema_);
  // Charges and refunds in one order: by the time they were written.
  const std::string select =
      s.sql({"SELECT kind, number, charge, amount, intent FROM (SELECT 0::bigint AS kind, number, 0::bigint AS charge, "
             "amount, intent, at FROM ", s.table("charges"), " WHERE succeeded UNION ALL SELECT 1::bigint, number, charge, amount, "
             "intent, at FROM ", s.table("refunds"), ") AS moves ORDER BY at, kind, number"});
  const ports::TableSchema columns = answer({{"kind", ports::ColumnType::kBigint},
                                             {"number", ports::ColumnType::kBigint},
                                             {"charge", ports::ColumnType::kBigint},
                                             {"amount", ports::ColumnType::kBigint},
                                             {"intent", ports::ColumnType::kText}});
  const PgConnection::Outcome o = reader_.exec(SqlText{select, {}}, &columns);
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "the processor's ledger: " + o.message);
  std::vector<LedgerEntry> out;
  for (const ports::Row& row : o.rows) {
    LedgerEntry e;
    e.kind = integer(row, "kind") == 0 ? LedgerEntry::Kind::kCharge : LedgerEntry::Kind::kRefund;
    e.number = static_cast<std::uint32_t>(integer(row, "number"));
    e.charge = static_cast<std::uint32_t>(integer(row, "charge"));
    e.amount = integer(row, "amount");
    e.intent = text(row, "intent");
    out.push_back(std::move(e));
  }
  return out;
}

std::map<std::string, std::int64_t> RealProcessor::declines() {
  const Statements s(schema_);
  const ports::TableSchema columns = answer({{"intent", ports::ColumnType::kText}, {"total", ports::ColumnType::kBigint}});
  const PgConnection::Outcome o = reader_.exec(
      SqlText{s.sql({"SELECT intent, count(*) AS total FROM ", s.table("charges"), " WHERE NOT succeeded GROUP BY intent"}), {}},
      &columns);
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "the processor's ledger: " + o.message);
  std::map<std::string, std::int64_t> out;
  for (const ports::Row& row : o.rows) out[text(row, "intent")] = integer(row, "total");
  return out;
}

void RealProcessor::forget_connections() {
  for (const std::unique_ptr<Session>& session : sessions_) {
    PgConnection& connection = session->connection;
    session->worker.run_and_wait([&connection] { connection.forget(); });
  }
  reader_.forget();
}

void RealProcessor::drop_everything() {
  // A connection of its own: the reader's may have died with a server
  // restart since it last ran (libpq only notices when a statement fails).
  PgConnection connection(endpoint_);
  connection.connect();
  const PgConnection::Outcome o = connection.exec(drop_schema(schema_));
  if (o.status != Status::kOk) throw Unreachable("PostgreSQL", endpoint_, "DROP SCHEMA " + schema_ + ": " + o.message);
}

}  // namespace idemlab::realmode
