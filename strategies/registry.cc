// The registry of strategies: one line each. Reports list them in this order.
#include "strategies/strategy.h"

namespace idemlab::strategies {

std::unique_ptr<Strategy> make_baseline(const StrategyOptions&);
std::unique_ptr<Strategy> make_idempotency_key(const StrategyOptions&);
std::unique_ptr<Strategy> make_natural(const StrategyOptions&);
std::unique_ptr<Strategy> make_db_unique(const StrategyOptions&);

const std::vector<StrategyInfo>& all_strategies() {
  static const std::vector<StrategyInfo> kStrategies = {
      {"baseline", "no idempotency: every request charges", false, &make_baseline},
      {"idempotency_key", "Redis SET NX claim + PostgreSQL record + downstream key (IETF draft, Stripe)", false,
       &make_idempotency_key},
      {"natural", "payment id from a hash of the content; PUT-style upsert", false, &make_natural},
      {"db_unique", "INSERT ... ON CONFLICT (key) DO NOTHING claim, then read the winner", false, &make_db_unique},
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
