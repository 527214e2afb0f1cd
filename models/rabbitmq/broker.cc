#include "models/rabbitmq/broker.h"

#include "sim/state_writer.h"
#include <algorithm>
#include <cassert>

namespace idemlab::models::rabbitmq {

using ports::Result;
using ports::Status;
using ports::Unit;

void ConsumerMailbox::wake_reader(sim::Simulator& sim) {
  if (reader == nullptr) return;
  sim.cancel(reader_timer);
  reader_timer = {};
  sim::Waiter* waiting = std::exchange(reader, nullptr);
  sim.wake_at(*waiting, sim.now());
}

Broker::Broker(sim::Simulator& sim, sim::Network& net, std::string name, BrokerConfig config)
    : sim_(sim), net_(net), config_(std::move(config)), node_(sim, std::move(name)) {
  node_.start();
}

Broker::~Broker() {
  if (node_.up()) node_.crash();
  for (auto& [name, queue] : queues_) {
    for (auto& [key, unacked] : queue.unacked) sim_.cancel(unacked.timeout);
  }
}

void Broker::trace(const std::string& kind, const std::string& detail) {
  if (sim_.trace().enabled()) sim_.record(node_.name(), kind, detail);
}

sim::Duration Broker::latency_to(const sim::Node& client) {
  return net_.config(node_, client).latency.sample(sim_.tape());
}

sim::Task<Result<Unit>> Broker::declare(std::string queue, ports::QueueOptions options) {
  co_await sim_.sleep(method_time());
  if (!queues_.count(queue)) {
    trace("queue.declare", queue + (options.durable ? " durable" : " transient"));
    queues_.emplace(queue, QueueState{std::move(options), {}, {}});
  }
  co_return Result<Unit>::ok({});
}

sim::Task<Result<Unit>> Broker::publish(std::string queue, ports::Message message) {
  co_await sim_.sleep(method_time());
  auto it = queues_.find(queue);
  if (it == queues_.end()) {
    // The default exchange routes by queue name; without the mandatory flag
    // an unroutable message is confirmed and dropped ("for unroutable
    // messages, the broker will issue a confirm once the exchange verifies a
    // message won't route to any queue", rabbitmq.com/docs/confirms).
    ++dropped_;
    trace("drop", message.id + " (unroutable: no queue '" + queue + "')");
    co_return Result<Unit>::ok({});
  }
  QueueState& state = it->second;
  if (state.ready.size() + state.unacked.size() >= config_.queue_length_max) {
    trace("basic.nack", message.id + ": queue " + queue + " full");
    co_return Result<Unit>::failure(Status::kError, "message rejected: queue '" + queue + "' is full");
  }
  const bool on_disk = message.persistent && state.options.durable;
  Stored stored;
  stored.durable_at = on_disk ? sim_.now() + config_.fsync_delay : sim::kTimeNever;
  stored.message = std::move(message);
  trace("basic.publish", stored.message.id + " -> " + queue);
  state.ready.push_back(std::move(stored));
  // Messages enter only here (requeues, dead letters and recovery move
  // them): the only place the count can reach a new high.
  std::uint64_t held = 0;
  for (const auto& [name, q] : queues_) held += q.ready.size() + q.unacked.size();
  messages_peak_ = std::max(messages_peak_, held);
  dispatch(queue);
  // The confirm of a persistent message waits for the disk; a crash before
  // then loses both the message and the confirm.
  if (on_disk) co_await sim_.sleep(config_.fsync_delay);
  co_return Result<Unit>::ok({});
}

sim::Task<Result<ConsumerId>> Broker::subscribe(std::string queue, std::int64_t prefetch, sim::Node* client,
                                                std::shared_ptr<ConsumerMailbox> mailbox) {
  co_await sim_.sleep(method_time());
  if (!queues_.count(queue)) {
    co_return Result<ConsumerId>::failure(Status::kError, "NOT_FOUND - no queue '" + queue + "'");
  }
  if (!mailbox->client_open) co_return Result<ConsumerId>::failure(Status::kClosed, "channel closed");
  const ConsumerId id = next_consumer_++;
  mailbox->id = id;
  consumers_.emplace(id, ConsumerState{queue, prefetch, 0, 0, client, std::move(mailbox)});
  trace("basic.consume", "consumer " + std::to_string(id) + " on " + queue + " prefetch " + std::to_string(prefetch));
  dispatch(queue);
  co_return Result<ConsumerId>::ok(id);
}

void Broker::dispatch(const std::string& queue_name) {
  QueueState& queue = queues_.at(queue_name);
  while (!queue.ready.empty()) {
    // Round robin over the queue's consumers that have prefetch room.
    auto has_room = [&](const ConsumerState& c) {
      return c.queue == queue_name && (c.prefetch == 0 || c.in_flight < c.prefetch);
    };
    ConsumerId chosen = 0;
    for (auto it = consumers_.upper_bound(last_served_); it != consumers_.end() && chosen == 0; ++it) {
      if (has_room(it->second)) chosen = it->first;
    }
    for (auto it = consumers_.begin(); it != consumers_.end() && it->first <= last_served_ && chosen == 0; ++it) {
      if (has_room(it->second)) chosen = it->first;
    }
    if (chosen == 0) return;
    last_served_ = chosen;
    ConsumerState& consumer = consumers_.at(chosen);
    Stored stored = std::move(queue.ready.front());
    queue.ready.pop_front();
    ++stored.delivery_count;
    ++consumer.in_flight;
    const std::uint64_t tag = ++consumer.next_tag;

    ports::Delivery delivery{tag, stored.message, stored.redelivered, stored.delivery_count};
    const std::uint64_t timer = next_transfer_++;
    timeouts_.emplace(timer, std::make_pair(chosen, tag));
    Unacked unacked{std::move(stored), chosen, {}};
    unacked.timeout = sim_.schedule(sim_.now() + config_.consumer_timeout, &Broker::consumer_timed_out, this, timer);
    queue.unacked.emplace(std::make_pair(chosen, tag), std::move(unacked));

    trace("basic.deliver", delivery.message.id + " to consumer " + std::to_string(chosen) + " tag " +
                               std::to_string(tag) + (delivery.redelivered ? " (redelivered)" : ""));
    const std::uint64_t transfer = next_transfer_++;
    in_flight_.emplace(transfer, InFlight{chosen, std::move(delivery)});
    sim_.schedule(sim_.now() + latency_to(*consumer.client), &Broker::arrive, this, transfer);
  }
}

void Broker::arrive(void* context, std::uint64_t transfer) {
  auto* self = static_cast<Broker*>(context);
  auto it = self->in_flight_.find(transfer);
  if (it == self->in_flight_.end()) return;  // the broker restarted meanwhile
  InFlight in_flight = std::move(it->second);
  self->in_flight_.erase(it);
  auto consumer = self->consumers_.find(in_flight.consumer);
  if (consumer == self->consumers_.end()) return;  // closed: the delivery was requeued
  ConsumerMailbox& mailbox = *consumer->second.mailbox;
  if (!mailbox.client_open) return;  // the close is on its way and will requeue it
  mailbox.buffer.push_back(std::move(in_flight.delivery));
  mailbox.wake_reader(self->sim_);
}

void Broker::send_ack(ConsumerId consumer, std::uint64_t tag) {
  auto it = consumers_.find(consumer);
  if (it == consumers_.end()) return;
  schedule_op(ChannelOp{ChannelOp::Kind::kAck, consumer, tag}, latency_to(*it->second.client));
}

void Broker::send_nack(ConsumerId consumer, std::uint64_t tag, bool requeue) {
  auto it = consumers_.find(consumer);
  if (it == consumers_.end()) return;
  const auto kind = requeue ? ChannelOp::Kind::kNackRequeue : ChannelOp::Kind::kNackDrop;
  schedule_op(ChannelOp{kind, consumer, tag}, latency_to(*it->second.client));
}

void Broker::send_channel_close(ConsumerId consumer, sim::Node& client) {
  schedule_op(ChannelOp{ChannelOp::Kind::kClose, consumer, 0}, latency_to(client));
}

void Broker::schedule_op(ChannelOp op, sim::Duration after) {
  const std::uint64_t id = next_op_++;
  ops_.emplace(id, op);
  sim_.schedule(sim_.now() + after, &Broker::run_op, this, id);
}

void Broker::run_op(void* context, std::uint64_t id) {
  auto* self = static_cast<Broker*>(context);
  auto it = self->ops_.find(id);
  if (it == self->ops_.end()) return;  // the broker restarted meanwhile
  const ChannelOp op = it->second;
  self->ops_.erase(it);
  if (op.kind == ChannelOp::Kind::kClose) {
    self->close_consumer(op.consumer, false, "channel closed by the client");
    return;
  }
  auto consumer = self->consumers_.find(op.consumer);
  if (consumer == self->consumers_.end()) return;  // closed: its deliveries were requeued already
  const std::string queue_name = consumer->second.queue;
  QueueState& queue = self->queues_.at(queue_name);
  auto unacked = queue.unacked.find(std::make_pair(op.consumer, op.tag));
  if (unacked == queue.unacked.end()) return;  // unknown tag: nothing to do
  Stored stored = std::move(unacked->second.stored);
  self->sim_.cancel(unacked->second.timeout);
  queue.unacked.erase(unacked);
  --consumer->second.in_flight;
  switch (op.kind) {
    case ChannelOp::Kind::kAck: self->trace("basic.ack", stored.message.id); break;
    case ChannelOp::Kind::kNackRequeue: self->requeue(queue, std::move(stored), "nack"); break;
    case ChannelOp::Kind::kNackDrop: self->dead_letter(std::move(stored), queue.options, queue_name); break;
    case ChannelOp::Kind::kClose: break;
  }
  self->dispatch(queue_name);
}

void Broker::requeue(QueueState& queue, Stored stored, const std::string& why) {
  stored.redelivered = true;
  // A quorum queue drops or dead-letters a message returned more times than
  // its limit: with a limit of 3 it is delivered up to 4 times (measured on
  // RabbitMQ 3.10 by the live contract test).
  if (queue.options.delivery_limit > 0 && stored.delivery_count > queue.options.delivery_limit) {
    trace("delivery-limit", stored.message.id + " delivered " + std::to_string(stored.delivery_count) + " times");
    dead_letter(std::move(stored), queue.options, "delivery limit");
    return;
  }
  trace("requeue", stored.message.id + " (" + why + ")");
  queue.ready.push_front(std::move(stored));
}

void Broker::dead_letter(Stored stored, const ports::QueueOptions& options, const std::string& from) {
  auto target = options.dead_letter_queue.empty() ? queues_.end() : queues_.find(options.dead_letter_queue);
  if (target == queues_.end()) {
    ++dropped_;
    trace("drop", stored.message.id + " (" + from + ")");
    return;
  }
  ++dead_lettered_;
  trace("dead-letter", stored.message.id + " -> " + options.dead_letter_queue);
  stored.message.headers["x-first-death-reason"] = from;
  stored.redelivered = false;
  stored.delivery_count = 0;
  target->second.ready.push_back(std::move(stored));
  dispatch(options.dead_letter_queue);
}

void Broker::close_consumer(ConsumerId id, bool notify_client, const std::string& why) {
  auto consumer = consumers_.find(id);
  if (consumer == consumers_.end()) return;
  const std::string queue_name = consumer->second.queue;
  std::shared_ptr<ConsumerMailbox> mailbox = consumer->second.mailbox;
  consumers_.erase(consumer);
  QueueState& queue = queues_.at(queue_name);
  // Requeue the consumer's unacked deliveries, latest first, so that they
  // end up at the head in their original order.
  auto first = queue.unacked.lower_bound(std::make_pair(id, std::uint64_t{0}));
  auto last = queue.unacked.lower_bound(std::make_pair(id + 1, std::uint64_t{0}));
  std::vector<Stored> returned;
  for (auto it = first; it != last; ++it) {
    sim_.cancel(it->second.timeout);
    returned.push_back(std::move(it->second.stored));
  }
  queue.unacked.erase(first, last);
  trace("channel.close", "consumer " + std::to_string(id) + ": " + why + "; " + std::to_string(returned.size()) +
                             " unacked requeued");
  for (auto it = returned.rbegin(); it != returned.rend(); ++it) requeue(queue, std::move(*it), why);
  if (notify_client) {
    mailbox->closed_by_broker = true;
    mailbox->wake_reader(sim_);
  }
  dispatch(queue_name);
}

void Broker::consumer_timed_out(void* context, std::uint64_t timer) {
  auto* self = static_cast<Broker*>(context);
  auto it = self->timeouts_.find(timer);
  if (it == self->timeouts_.end()) return;
  const auto [consumer, tag] = it->second;
  self->timeouts_.erase(it);
  self->close_consumer(consumer, true, "consumer timeout: delivery " + std::to_string(tag) + " not acknowledged");
}

void Broker::crash() {
  if (node_.up()) node_.crash();  // publishes in progress die unconfirmed
  const sim::Time now = sim_.now();
  for (auto& [id, consumer] : consumers_) {
    consumer.mailbox->closed_by_broker = true;
    consumer.mailbox->wake_reader(sim_);
  }
  consumers_.clear();
  in_flight_.clear();
  ops_.clear();
  timeouts_.clear();
  std::size_t lost = 0;
  for (auto it = queues_.begin(); it != queues_.end();) {
    QueueState& queue = it->second;
    std::deque<Stored> kept;
    for (auto& [key, unacked] : queue.unacked) {
      sim_.cancel(unacked.timeout);
      unacked.stored.redelivered = true;
      kept.push_back(std::move(unacked.stored));
    }
    queue.unacked.clear();
    for (auto& stored : queue.ready) kept.push_back(std::move(stored));
    queue.ready.clear();
    if (!queue.options.durable) {
      lost += kept.size();
      it = queues_.erase(it);
      continue;
    }
    for (auto& stored : kept) {
      if (stored.durable_at <= now) {
        queue.ready.push_back(std::move(stored));
      } else {
        ++lost;  // transient, or not yet on disk
      }
    }
    ++it;
  }
  trace("recover", std::to_string(lost) + " messages lost (transient, or not yet on disk)");
}

void Broker::start() {
  assert(!node_.up());
  node_.start();
}

std::size_t Broker::ready_count(const std::string& queue) const { return queues_.at(queue).ready.size(); }
std::size_t Broker::unacked_count(const std::string& queue) const { return queues_.at(queue).unacked.size(); }

std::vector<ports::Message> Broker::held_messages(const std::string& queue_name) const {
  const QueueState& queue = queues_.at(queue_name);
  std::vector<ports::Message> out;
  for (const Stored& stored : queue.ready) out.push_back(stored.message);
  for (const auto& [key, unacked] : queue.unacked) out.push_back(unacked.stored.message);
  return out;
}

namespace {

void write_message(sim::StateWriter& out, const ports::Message& m) {
  out.str(m.id);
  out.u64(m.headers.size());
  for (const auto& [name, value] : m.headers) {
    out.str(name);
    out.str(value);
  }
  out.str(m.body);
  out.flag(m.persistent);
}

void write_delivery(sim::StateWriter& out, const ports::Delivery& d) {
  out.u64(d.tag);
  write_message(out, d.message);
  out.flag(d.redelivered);
  out.i64(d.delivery_count);
}

}  // namespace

void Broker::write_state(sim::StateWriter& out) const {
  out.tag("rabbitmq");
  node_.write_state(out);
  const auto write_stored = [&out](const Stored& s) {
    write_message(out, s.message);
    out.i64(s.delivery_count);
    out.flag(s.redelivered);
    out.i64(s.durable_at);
  };
  out.u64(queues_.size());
  for (const auto& [name, q] : queues_) {
    out.str(name);
    out.flag(q.options.durable);
    out.i64(q.options.delivery_limit);
    out.str(q.options.dead_letter_queue);
    out.u64(q.ready.size());
    for (const Stored& s : q.ready) write_stored(s);
    out.u64(q.unacked.size());
    for (const auto& [key, u] : q.unacked) {
      out.u64(key.first);
      out.u64(key.second);
      write_stored(u.stored);
      out.flag(static_cast<bool>(u.timeout));
    }
  }
  out.u64(consumers_.size());
  for (const auto& [id, c] : consumers_) {
    out.u64(id);
    out.str(c.queue);
    out.i64(c.prefetch);
    out.i64(c.in_flight);
    out.u64(c.next_tag);
    out.str(c.client != nullptr ? c.client->name() : "");
    const ConsumerMailbox& m = *c.mailbox;
    out.u64(m.id);
    out.flag(m.client_open);
    out.flag(m.closed_by_broker);
    out.u64(m.buffer.size());
    for (const ports::Delivery& d : m.buffer) write_delivery(out, d);
    out.flag(m.reader != nullptr);
  }
  out.u64(next_consumer_);
  out.u64(last_served_);
  for (const auto& [id, op] : ops_) {
    out.u64(id);
    out.u64(static_cast<std::uint64_t>(op.kind));
    out.u64(op.consumer);
    out.u64(op.tag);
  }
  out.u64(next_op_);
  for (const auto& [id, f] : in_flight_) {
    out.u64(id);
    out.u64(f.consumer);
    write_delivery(out, f.delivery);
  }
  for (const auto& [timer, target] : timeouts_) {
    out.u64(timer);
    out.u64(target.first);
    out.u64(target.second);
  }
  out.u64(next_transfer_);
  out.u64(dead_lettered_);
  out.u64(dropped_);
  out.u64(messages_peak_);
  load_->write_state(out);
}

}  // namespace idemlab::models::rabbitmq
