// What a run did to each intent, in the terms real mode and the simulation
// are compared in: the charges the ledger holds, and the HTTP status of every
// answer the client got, in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checks/invariants.h"

namespace idemlab::checks {

struct IntentOutcome {
  std::string intent;
  std::int64_t charges = 0;
  std::vector<int> answers;  // statuses of the answers (ok or fail), in order
  bool declined = false;

  // The last answer's status, 0 if none came.
  int last_answer() const { return answers.empty() ? 0 : answers.back(); }
};

std::vector<IntentOutcome> intent_outcomes(GroundTruth& truth);

}  // namespace idemlab::checks
