// The flow that db_unique and natural share: claim a row in a payments table
// with INSERT ... ON CONFLICT (key) DO NOTHING, charge, then complete the row
// with the response; a request that loses the claim reads the winner (a new
// statement in READ COMMITTED sees it) and answers from it. A claim holds for
// a lease; a claim left behind by a crash is taken over once the lease is
// over (conditional UPDATE on the old owner), and the downstream key makes the
// new owner's charge a replay of the old one's, if there was one.
#pragma once

#include <string>

#include "sim/task.h"
#include "sim/time.h"
#include "strategies/api.h"
#include "strategies/payment_request.h"
#include "strategies/ports/ports.h"
#include "strategies/ports/sql.h"

namespace idemlab::strategies {

struct ClaimTable {
  std::string table;
  sim::Duration lease;
  ports::Isolation isolation;  // of every transaction of the flow
};

ports::TableSchema claim_table_schema(const std::string& name);

// Claims `claim_key` (with the payload's fingerprint), charges and completes.
sim::Task<api::Response> claim_charge_complete(ports::Ports ports, ClaimTable table, std::string claim_key,
                                               std::string fingerprint, PaymentRequest payment, std::string origin,
                                               std::string downstream_key);

}  // namespace idemlab::strategies
