// The body of POST /admin/faults, read into a fault to arm:
//   {"fault": "crash_after_charge", "count"?: N, "for"?: "1s"}     the API crashes after each of the next N
//                                                                  charges, and is down for "for"
//   {"fault": "drop_reply", "count"?: N}                           the next N replies are lost
//   {"fault": "slow_processor", "slowdown"?: 10, "for"?: "30s", "errors"?: "1/10"}
// with "strategy": NAME when several are served. Every error names its JSON path.
#pragma once

#include <string>

#include "serve/served_strategy.h"

namespace idemlab::serve {

struct ParsedAdminFault {
  AdminFault fault;
  std::string name;      // the fault's name as given
  std::string strategy;  // as given, else `default_strategy`
  std::string error;     // empty when the body is a fault
};

// `default_strategy`: the strategy served when only one is ("" otherwise).
ParsedAdminFault parse_admin_fault(const std::string& body, const std::string& default_strategy);

}  // namespace idemlab::serve
