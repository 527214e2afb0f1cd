#include "models/rabbitmq/sim_queue.h"

#include "models/observe.h"

#include "models/net/port_call.h"

namespace idemlab::models::rabbitmq {

using ports::Result;
using ports::Status;
using ports::Unit;
using sim::Task;

namespace {

// Waits for a delivery in the mailbox, or for `wait` to pass.
struct NextAwaiter {
  sim::Simulator& sim;
  ConsumerMailbox& mailbox;
  sim::Duration wait;
  sim::Waiter waiter;

  NextAwaiter(sim::Simulator& s, ConsumerMailbox& m, sim::Duration w) : sim(s), mailbox(m), wait(w) {}
  NextAwaiter(const NextAwaiter&) = delete;
  ~NextAwaiter() {
    if (mailbox.reader == &waiter) {
      mailbox.reader = nullptr;
      sim.cancel(mailbox.reader_timer);
      mailbox.reader_timer = {};
    }
    sim.cancel_wake(waiter);
  }
  bool await_ready() const { return !mailbox.buffer.empty() || mailbox.closed_by_broker || wait <= 0; }
  template <class Promise>
  void await_suspend(std::coroutine_handle<Promise> h) {
    waiter.bind(sim, h);
    mailbox.reader = &waiter;
    mailbox.reader_timer = sim.schedule(sim.now() + wait, &NextAwaiter::expire, this);
  }
  void await_resume() const noexcept {}

  static void expire(void* context, std::uint64_t) {
    auto* self = static_cast<NextAwaiter*>(context);
    self->mailbox.reader = nullptr;
    self->mailbox.reader_timer = {};
    self->sim.resume(self->waiter.process, self->waiter.handle);
  }
};

}  // namespace

// Requests and their names are bound to variables before each co_await:
// g++ 12 may destroy class-type temporaries in a co_await expression twice.

Task<Result<Unit>> SimQueue::declare(std::string queue, ports::QueueOptions options) {
  std::function<Task<Result<Unit>>()> request = [broker = &broker_, queue, options] { return broker->declare(queue, options); };
  std::string what = call_name(client_, "amqp queue.declare ", queue);
  co_return co_await call_port(net_, client_, broker_.node(), std::move(what), timeout_, std::move(request));
}

Task<Result<Unit>> SimQueue::publish(std::string queue, ports::Message message) {
  std::function<Task<Result<Unit>>()> request = [broker = &broker_, queue, message] { return broker->publish(queue, message); };
  std::string what = call_name(client_, "amqp basic.publish ", message.id, " (confirm)");
  co_return co_await call_port(net_, client_, broker_.node(), std::move(what), timeout_, std::move(request));
}

Task<Result<std::unique_ptr<ports::Consumer>>> SimQueue::consume(std::string queue, std::int64_t prefetch) {
  using Out = std::unique_ptr<ports::Consumer>;
  auto mailbox = std::make_shared<ConsumerMailbox>();
  // The consumer exists before the subscription does, so that a crash while
  // subscribing closes the channel it may have opened.
  auto consumer = std::make_unique<SimConsumer>(client_.sim(), client_, broker_, mailbox);
  std::function<Task<Result<ConsumerId>>()> request = [broker = &broker_, client = &client_, queue, prefetch, mailbox] {
    return broker->subscribe(queue, prefetch, client, mailbox);
  };
  std::string what = call_name(client_, "amqp basic.consume ", queue);
  Result<ConsumerId> subscribed =
      co_await call_port(net_, client_, broker_.node(), std::move(what), timeout_, std::move(request));
  if (!subscribed.is_ok()) co_return Result<Out>::failure(subscribed.status(), subscribed.message());
  co_return Result<Out>::ok(std::move(consumer));
}

SimConsumer::~SimConsumer() {
  mailbox_->client_open = false;
  if (mailbox_->id != 0) broker_.send_channel_close(mailbox_->id, client_);
}

Task<Result<ports::Delivery>> SimConsumer::next(sim::Duration wait) {
  co_await NextAwaiter(sim_, *mailbox_, wait);
  Result<ports::Delivery> out = Result<ports::Delivery>::failure(Status::kTimeout, "no delivery");
  if (!mailbox_->buffer.empty()) {
    ports::Delivery delivery = std::move(mailbox_->buffer.front());
    mailbox_->buffer.pop_front();
    out = Result<ports::Delivery>::ok(std::move(delivery));
  } else if (mailbox_->closed_by_broker) {
    out = Result<ports::Delivery>::failure(Status::kClosed, "channel closed by the broker");
  }
  observe(sim_, out);
  co_return out;
}

// ack and nack read the mailbox (closed or not): what they answer is
// observed, like any port call's result.
Task<Result<Unit>> SimConsumer::ack(std::uint64_t tag) {
  observe(sim_, mailbox_->closed_by_broker);
  if (mailbox_->closed_by_broker) co_return Result<Unit>::failure(Status::kClosed, "channel closed by the broker");
  broker_.send_ack(mailbox_->id, tag);
  co_return Result<Unit>::ok({});
}

Task<Result<Unit>> SimConsumer::nack(std::uint64_t tag, bool requeue) {
  observe(sim_, mailbox_->closed_by_broker);
  if (mailbox_->closed_by_broker) co_return Result<Unit>::failure(Status::kClosed, "channel closed by the broker");
  broker_.send_nack(mailbox_->id, tag, requeue);
  co_return Result<Unit>::ok({});
}

}  // namespace idemlab::models::rabbitmq
