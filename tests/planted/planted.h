// Strategies written for the tests, each a correct design and, beside it, the
// same code with one real-world bug planted. The exploration tests assert
// that explore finds every planted bug from a workload-only script, with the
// fewest faults that expose it, and nothing in the correct twin under the
// same search: what they find is the bug, not noise.
#pragma once

#include "strategies/strategy.h"

namespace idemlab::planted {

// A PostgreSQL claim row that stores the payment's id, which is the
// processor's idempotency key, from the moment the key is claimed.
// The bug: a processor error deletes the claim "so that the client can
// retry", and the retry claims a new payment id, so the processor cannot
// see that the first charge (which landed, its answer lost) was this one.
const strategies::StrategyInfo& claim_released_on_error(bool planted);
// The bug: the key is looked up in one transaction and the claim inserted
// in another, with no unique constraint on the key (the lookup was meant
// to be the check): two requests that overlap both find nothing, both
// insert a claim with a payment id of their own and both charge.
const strategies::StrategyInfo& check_and_insert_apart(bool planted);

// dedup_queue (strategies/dedup_queue.cc) as shipped, and with its
// consumer's channel acking each delivery on receipt: a consumer that
// crashes before the effect commits has already lost the message.
const strategies::StrategyInfo& ack_before_commit(bool planted);

// A Redis lock around the charge, the result cached after it, no downstream
// key. The bug: the lock's TTL (1 s) is shorter than the work it guards can
// take (a slow processor call, a slow cache write), so a retry takes the
// expired lock while the first holder is still charging, and charges again.
// The correct twin's lock outlives the API's processor timeout. Neither
// survives a lost processor reply (no downstream key): the tests give both
// only delays, which is what a lock's TTL is about.
const strategies::StrategyInfo& lock_shorter_than_work(bool planted);

}  // namespace idemlab::planted
