// A simulated RabbitMQ broker: durable and transient queues, persistent and
// transient messages, publisher confirms sent once a persistent message is on
// disk, consumers with prefetch and manual acks, requeue with the
// redelivered flag when a channel closes, nack with and without requeue, a
// delivery limit with dead-lettering, the consumer timeout, and a restart
// that keeps only what was durable and on disk.
//
// Publishes are request/reply calls over the network (so a lost reply is a
// lost confirm). Deliveries and acks travel on the consumer's channel with
// the link's latency and are not lost while the channel is open: AMQP runs
// over TCP, where only a broken connection loses data, and that is modelled
// as the channel closing.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/state_writer.h"
#include "models/machine_load.h"
#include "sim/latency.h"
#include "sim/network.h"
#include "sim/node.h"
#include "sim/simulator.h"
#include "strategies/ports/queue.h"
#include "strategies/ports/result.h"

namespace idemlab::models::rabbitmq {

struct BrokerConfig {
  sim::LatencyModel publish_time = sim::LatencyModel::constant(30 * sim::kMicrosecond);
  // With a calibration measured under load: the time when another operation
  // is in service on the machine (MachineLoad).
  std::optional<sim::LatencyModel> publish_time_loaded;
  // A persistent message reaches the disk (and is confirmed) this long after
  // it was enqueued: the broker's fsync batching.
  sim::Duration fsync_delay = 2 * sim::kMillisecond;
  sim::Duration consumer_timeout = 30 * 60 * sim::kSecond;  // RabbitMQ's default
  std::size_t queue_length_max = 100000;                     // then publishes are rejected
};

using ConsumerId = std::uint64_t;

// The client's end of a consumer's channel, shared by the broker (which
// delivers into it) and the SimConsumer (which reads it): either may go first.
struct ConsumerMailbox {
  ConsumerId id = 0;
  bool client_open = true;         // false once the client closed or lost it
  bool closed_by_broker = false;   // consumer timeout, broker restart
  std::deque<ports::Delivery> buffer;
  sim::Waiter* reader = nullptr;   // a next() waiting for a delivery
  sim::EventId reader_timer;
  void wake_reader(sim::Simulator& sim);
};

class Broker {
 public:
  Broker(sim::Simulator& sim, sim::Network& net, std::string name, BrokerConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  sim::Node& node() { return node_; }

  // AMQP methods, run on the broker's node.
  sim::Task<ports::Result<ports::Unit>> declare(std::string queue, ports::QueueOptions options);
  sim::Task<ports::Result<ports::Unit>> publish(std::string queue, ports::Message message);
  sim::Task<ports::Result<ConsumerId>> subscribe(std::string queue, std::int64_t prefetch, sim::Node* client,
                                                 std::shared_ptr<ConsumerMailbox> mailbox);

  // From a consumer's channel: arrive one link latency after the client sent them.
  void send_ack(ConsumerId consumer, std::uint64_t tag);
  void send_nack(ConsumerId consumer, std::uint64_t tag, bool requeue);
  void send_channel_close(ConsumerId consumer, sim::Node& client);

  // Faults: the broker crashes (consumers' channels close; what was not
  // durable, persistent and on disk is lost) and starts again.
  void crash();
  void start();
  void restart() {
    crash();
    start();
  }

  // Ground truth.
  std::size_t ready_count(const std::string& queue) const;
  std::size_t unacked_count(const std::string& queue) const;
  // Every message the queue holds (ready, then unacked), for checks.
  std::vector<ports::Message> held_messages(const std::string& queue) const;
  std::uint64_t dead_lettered() const { return dead_lettered_; }
  std::uint64_t dropped() const { return dropped_; }
  // The most messages held at once, ready or unacknowledged, over every queue.
  std::uint64_t messages_peak() const { return messages_peak_; }
  // Its node, queues (ready and unacknowledged messages), consumers and
  // their mailboxes, channel operations and deliveries on their way.
  void write_state(sim::StateWriter& out) const;
  bool has_queue(const std::string& queue) const { return queues_.count(queue) != 0; }

  // The world's servers share one MachineLoad; alone, a server has its own.
  void share_machine_load(MachineLoad& load) { load_ = &load; }

 private:
  // A method's service time (declare, publish, consume).
  sim::Duration method_time() {
    return load_->serve(sim_.now(), config_.publish_time, config_.publish_time_loaded, sim_.tape());
  }
  MachineLoad own_load_;
  MachineLoad* load_ = &own_load_;
  struct Stored {
    ports::Message message;
    std::int64_t delivery_count = 0;
    bool redelivered = false;
    sim::Time durable_at = sim::kTimeNever;  // on disk from then on (persistent, durable queue)
  };
  struct Unacked {
    Stored stored;
    ConsumerId consumer = 0;
    sim::EventId timeout;
  };
  struct QueueState {
    ports::QueueOptions options;
    std::deque<Stored> ready;
    std::map<std::pair<ConsumerId, std::uint64_t>, Unacked> unacked;  // by (consumer, tag)
  };
  struct ConsumerState {
    std::string queue;
    std::int64_t prefetch = 0;  // 0: unlimited
    std::int64_t in_flight = 0;
    std::uint64_t next_tag = 0;
    sim::Node* client = nullptr;
    std::shared_ptr<ConsumerMailbox> mailbox;
  };
  struct ChannelOp {
    enum class Kind : std::uint8_t { kAck, kNackRequeue, kNackDrop, kClose } kind;
    ConsumerId consumer;
    std::uint64_t tag;
  };

  void dispatch(const std::string& queue);
  void requeue(QueueState& queue, Stored stored, const std::string& why);
  void dead_letter(Stored stored, const ports::QueueOptions& options, const std::string& from);
  void close_consumer(ConsumerId consumer, bool notify_client, const std::string& why);
  sim::Duration latency_to(const sim::Node& client);
  void schedule_op(ChannelOp op, sim::Duration after);
  static void run_op(void* context, std::uint64_t op);
  static void arrive(void* context, std::uint64_t delivery);
  static void consumer_timed_out(void* context, std::uint64_t delivery);
  void trace(const std::string& kind, const std::string& detail);

  sim::Simulator& sim_;
  sim::Network& net_;
  BrokerConfig config_;
  sim::Node node_;
  std::map<std::string, QueueState> queues_;
  std::map<ConsumerId, ConsumerState> consumers_;
  ConsumerId next_consumer_ = 1;
  ConsumerId last_served_ = 0;  // round-robin position
  std::map<std::uint64_t, ChannelOp> ops_;  // in flight from consumers
  std::uint64_t next_op_ = 1;
  struct InFlight {
    ConsumerId consumer;
    ports::Delivery delivery;
  };
  std::map<std::uint64_t, InFlight> in_flight_;  // deliveries on their way
  std::map<std::uint64_t, std::pair<ConsumerId, std::uint64_t>> timeouts_;  // timer id -> (consumer, tag)
  std::uint64_t next_transfer_ = 1;
  std::uint64_t dead_lettered_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t messages_peak_ = 0;
};

}  // namespace idemlab::models::rabbitmq
