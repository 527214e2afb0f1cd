// Task<T>: a lazily started coroutine that returns T to the one coroutine that
// awaits it (symmetric transfer, no scheduler round trip). Every task knows the
// Process it runs in, inherited from its awaiter, so that awaitables can tell
// the simulator whom to resume. Destroying a Task destroys its frame and, with
// it, the frames it awaits: that is how cancellation and crashes unwind, and
// why every awaitable in sim/ undoes its registrations in its destructor.
//
// Exceptions are not used for expected failures (those are values); an
// exception escaping a task is a bug and terminates the program.
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "sim/frame_pool.h"

namespace idemlab::sim {

struct Process;

struct PromiseBase {
  std::coroutine_handle<> continuation;
  Process* process = nullptr;

  // Frames come from sim/frame_pool.h.
  static void* operator new(std::size_t bytes) { return allocate_frame(bytes); }
  static void operator delete(void* frame, std::size_t bytes) noexcept { free_frame(frame, bytes); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
      std::coroutine_handle<> next = self.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { std::terminate(); }
};

template <class T>
struct ValuePromise : PromiseBase {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() { return std::move(*value); }
};

template <>
struct ValuePromise<void> : PromiseBase {
  void return_void() noexcept {}
  void take() noexcept {}
};

template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : ValuePromise<T> {
    Task get_return_object() noexcept {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle handle) : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  // Destroys the frame (and the frames it awaits). Safe on an empty task.
  void reset() {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  explicit operator bool() const { return static_cast<bool>(handle_); }
  bool done() const { return handle_ && handle_.done(); }
  Handle handle() const { return handle_; }

  // Starts `child` as the callee of `parent`: same process, resumes parent on
  // completion. Returns the handle to transfer to.
  template <class ParentPromise>
  Handle attach(std::coroutine_handle<ParentPromise> parent) {
    assert(handle_ && !handle_.done());
    handle_.promise().continuation = parent;
    handle_.promise().process = parent.promise().process;
    return handle_;
  }

  struct Awaiter {
    Handle child;
    bool await_ready() const noexcept { return false; }
    template <class ParentPromise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<ParentPromise> parent) noexcept {
      child.promise().continuation = parent;
      child.promise().process = parent.promise().process;
      return child;
    }
    T await_resume() { return child.promise().take(); }
  };
  // Only an rvalue task can be awaited, once: `co_await f();`.
  Awaiter operator co_await() && noexcept {
    assert(handle_ && !handle_.done());
    return Awaiter{handle_};
  }

 private:
  Handle handle_;
};

}  // namespace idemlab::sim
