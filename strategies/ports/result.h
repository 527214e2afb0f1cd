// What every port call returns: a status from one small table and, when the
// status is ok, a value. Expected failures are values, never exceptions
// (leveldb's Status). A strategy handles each status explicitly.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>

namespace idemlab::ports {

enum class Status : std::uint8_t {
  kOk,
  kTimeout,               // no answer in time: the operation may or may not have happened
  kUnavailable,           // refused or disconnected before anything happened
  kUniqueViolation,       // SQLSTATE 23505
  kSerializationFailure,  // SQLSTATE 40001: retry the transaction
  kDeadlock,              // SQLSTATE 40P01: this transaction was chosen as the victim
  kLockNotAvailable,      // SQLSTATE 55P03: FOR UPDATE NOWAIT met a row another transaction holds
  kOutOfMemory,           // Redis maxmemory with noeviction refused a write
  kConflict,              // a request with the same idempotency key is in progress (409)
  kClosed,                // the transaction or channel is no longer usable
  kError,                 // anything else; see the message
};

const char* status_name(Status status);

// True when the caller cannot know whether the operation took effect.
inline bool outcome_unknown(Status status) { return status == Status::kTimeout; }

template <class T>
class [[nodiscard]] Result {
 public:
  static Result ok(T value) { return Result(Status::kOk, std::move(value), {}); }
  static Result failure(Status status, std::string message = {}) {
    assert(status != Status::kOk);
    return Result(status, T{}, std::move(message));
  }

  bool is_ok() const { return status_ == Status::kOk; }
  Status status() const { return status_; }
  const std::string& message() const { return message_; }

  // REQUIRES: is_ok().
  const T& value() const& {
    assert(is_ok());
    return value_;
  }
  T&& value() && {
    assert(is_ok());
    return std::move(value_);
  }

 private:
  Result(Status status, T value, std::string message)
      : status_(status), value_(std::move(value)), message_(std::move(message)) {}

  Status status_;
  T value_;
  std::string message_;
};

struct Unit {
  bool operator==(const Unit&) const = default;
};

}  // namespace idemlab::ports
