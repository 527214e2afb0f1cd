// How a simulated port adapter calls its server over the network: runs the
// server-side command as a process on the server's node and maps the
// network's outcome to a port Status (timeout stays unknown; a refused
// connection means nothing happened).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "models/observe.h"
#include "sim/network.h"
#include "strategies/ports/result.h"

namespace idemlab::models {

// A call's name for the trace ("redis GET idem:k"), built only while the
// trace records: the network keeps it for nothing else, and building it is
// an allocation a call.
inline std::string call_name(const sim::Node& from, std::string_view what, std::string_view subject = {},
                             std::string_view more = {}) {
  if (!from.sim().trace().enabled()) return {};
  std::string name(what);
  name += subject;
  name += more;
  return name;
}

template <class T>
sim::Task<ports::Result<T>> call_port(sim::Network& net, sim::Node& from, sim::Node& to, std::string op,
                                      sim::Duration timeout, std::function<sim::Task<ports::Result<T>>()> command) {
  sim::CallResult<ports::Result<T>> r =
      co_await net.call<ports::Result<T>>(from, to, std::move(op), timeout, std::move(command));
  ports::Result<T> result = ports::Result<T>::failure(ports::Status::kError, "unknown call status");
  switch (r.status) {
    case sim::CallStatus::kOk: result = std::move(*r.value); break;
    case sim::CallStatus::kTimeout:
      result = ports::Result<T>::failure(ports::Status::kTimeout, "no reply from " + to.name());
      break;
    case sim::CallStatus::kRefused:
      result = ports::Result<T>::failure(ports::Status::kUnavailable, "connection refused by " + to.name());
      break;
  }
  observe(from.sim(), result);
  co_return result;
}

}  // namespace idemlab::models
