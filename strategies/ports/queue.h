// Queue port: the RabbitMQ the strategies use. Publishing waits for the
// publisher confirm; a consumer receives deliveries (at most `prefetch`
// unacknowledged at once) and acks or nacks each.
//
// A publish that times out may or may not have been enqueued (the confirm
// was lost): republishing then creates a duplicate, which is why consumers
// deduplicate by message id. Closing or losing a consumer's channel requeues
// its unacknowledged deliveries, which come back with `redelivered` set,
// possibly to another consumer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sim/task.h"
#include "sim/time.h"
#include "strategies/ports/result.h"

namespace idemlab::ports {

struct Message {
  std::string id;  // the AMQP message-id property
  std::map<std::string, std::string> headers;
  std::string body;
  bool persistent = true;  // delivery mode 2
};

struct QueueOptions {
  bool durable = true;
  // Returns after which a message is dead-lettered (or dropped, with no
  // dead-letter queue) instead of requeued: a message returned more than
  // `delivery_limit` times, so delivered up to delivery_limit + 1 times.
  // 0: no limit. A quorum queue's x-delivery-limit; needs `durable`.
  std::int64_t delivery_limit = 0;
  std::string dead_letter_queue;  // empty: none
};

struct Delivery {
  std::uint64_t tag = 0;  // delivery tag, for ack and nack
  Message message;
  bool redelivered = false;
  std::int64_t delivery_count = 1;  // this one included
};

class Consumer {
 public:
  // Destroying a consumer closes its channel: its unacked deliveries return
  // to the queue.
  virtual ~Consumer() = default;
  // The next delivery; kTimeout when none arrives within `wait`, kClosed
  // when the channel was closed by the broker (consumer timeout, restart).
  virtual sim::Task<Result<Delivery>> next(sim::Duration wait) = 0;
  virtual sim::Task<Result<Unit>> ack(std::uint64_t tag) = 0;
  virtual sim::Task<Result<Unit>> nack(std::uint64_t tag, bool requeue) = 0;
};

class Queue {
 public:
  virtual ~Queue() = default;
  virtual sim::Task<Result<Unit>> declare(std::string queue, QueueOptions options) = 0;
  // Returns once the broker confirmed the message; kTimeout: the confirm
  // did not come (the message may be in the queue).
  virtual sim::Task<Result<Unit>> publish(std::string queue, Message message) = 0;
  virtual sim::Task<Result<std::unique_ptr<Consumer>>> consume(std::string queue, std::int64_t prefetch) = 0;
};

}  // namespace idemlab::ports
