// The Queue port over a live RabbitMQ (rabbitmq-c, blocking, each connection
// on its own worker thread). Publishing goes through one connection in
// confirm mode and waits for the broker's basic.ack; each consumer has a
// connection of its own, so that closing it (or severing it, in a crash)
// makes the broker requeue exactly that consumer's unacked deliveries.
//
// Every queue real mode declares is named "<prefix><name>", the prefix
// carrying the run's id, and clean-up deletes exactly the queues it declared.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "realmode/endpoint.h"
#include "realmode/real_time_loop.h"
#include "strategies/ports/queue.h"

struct amqp_connection_state_t_;

namespace idemlab::realmode {

// One AMQP connection with one channel. Not thread-safe: used from one worker
// thread, except sever(), which any thread may call. A connection the broker
// closed is noticed before the next use: ack and nack say kClosed (the
// channel's deliveries were requeued); anything else connects again, as a
// client library's automatic recovery does.
class AmqpConnection {
 public:
  struct Outcome {
    ports::Status status = ports::Status::kOk;
    std::string message;
  };
  struct Received {
    Outcome outcome;
    ports::Delivery delivery;
  };

  // `timeout`: how long a publish waits for its confirm, and a synchronous
  // method for its reply.
  AmqpConnection(Endpoint endpoint, sim::Duration timeout);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // Connects, logs in, opens the channel (in confirm mode if `confirms`);
  // nothing if it is open and the broker has not closed it (a broker that
  // restarted has: it is opened again). Throws Unreachable.
  void connect(bool confirms);

  Outcome declare(const std::string& queue, const ports::QueueOptions& options);
  Outcome remove(const std::string& queue);
  // Messages ready for delivery (not those delivered and unacked); nullopt
  // if the queue does not exist or the broker did not answer, which
  // `answered` (if given) tells apart.
  std::optional<std::int64_t> ready_count(const std::string& queue, bool* answered = nullptr);
  // kTimeout: the confirm did not come within the timeout (the message may
  // be in the queue); a nack from the broker is kError.
  Outcome publish(const std::string& queue, const ports::Message& message);
  Outcome subscribe(const std::string& queue, std::int64_t prefetch);
  // The next delivery of the subscription; kTimeout when none came within
  // `wait`; kClosed when the broker closed the channel or connection.
  Received next(sim::Duration wait);
  Outcome ack(std::uint64_t tag);
  Outcome nack(std::uint64_t tag, bool requeue);

  // Closes politely (channel.close, connection.close).
  void close();
  // Shuts the socket down without a word, as a crashed process's socket is:
  // a blocked call returns at once, and the broker sees the peer vanish.
  void sever();
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  // The broker closed the socket (it stopped or restarted): reading it
  // would give what is left and then the end.
  bool peer_closed();
  // Drops the connection; kClosed.
  Outcome closed();
  Outcome library_failure(int status, bool sent);
  Outcome check_rpc(const char* what);
  void drop();

  Endpoint endpoint_;
  sim::Duration timeout_;
  amqp_connection_state_t_* state_ = nullptr;
  std::mutex fd_mutex_;  // sever() against drop() closing the socket
  int socket_fd_ = -1;
  bool confirms_ = false;
  std::uint64_t published_ = 0;  // publish sequence number on the channel
};

class RealConsumer;

class RealQueue final : public ports::Queue {
 public:
  // `prefix`: the run's queue-name prefix, such as "idemlab.<run>.".
  RealQueue(RealTimeLoop& loop, Endpoint endpoint, std::string prefix, sim::Duration timeout);
  ~RealQueue() override;

  sim::Task<ports::Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options) override;
  sim::Task<ports::Result<ports::Unit>> publish(std::string queue, ports::Message message) override;
  sim::Task<ports::Result<std::unique_ptr<ports::Consumer>>> consume(std::string queue, std::int64_t prefetch) override;

  // Severs every consumer's connection: a crash of the process consuming.
  void sever_consumers();
  // Whether `queue` holds a message, ready or delivered and not yet acked
  // (by this run's consumers). Blocking; from the loop's thread. Throws
  // Unreachable.
  bool has_pending(const std::string& queue);
  // Deletes the queues this run declared. Blocking; call when the loop is
  // idle. Throws Unreachable.
  void delete_everything();
  const std::string& prefix() const { return prefix_; }
  // Called with each queue's full name the first time it is declared (the
  // run's lease records it), on the loop's thread.
  void on_declare(std::function<void(const std::string&)> hook) { on_declare_ = std::move(hook); }

 private:
  friend class RealConsumer;
  std::string name(const std::string& queue) const { return prefix_ + queue; }

  // Publishing connections, in confirm mode, each on its own worker: a
  // publish waits for its confirm, and concurrent publishers (request
  // handlers, relays) each have a channel of their own, as a service's
  // threads would, rather than queueing behind each other's confirms.
  struct Publisher {
    Publisher(const Endpoint& endpoint, sim::Duration timeout) : connection(endpoint, timeout) {}
    AmqpConnection connection;
    WorkerThread worker;             // after the connection: joins before it goes
    std::atomic<bool> busy = false;  // from taking until its job ends (on the worker)
  };
  static constexpr int kWarmPublishers = 4;
  // A free publisher, or a new one when all are busy.
  Publisher& take_publisher();

  RealTimeLoop& loop_;
  Endpoint endpoint_;
  std::string prefix_;
  sim::Duration timeout_;
  std::vector<std::unique_ptr<Publisher>> publishers_;
  std::set<std::string> declared_;
  std::function<void(const std::string&)> on_declare_;
  std::set<RealConsumer*> consumers_;
  AmqpConnection inspector_;  // has_pending, from the loop's thread
};

}  // namespace idemlab::realmode
