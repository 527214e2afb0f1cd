// GET /payments/{key} for the strategies that answer 202 and finish later
// (Strategy::answers_lookups): a read, never a payment.
#pragma once

#include <string>

#include "sim/task.h"
#include "strategies/api.h"
#include "strategies/ports/ports.h"
#include "strategies/ports/sql.h"

namespace idemlab::strategies {

// The stored outcome of `key` in `table` (columns key, response_status,
// response_body), read in a transaction of its own: the stored answer once
// there is one, 202 while response_status is NULL, 404 for a key never
// accepted, 503 when the database does not answer.
sim::Task<api::Response> stored_outcome(ports::Ports ports, ports::Isolation isolation, std::string table,
                                        std::string key);

}  // namespace idemlab::strategies
