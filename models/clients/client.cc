#include "models/clients/client.h"

#include "sim/state_writer.h"
#include "models/observe.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "sim/hash.h"
#include "sim/latency.h"

namespace idemlab::models::clients {

Client::Client(sim::Simulator& sim, sim::Network& net, std::string name, ClientConfig config,
               service::ServiceNode& service, History& history)
    : sim_(sim), net_(net), config_(std::move(config)), service_(service), history_(history),
      budget_(config_.retry), breaker_(config_.breaker), history_index_(history.add_client(name)), node_(sim, std::move(name)) {}

void Client::start() {
  node_.start();
  node_.spawn(workload(), "workload");
}

void Client::record(std::uint32_t intent, std::uint8_t sender, int attempt, HistoryEvent::Kind kind,
                    const api::Response* response) {
  HistoryEvent event;
  event.at = sim_.now();
  event.intent = intent;
  event.sender = sender;
  event.attempt = static_cast<std::uint16_t>(attempt);
  event.kind = kind;
  if (response != nullptr) {
    event.status = static_cast<std::int16_t>(response->status);
    event.replayed = response->replayed;
  }
  if (sim_.trace().enabled()) {
    sim_.record(node_.name(), history_kind_name(kind),
                history_.intent_id(history_.intents()[intent]) + " attempt " + std::to_string(attempt) +
                    (response != nullptr ? " -> " + std::to_string(response->status) : std::string()) +
                    (event.replayed ? " (replayed)" : ""));
  }
  if (response != nullptr) {
    history_.add_answer(event, response->body);
  } else {
    history_.add(event);
  }
}

std::optional<Outcome> Client::outcome_of(const sim::CallResult<api::Response>& r) {
  switch (r.status) {
    case sim::CallStatus::kTimeout: return Outcome::kTimeout;
    case sim::CallStatus::kRefused: return Outcome::kConnectionError;  // like a 503: nothing happened
    case sim::CallStatus::kOk: break;
  }
  const int status = r.value->status;
  if (status >= 500) return Outcome::k5xx;
  if (status == 409) return Outcome::k409;
  if (status == 429) return Outcome::k429;
  return std::nullopt;
}

bool Client::retries(Outcome outcome) const {
  const RetryPolicy& p = config_.retry;
  switch (outcome) {
    case Outcome::kTimeout: return p.retry_timeout;
    case Outcome::kConnectionError: return p.retry_connection_error;
    case Outcome::k5xx: return p.retry_5xx;
    case Outcome::k409: return p.retry_409;
    case Outcome::k429: return p.retry_429;
  }
  return false;
}

sim::Task<void> Client::pay(std::uint32_t intent, std::uint8_t sender, sim::Duration delay, bool reserialised) {
  if (delay > 0) co_await sim_.sleep(delay);
  int attempt = 1;
  const bool gave_up = co_await attempts(intent, sender, reserialised, attempt);
  if (!gave_up || config_.resend_after == 0) co_return;
  // Later, the user tries again: the same request, a new series of attempts.
  co_await sim_.sleep(config_.resend_after);
  co_await attempts(intent, sender, reserialised, attempt);
}

sim::Task<sim::CallResult<api::Response>> Client::send_attempt(std::uint32_t intent, std::uint8_t sender, int attempt,
                                                               const std::string& what, const api::Request& request) {
  ++attempts_;
  record(intent, sender, attempt, HistoryEvent::Kind::kInvoke, nullptr);
  // Shared, not copied: the network copies the handler per delivery, and
  // the service takes its own copy of the request when it is delivered.
  std::function<sim::Task<api::Response>()> handler = [this, sent_request = std::make_shared<const api::Request>(request)] {
    return service_.handle(*sent_request);
  };
  // The request's name, which names its handler's process at the service:
  // every attempt of every sender apart, so that a recorded schedule's
  // steps say which attempt made them.
  std::string op = what;
  op += " #";
  op += std::to_string(attempt);
  if (sender != 1) op += " (sender " + std::to_string(sender) + ")";
  sim::CallResult<api::Response> r = co_await net_.call<api::Response>(
      node_, service_.node(), std::move(op), config_.request_timeout, std::move(handler));
  if (sim_.tracks_positions()) {
    sim_.observe(sim::mix_hash(static_cast<std::uint64_t>(r.status), r.ok() ? value_hash(*r.value) : 0));
  }
  co_return r;
}

sim::Task<bool> Client::attempts(std::uint32_t intent, std::uint8_t sender, bool reserialised, int& attempt) {
  api::Request request;
  // Copied out before any co_await: other clients' intents may move the vector.
  const Intent& sent = history_.intents()[intent];
  request.idempotency_key = sent.key_text();
  request.body = history_.request_body(sent, reserialised);
  const std::string retry_body = config_.retries_reorder_body ? history_.request_body(sent, true) : request.body;
  request.origin = history_.intent_id(sent);
  const std::string what = "POST /payments " + history_.intent_id(sent);
  const sim::Time deadline = sim_.now() + config_.give_up_after;
  sim::Duration previous_delay = 0;
  const int attempts_max = config_.retry.backoff == Backoff::kNone ? 1 : config_.retry.attempts_max;
  // Tries of this series: attempts sent, and attempts an open breaker
  // failed at once (sent nowhere, so they take no attempt number).
  for (int tries = 1;; ++tries) {
    std::optional<Outcome> outcome;
    const std::optional<CircuitBreaker::Ticket> ticket = breaker_.permit(sim_.now());
    std::optional<sim::CallResult<api::Response>> answer;
    if (!ticket) {
      // Like a refused connection: nothing was sent.
      if (sim_.trace().enabled()) sim_.record(node_.name(), "short-circuited", what + " (breaker open)");
      outcome = Outcome::kConnectionError;
    } else {
      if (attempt == 2) request.body = retry_body;
      answer = co_await send_attempt(intent, sender, attempt, what, request);
      const sim::CallResult<api::Response>& r = *answer;
      outcome = outcome_of(r);
      breaker_.on_result(*ticket, outcome.has_value() && *outcome != Outcome::k409, sim_.now());
      if (r.ok() && r.value->status < 400) {
        budget_.on_success();
        record(intent, sender, attempt, HistoryEvent::Kind::kOk, &*r.value);
        co_return false;
      }
      const auto kind = r.status == sim::CallStatus::kTimeout ? HistoryEvent::Kind::kUnknown : HistoryEvent::Kind::kFail;
      record(intent, sender, attempt, kind, r.ok() ? &*r.value : nullptr);
      budget_.on_failure();
      ++attempt;
      // A definitive answer (4xx), or a policy that stops here.
      if (!outcome || !retries(*outcome)) co_return false;
    }
    if (!retries(*outcome)) break;
    if (tries >= attempts_max || !budget_.allows_retry()) break;
    sim::Duration delay = backoff_delay(config_.retry, tries, previous_delay, sim_.tape());
    previous_delay = delay;
    if (config_.retry.honour_retry_after && answer && answer->ok() && answer->value->retry_after_s >= 0) {
      delay = std::max(delay, answer->value->retry_after_s * sim::kSecond);
    }
    if (sim_.now() + delay > deadline) break;
    // A client that takes the failure for a lost request sends a new key.
    if (request.idempotency_key && config_.new_key_on_retry.has(*outcome)) {
      request.idempotency_key = uuid_text(draw_uuid(sim_.tape()));
    }
    co_await sim_.sleep(delay);
  }
  record(intent, sender, 0, HistoryEvent::Kind::kGiveUp, nullptr);
  co_return true;
}

std::uint32_t Client::make_intent(std::uint32_t n, Chain& chain) {
  Intent intent;
  intent.client = history_index_;
  intent.number = n;
  if (chain.changed_copy) {
    // The same order, key and amount, but for the one field changed.
    intent.amount = chain.changed_copy->amount + (config_.changed_field == ChangedField::kAmount ? 1 : 0);
    intent.order_back = 1;
    intent.changed = config_.changed_field;
  } else if (chain.bought_again) {
    intent.amount = chain.bought_again->amount;
    intent.order_back = static_cast<std::uint8_t>(std::min<int>(chain.bought_again->order_back + 1, 255));
    chain.bought_again.reset();
  } else {
    intent.amount = sim::uniform(sim_.tape(), config_.amount_min, config_.amount_max + 1, sim::Choice::kWorkload);
  }
  std::optional<Uuid> key;
  if (chain.changed_copy) {
    key = chain.changed_copy->key_uuid();
    chain.changed_copy.reset();
  } else if (chain.reused_key) {
    key = std::exchange(chain.reused_key, std::nullopt);
  } else if (config_.keys == KeyMode::kUuid) {
    key = draw_uuid(sim_.tape());
  }
  // A key or a purchase used again is what the scenario does to the
  // strategy (RunReport::disturbances), as a fault is; a decline is not.
  const auto disturbance = [&](sim::Ratio probability) {
    const bool yes = chance(sim_.tape(), probability, sim::Choice::kWorkload);
    if (yes) sim_.tape().count_disturbance();
    return yes;
  };
  if (key && disturbance(config_.key_reused_with_other_payload)) chain.reused_key = key;
  intent.has_key = key.has_value();
  if (key) intent.key = *key;
  if (disturbance(config_.same_purchase_again)) chain.bought_again = intent;
  // One change of one intent: a changed copy is not changed again.
  if (key && !chain.reused_key && !chain.bought_again && intent.changed == ChangedField::kNone &&
      disturbance(config_.key_reused_with_one_field_changed)) {
    chain.changed_copy = intent;
  }
  return history_.add_intent(std::move(intent));
}

sim::Task<void> Client::send(std::uint32_t index) {
  int senders = config_.copies;
  if (chance(sim_.tape(), config_.double_click, sim::Choice::kWorkload)) senders = std::max(senders, 2);
  // The senders at once (a double click, several tabs), or within the
  // copies' window; wait for all of them. Sender 2 keeps the double
  // click's process name.
  std::vector<sim::ProcessId> others;
  for (int s = 2; s <= senders; ++s) {
    const sim::Duration delay =
        config_.copies_window > 0 ? sim::uniform(sim_.tape(), 0, config_.copies_window + 1, sim::Choice::kWorkload) : 0;
    others.push_back(node_.spawn(pay(index, static_cast<std::uint8_t>(s), delay), s == 2 ? "double-click" : "copy"));
  }
  co_await pay(index, 1);
  for (const sim::ProcessId& other : others) co_await sim_.join(other);
  if (chance(sim_.tape(), config_.webhook_duplicate, sim::Choice::kWorkload)) {
    // Delivered again, at least once: the senders after the copies.
    const int first = std::max(3, senders + 1);
    for (int d = 0; d < config_.webhook_deliveries; ++d) {
      co_await pay(index, static_cast<std::uint8_t>(first + d), 0, config_.webhook_reserialised);
    }
  }
}

sim::Task<void> Client::workload() {
  Chain chain;
  const auto intents = static_cast<std::uint32_t>(config_.intents);
  if (!config_.arrivals.open_loop()) {
    for (std::uint32_t n = 1; n <= intents; ++n) {
      co_await sim_.sleep(sim::LatencyModel::exponential(config_.think_mean).sample(sim_.tape()));
      const std::uint32_t index = make_intent(n, chain);
      co_await send(index);
    }
    finished_ = true;
    co_return;
  }
  // Open loop: each intent is paid by its own process, started at its
  // arrival whatever the earlier ones came to.
  std::vector<sim::ProcessId> paying;
  paying.reserve(intents);
  for (std::uint32_t n = 1; n <= intents; ++n) {
    const std::optional<sim::Time> at = config_.arrivals.next_after(sim_.now(), sim_.tape());
    if (!at) break;  // the rate fell to zero for good: the rest never arrive
    co_await sim_.sleep(*at - sim_.now());
    const std::uint32_t index = make_intent(n, chain);
    paying.push_back(node_.spawn(send(index), "intent"));
  }
  for (const sim::ProcessId& p : paying) co_await sim_.join(p);
  finished_ = true;
}

void Client::write_state(sim::StateWriter& out) const {
  out.tag("client");
  node_.write_state(out);
  out.u64(attempts_);
  out.flag(finished_);
  out.i64(budget_.tokens_milli());
  breaker_.write_state(out);
}

}  // namespace idemlab::models::clients
