// The registry of strategies: one line each, in the order reports list them.
// A strategy is a file of its own that defines NAME_strategy(): its name,
// summary, factory and what it is known to break (strategies/strategy.h).
#include "strategies/strategy.h"

// X(the strategy's name, which names its NAME_strategy() function)
#define IDEMLAB_STRATEGIES(X)        \
  X(baseline)                        \
  X(idempotency_key)                 \
  X(natural)                         \
  X(db_unique)                       \
  X(dedup_queue)                     \
  X(outbox)                          \
  X(saga)                            \
  X(check_then_insert_charge_first)  \
  X(redis_lock_del_in_finally)       \
  X(setex_processing_del_on_error)   \
  X(get_then_set_claim)              \
  X(dedup_row_after_effect)          \
  X(saga_steps_in_one_transaction)

namespace idemlab::strategies {

#define IDEMLAB_DECLARE(name) const StrategyInfo& name##_strategy();
IDEMLAB_STRATEGIES(IDEMLAB_DECLARE)
#undef IDEMLAB_DECLARE

const std::vector<StrategyInfo>& all_strategies() {
#define IDEMLAB_ENTRY(name) name##_strategy(),
  static const std::vector<StrategyInfo> kStrategies = {IDEMLAB_STRATEGIES(IDEMLAB_ENTRY)};
#undef IDEMLAB_ENTRY
  return kStrategies;
}

const StrategyInfo* find_strategy(const std::string& name) {
  for (const StrategyInfo& info : all_strategies()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace idemlab::strategies
