#include "realmode/amqp_queue.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <vector>

#include "realmode/timeval.h"

namespace idemlab::realmode {
namespace {

using ports::Result;
using ports::Status;
using ports::Unit;

constexpr amqp_channel_t kChannel = 1;

std::string text(amqp_bytes_t bytes) { return std::string(static_cast<const char*>(bytes.bytes), bytes.len); }

// amqp_cstring_bytes wants a char*; the library does not write through it.
amqp_bytes_t bytes(const std::string& s) {
  amqp_bytes_t b;
  b.len = s.size();
  b.bytes = const_cast<char*>(s.data());
  return b;
}

amqp_table_entry_t string_entry(const std::string& key, const std::string& value) {
  amqp_table_entry_t e{};
  e.key = bytes(key);
  e.value.kind = AMQP_FIELD_KIND_UTF8;
  e.value.value.bytes = bytes(value);
  return e;
}

amqp_table_entry_t long_entry(const std::string& key, std::int64_t value) {
  amqp_table_entry_t e{};
  e.key = bytes(key);
  e.value.kind = AMQP_FIELD_KIND_I64;
  e.value.value.i64 = value;
  return e;
}

std::optional<std::int64_t> integer_of(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_I8: return v.value.i8;
    case AMQP_FIELD_KIND_U8: return v.value.u8;
    case AMQP_FIELD_KIND_I16: return v.value.i16;
    case AMQP_FIELD_KIND_U16: return v.value.u16;
    case AMQP_FIELD_KIND_I32: return v.value.i32;
    case AMQP_FIELD_KIND_U32: return v.value.u32;
    case AMQP_FIELD_KIND_I64: return v.value.i64;
    case AMQP_FIELD_KIND_U64: return static_cast<std::int64_t>(v.value.u64);
    default: return std::nullopt;
  }
}

// The text of a server's channel.close or connection.close, or of a library error.
std::string reply_text(const amqp_rpc_reply_t& r) {
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) return amqp_error_string2(r.library_error);
  if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION) {
    if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
      const auto* m = static_cast<const amqp_channel_close_t*>(r.reply.decoded);
      return "channel closed: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
    }
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
      const auto* m = static_cast<const amqp_connection_close_t*>(r.reply.decoded);
      return "connection closed: " + std::to_string(m->reply_code) + " " + text(m->reply_text);
    }
    return "server exception";
  }
  return "no reply";
}

ports::Delivery delivery_of(const amqp_envelope_t& envelope) {
  ports::Delivery d;
  d.tag = envelope.delivery_tag;
  d.redelivered = envelope.redelivered != 0;
  const amqp_basic_properties_t& p = envelope.message.properties;
  if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) d.message.id = text(p.message_id);
  d.message.persistent = (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) && p.delivery_mode == 2;
  d.message.body = text(envelope.message.body);
  std::optional<std::int64_t> earlier_deliveries;
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const amqp_table_entry_t& e = p.headers.entries[i];
      const std::string key = text(e.key);
      if (key == "x-delivery-count") {
        earlier_deliveries = integer_of(e.value);
      } else if (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES) {
        d.message.headers[key] = text(e.value.value.bytes);
      }
    }
  }
  // A quorum queue counts earlier deliveries; a classic queue only flags a
  // redelivery, which is then at least the second.
  d.delivery_count = earlier_deliveries ? *earlier_deliveries + 1 : (d.redelivered ? 2 : 1);
  return d;
}

Result<Unit> unit_of(const AmqpConnection::Outcome& o) {
  return o.status == Status::kOk ? Result<Unit>::ok(Unit{}) : Result<Unit>::failure(o.status, o.message);
}

// Runs `op` on a connection, connecting first (with confirms if asked);
// kUnavailable when the broker cannot be reached.
AmqpConnection::Outcome connected(AmqpConnection& c, bool confirms, const std::function<AmqpConnection::Outcome()>& op) {
  try {
    c.connect(confirms);
  } catch (const Unreachable& e) {
    return {Status::kUnavailable, e.what()};
  }
  return op();
}

}  // namespace

