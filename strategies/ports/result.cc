#include "strategies/ports/result.h"

namespace idemlab::ports {

const char* status_name(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kTimeout: return "timeout";
    case Status::kUnavailable: return "unavailable";
    case Status::kUniqueViolation: return "unique_violation";
    case Status::kSerializationFailure: return "serialization_failure";
    case Status::kDeadlock: return "deadlock";
    case Status::kLockNotAvailable: return "lock_not_available";
    case Status::kOutOfMemory: return "out_of_memory";
    case Status::kConflict: return "conflict";
    case Status::kClosed: return "closed";
    case Status::kError: return "error";
  }
  assert(false && "unknown Status");
  return "?";
}

}  // namespace idemlab::ports
