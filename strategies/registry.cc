// The registry of strategies: one line each. Reports list them in this order.
#include "strategies/strategy.h"

namespace idemlab::strategies {

std::unique_ptr<Strategy> make_baseline(const StrategyOptions&);
std::unique_ptr<Strategy> make_idempotency_key(const StrategyOptions&);
std::unique_ptr<Strategy> make_natural(const StrategyOptions&);
std::unique_ptr<Strategy> make_db_unique(const StrategyOptions&);
std::unique_ptr<Strategy> make_dedup_queue(const StrategyOptions&);
std::unique_ptr<Strategy> make_outbox(const StrategyOptions&);
std::unique_ptr<Strategy> make_saga(const StrategyOptions&);
std::unique_ptr<Strategy> make_check_then_insert(const StrategyOptions&);
std::unique_ptr<Strategy> make_redis_middleware(const StrategyOptions&);
std::unique_ptr<Strategy> make_setex_processing(const StrategyOptions&);
std::unique_ptr<Strategy> make_get_then_set(const StrategyOptions&);
std::unique_ptr<Strategy> make_dedup_row_after_effect(const StrategyOptions&);
std::unique_ptr<Strategy> make_saga_one_transaction(const StrategyOptions&);

const std::vector<StrategyInfo>& all_strategies() {
  static const std::vector<StrategyInfo> kStrategies = {
      {"baseline", "no idempotency: every request charges", false, &make_baseline},
      {"idempotency_key", "Redis SET NX claim + PostgreSQL record + downstream key (IETF draft, Stripe)", false,
       &make_idempotency_key},
      {"natural", "payment id from a hash of the content; PUT-style upsert", false, &make_natural},
      {"db_unique", "INSERT ... ON CONFLICT (key) DO NOTHING claim, then read the winner", false, &make_db_unique},
      {"dedup_queue", "publish with the key as message id, 202; the consumer dedups in the payment's transaction",
       false, &make_dedup_queue},
      {"outbox", "payment and outbox event in one transaction, 202; a relay publishes, a consumer applies once",
       false, &make_outbox},
      {"saga", "four steps with persisted state, compensations in reverse, a recovery worker", false, &make_saga},
      {"check_then_insert_charge_first", "textbook: SELECT, charge, INSERT, COMMIT in one transaction", true,
       &make_check_then_insert},
      {"redis_lock_del_in_finally", "textbook: SET NX EX 60 lock, cache before commit, plain DEL in finally", true,
       &make_redis_middleware},
      {"setex_processing_del_on_error", "textbook: GET, SETEX processing, charge, SETEX result, DEL on error", true,
       &make_setex_processing},
      {"get_then_set_claim", "textbook: GET then SET (no expiry) as the claim", true, &make_get_then_set},
      {"dedup_row_after_effect", "textbook: the consumer charges, records, then marks the message seen apart", true,
       &make_dedup_row_after_effect},
      {"saga_steps_in_one_transaction", "textbook: every saga step in one database transaction, the charge inside it",
       true, &make_saga_one_transaction},
  };
  return kStrategies;
}

const StrategyInfo* find_strategy(const std::string& name) {
  for (const StrategyInfo& info : all_strategies()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

}  // namespace idemlab::strategies