AmqpConnection::AmqpConnection(Endpoint endpoint, sim::Duration timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

AmqpConnection::~AmqpConnection() { drop(); }

void AmqpConnection::drop() {
  const std::lock_guard<std::mutex> lock(fd_mutex_);
  if (state_ != nullptr) amqp_destroy_connection(state_);  // closes the socket
  state_ = nullptr;
  socket_fd_ = -1;
  published_ = 0;
}

void AmqpConnection::sever() {
  const std::lock_guard<std::mutex> lock(fd_mutex_);
  if (socket_fd_ >= 0) shutdown(socket_fd_, SHUT_RDWR);
}

void AmqpConnection::close() {
  if (state_ == nullptr) return;
  amqp_channel_close(state_, kChannel, AMQP_REPLY_SUCCESS);
  amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  drop();
}

bool AmqpConnection::peer_closed() {
  const std::lock_guard<std::mutex> lock(fd_mutex_);
  if (socket_fd_ < 0) return false;
  pollfd p{socket_fd_, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

void AmqpConnection::connect(bool confirms) {
  if (state_ != nullptr && !peer_closed()) return;
  drop();
  amqp_connection_state_t state = amqp_new_connection();
  if (state == nullptr) throw Unreachable("RabbitMQ", endpoint_, "cannot allocate a connection");
  amqp_socket_t* socket = amqp_tcp_socket_new(state);
  timeval connect_timeout = to_timeval(timeout_);
  const int opened =
      socket == nullptr ? AMQP_STATUS_NO_MEMORY : amqp_socket_open_noblock(socket, endpoint_.host.c_str(), endpoint_.port, &connect_timeout);
  if (opened != AMQP_STATUS_OK) {
    amqp_destroy_connection(state);
    throw Unreachable("RabbitMQ", endpoint_, amqp_error_string2(opened));
  }
  const std::string vhost = endpoint_.path.empty() ? "/" : endpoint_.path;
  // A server that accepts and never speaks AMQP fails the login in time.
  timeval handshake{endpoint_.connect_timeout_s, 0};
  amqp_set_handshake_timeout(state, &handshake);
  // No heartbeats: a connection idles while its worker waits for a job.
  const amqp_rpc_reply_t login = amqp_login(state, vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN,
                                            endpoint_.user.c_str(), endpoint_.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) {
    amqp_destroy_connection(state);
    throw Unreachable("RabbitMQ", endpoint_, "login refused (" + reply_text(login) + ")");
  }
  amqp_channel_open(state, kChannel);
  amqp_rpc_reply_t opened_channel = amqp_get_rpc_reply(state);
  if (opened_channel.reply_type == AMQP_RESPONSE_NORMAL && confirms) {
    amqp_confirm_select(state, kChannel);
    opened_channel = amqp_get_rpc_reply(state);
  }
  if (opened_channel.reply_type != AMQP_RESPONSE_NORMAL) {
    amqp_destroy_connection(state);
    throw Unreachable("RabbitMQ", endpoint_, "cannot open a channel (" + reply_text(opened_channel) + ")");
  }
  const std::lock_guard<std::mutex> lock(fd_mutex_);
  state_ = state;
  socket_fd_ = amqp_get_sockfd(state);
  confirms_ = confirms;
  published_ = 0;
}

AmqpConnection::Outcome AmqpConnection::check_rpc(const char* what) {
  const amqp_rpc_reply_t r = amqp_get_rpc_reply(state_);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return {};
  Outcome out{r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION ? Status::kError : Status::kTimeout,
              std::string(what) + ": " + reply_text(r)};
  // A server exception closed the channel (or the connection); a library
  // error left the connection unusable. Either way, start again next time.
  drop();
  return out;
}

AmqpConnection::Outcome AmqpConnection::library_failure(int status, bool sent) {
  Outcome out{sent ? Status::kTimeout : Status::kUnavailable, amqp_error_string2(status)};
  drop();
  return out;
}

AmqpConnection::Outcome AmqpConnection::declare(const std::string& queue, const ports::QueueOptions& options) {
  assert(state_ != nullptr);
  // A delivery limit needs a quorum queue (x-delivery-limit), which is
  // always durable.
  if (options.delivery_limit > 0 && !options.durable) {
    return {Status::kError, "a delivery limit needs a durable (quorum) queue"};
  }
  const std::string type_key = "x-queue-type", quorum = "quorum", limit_key = "x-delivery-limit";
  const std::string dlx_key = "x-dead-letter-exchange", default_exchange = "";
  const std::string dlq_key = "x-dead-letter-routing-key";
  std::vector<amqp_table_entry_t> arguments;
  if (options.delivery_limit > 0) {
    arguments.push_back(string_entry(type_key, quorum));
    arguments.push_back(long_entry(limit_key, options.delivery_limit));
  }
  if (!options.dead_letter_queue.empty()) {
    arguments.push_back(string_entry(dlx_key, default_exchange));
    arguments.push_back(string_entry(dlq_key, options.dead_letter_queue));
  }
  amqp_table_t table{static_cast<int>(arguments.size()), arguments.data()};
  amqp_queue_declare(state_, kChannel, bytes(queue), 0, options.durable ? 1 : 0, 0, 0, table);
  return check_rpc("queue.declare");
}

AmqpConnection::Outcome AmqpConnection::remove(const std::string& queue) {
  assert(state_ != nullptr);
  amqp_queue_delete(state_, kChannel, bytes(queue), 0, 0);
  return check_rpc("queue.delete");
}

std::optional<std::int64_t> AmqpConnection::ready_count(const std::string& queue, bool* answered) {
  assert(state_ != nullptr);
  const amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_, kChannel, bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  const Outcome o = check_rpc("queue.declare passive");
  // A passive declare of a missing queue is refused by the server (404); a
  // library error means no answer came.
  if (answered != nullptr) *answered = o.status != Status::kTimeout;
  if (o.status != Status::kOk || ok == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(ok->message_count);
}

AmqpConnection::Outcome AmqpConnection::publish(const std::string& queue, const ports::Message& message) {
  assert(state_ != nullptr && confirms_);
  std::vector<amqp_table_entry_t> headers;
  for (const auto& [key, value] : message.headers) headers.push_back(string_entry(key, value));
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_HEADERS_FLAG;
  props.delivery_mode = message.persistent ? 2 : 1;
  props.message_id = bytes(message.id);
  props.headers = amqp_table_t{static_cast<int>(headers.size()), headers.data()};
  const int sent = amqp_basic_publish(state_, kChannel, amqp_empty_bytes, bytes(queue), 0, 0, &props, bytes(message.body));
  if (sent != AMQP_STATUS_OK) return library_failure(sent, true);
  const std::uint64_t seq = ++published_;
  // Wait for the ack (or nack) that covers this publish; confirms of earlier
  // publishes that timed out may arrive first.
  for (;;) {
    amqp_frame_t frame;
    timeval wait = to_timeval(timeout_);
    const int got = amqp_simple_wait_frame_noblock(state_, &frame, &wait);
    if (got != AMQP_STATUS_OK) return library_failure(got, true);
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    const amqp_method_number_t id = frame.payload.method.id;
    if (id == AMQP_BASIC_ACK_METHOD || id == AMQP_BASIC_NACK_METHOD) {
      // ack and nack begin alike: delivery_tag, then multiple.
      const auto* m = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
      if (m->delivery_tag < seq && !(m->multiple && m->delivery_tag >= seq)) continue;
      if (id == AMQP_BASIC_NACK_METHOD) return {Status::kError, "the broker nacked the message"};
      return {};
    }
    if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) {
      drop();
      return {Status::kError, "the broker closed the channel while publishing"};
    }
  }
}

AmqpConnection::Outcome AmqpConnection::subscribe(const std::string& queue, std::int64_t prefetch) {
  assert(state_ != nullptr);
  amqp_basic_qos(state_, kChannel, 0, static_cast<std::uint16_t>(prefetch), 0);
  Outcome qos = check_rpc("basic.qos");
  if (qos.status != Status::kOk) return qos;
  amqp_basic_consume(state_, kChannel, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  return check_rpc("basic.consume");
}

AmqpConnection::Received AmqpConnection::next(sim::Duration wait) {
  Received out;
  if (state_ == nullptr) {
    out.outcome = {Status::kClosed, "the connection is closed"};
    return out;
  }
  amqp_maybe_release_buffers(state_);
  amqp_envelope_t envelope;
  timeval tv = to_timeval(wait);
  const amqp_rpc_reply_t r = amqp_consume_message(state_, &envelope, &tv, 0);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) {
    out.delivery = delivery_of(envelope);
    amqp_destroy_envelope(&envelope);
    return out;
  }
  if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) {
    out.outcome = {Status::kTimeout, "no delivery"};
    return out;
  }
  // A frame other than a delivery (the broker closing the channel: consumer
  // timeout, queue deleted, restart) or a broken socket: this subscription
  // is over; the caller subscribes again.
  out.outcome = {Status::kClosed, reply_text(r)};
  drop();
  return out;
}

AmqpConnection::Outcome AmqpConnection::closed() {
  drop();
  return {Status::kClosed, "the connection is closed"};
}

AmqpConnection::Outcome AmqpConnection::ack(std::uint64_t tag) {
  if (state_ == nullptr || peer_closed()) return closed();
  const int sent = amqp_basic_ack(state_, kChannel, tag, 0);
  if (sent != AMQP_STATUS_OK) return library_failure(sent, true);
  return {};
}

AmqpConnection::Outcome AmqpConnection::nack(std::uint64_t tag, bool requeue) {
  if (state_ == nullptr || peer_closed()) return closed();
  const int sent = amqp_basic_nack(state_, kChannel, tag, 0, requeue ? 1 : 0);
  if (sent != AMQP_STATUS_OK) return library_failure(sent, true);
  return {};
}

// A consumer: its own connection on its own worker thread.
class RealConsumer final : public ports::Consumer {
 public:
  RealConsumer(RealQueue& queue, std::string name, std::unique_ptr<AmqpConnection> connection,
               std::unique_ptr<WorkerThread> worker)
      : queue_(queue), name_(std::move(name)), connection_(std::move(connection)), worker_(std::move(worker)) {
    queue_.consumers_.insert(this);
  }
  ~RealConsumer() override {
    queue_.consumers_.erase(this);
    // Closing the channel requeues the unacked deliveries; severing does the
    // same at once, without waiting for a next() the worker may be blocked in.
    connection_->sever();
    worker_.reset();  // joins, once its jobs returned
  }

  void sever() { connection_->sever(); }
  const std::string& queue_name() const { return name_; }
  // Delivered to this consumer and neither acked nor nacked yet.
  std::int64_t outstanding() const { return outstanding_; }

  sim::Task<Result<ports::Delivery>> next(sim::Duration wait) override {
    std::function<AmqpConnection::Received()> job = [c = connection_.get(), wait] { return c->next(wait); };
    AmqpConnection::Received r = co_await offload(queue_.loop_, *worker_, std::move(job));
    if (r.outcome.status == Status::kClosed) outstanding_ = 0;  // requeued by the broker
    if (r.outcome.status != Status::kOk) co_return Result<ports::Delivery>::failure(r.outcome.status, r.outcome.message);
    ++outstanding_;
    co_return Result<ports::Delivery>::ok(std::move(r.delivery));
  }
  sim::Task<Result<Unit>> ack(std::uint64_t tag) override {
    std::function<AmqpConnection::Outcome()> job = [c = connection_.get(), tag] { return c->ack(tag); };
    const AmqpConnection::Outcome o = co_await offload(queue_.loop_, *worker_, std::move(job));
    settle(o);
    co_return unit_of(o);
  }
  sim::Task<Result<Unit>> nack(std::uint64_t tag, bool requeue) override {
    std::function<AmqpConnection::Outcome()> job = [c = connection_.get(), tag, requeue] { return c->nack(tag, requeue); };
    const AmqpConnection::Outcome o = co_await offload(queue_.loop_, *worker_, std::move(job));
    settle(o);
    co_return unit_of(o);
  }

 private:
  // An ack or nack sent settles one delivery; a failed one lost the channel,
  // which requeued them all.
  void settle(const AmqpConnection::Outcome& o) {
    outstanding_ = o.status == Status::kOk ? std::max<std::int64_t>(outstanding_ - 1, 0) : 0;
  }

  RealQueue& queue_;
  std::string name_;
  std::int64_t outstanding_ = 0;
  std::unique_ptr<AmqpConnection> connection_;
  std::unique_ptr<WorkerThread> worker_;
};

RealQueue::RealQueue(RealTimeLoop& loop, Endpoint endpoint, std::string prefix, sim::Duration timeout)
    : loop_(loop), endpoint_(endpoint), prefix_(std::move(prefix)), timeout_(timeout), inspector_(endpoint, timeout) {
  assert(!prefix_.empty() && "an empty prefix would name queues real mode did not create");
  // Opened before the traffic comes, each on its own worker.
  for (int i = 0; i < kWarmPublishers; ++i) {
    publishers_.push_back(std::make_unique<Publisher>(endpoint_, timeout_));
    AmqpConnection& connection = publishers_.back()->connection;
    publishers_.back()->worker.connect_ahead([&connection] { connection.connect(true); });
  }
}

RealQueue::Publisher& RealQueue::take_publisher() {
  for (const std::unique_ptr<Publisher>& p : publishers_) {
    bool idle = false;
    if (p->busy.compare_exchange_strong(idle, true)) return *p;
  }
  publishers_.push_back(std::make_unique<Publisher>(endpoint_, timeout_));
  publishers_.back()->busy = true;
  return *publishers_.back();
}

RealQueue::~RealQueue() { assert(consumers_.empty() && "consumers outlive their queue port"); }

sim::Task<Result<Unit>> RealQueue::declare(std::string queue, ports::QueueOptions options) {
  if (!options.dead_letter_queue.empty()) options.dead_letter_queue = name(options.dead_letter_queue);
  if (declared_.insert(name(queue)).second && on_declare_) on_declare_(name(queue));
  Publisher& p = take_publisher();
  std::function<AmqpConnection::Outcome()> job = [&p, queue = name(queue), options] {
    AmqpConnection::Outcome o = connected(p.connection, true, [&] { return p.connection.declare(queue, options); });
    p.busy = false;
    return o;
  };
  co_return unit_of(co_await offload(loop_, p.worker, std::move(job)));
}

sim::Task<Result<Unit>> RealQueue::publish(std::string queue, ports::Message message) {
  Publisher& p = take_publisher();
  std::function<AmqpConnection::Outcome()> job = [&p, queue = name(queue), message = std::move(message)] {
    AmqpConnection::Outcome o = connected(p.connection, true, [&] { return p.connection.publish(queue, message); });
    p.busy = false;
    return o;
  };
  co_return unit_of(co_await offload(loop_, p.worker, std::move(job)));
}

sim::Task<Result<std::unique_ptr<ports::Consumer>>> RealQueue::consume(std::string queue, std::int64_t prefetch) {
  using Subscribed = Result<std::unique_ptr<ports::Consumer>>;
  auto connection = std::make_unique<AmqpConnection>(endpoint_, timeout_);
  auto worker = std::make_unique<WorkerThread>();
  std::function<AmqpConnection::Outcome()> job = [c = connection.get(), queue = name(queue), prefetch] {
    return connected(*c, false, [&] { return c->subscribe(queue, prefetch); });
  };
  const AmqpConnection::Outcome subscribed = co_await offload(loop_, *worker, std::move(job));
  if (subscribed.status != Status::kOk) co_return Subscribed::failure(subscribed.status, subscribed.message);
  std::unique_ptr<ports::Consumer> consumer =
      std::make_unique<RealConsumer>(*this, name(queue), std::move(connection), std::move(worker));
  co_return Subscribed::ok(std::move(consumer));
}

void RealQueue::sever_consumers() {
  for (RealConsumer* c : consumers_) c->sever();
}

bool RealQueue::has_pending(const std::string& queue) {
  for (const RealConsumer* c : consumers_) {
    if (c->queue_name() == name(queue) && c->outstanding() > 0) return true;
  }
  // A connection the broker dropped (a restart) may still look open: one
  // that did not answer is opened again and asked once more, so that a
  // stale connection never reads as an empty queue.
  for (int attempt = 0; attempt < 2; ++attempt) {
    inspector_.connect(false);
    bool answered = false;
    const std::optional<std::int64_t> ready = inspector_.ready_count(name(queue), &answered);
    if (ready) return *ready > 0;
    // No such queue: nothing pending. The refused passive declare closed the
    // connection; the next question opens another.
    if (answered) return false;
  }
  throw Unreachable("RabbitMQ", endpoint_, "no answer to a passive queue.declare of " + name(queue));
}

void RealQueue::delete_everything() {
  AmqpConnection cleaner(endpoint_, timeout_);
  cleaner.connect(false);
  for (const std::string& queue : declared_) {
    assert(queue.rfind(prefix_, 0) == 0);
    cleaner.remove(queue);
    cleaner.connect(false);  // a failed delete closed the channel
  }
  cleaner.close();
  declared_.clear();
}

}  // namespace idemlab::realmode
