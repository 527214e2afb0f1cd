// setex_processing_del_on_error (textbook): GET the key; SETEX key processing
// 60; charge; SETEX key <result>; on an error, DEL the key. GET then SETEX is
// not atomic, so concurrent requests both charge; and an "error" that was a
// timeout after the charge succeeded deletes the key, so the retry charges
// again. No downstream key. The status key's flow is in status_key.cc.
#include "strategies/status_key.h"

namespace idemlab::strategies {
namespace {

std::unique_ptr<Strategy> make_setex_processing(const StrategyOptions& options) {
  return make_status_key(options, StatusClaim::kExpiringWithDelOnError);
}

}  // namespace

const StrategyInfo& setex_processing_del_on_error_strategy() {
  static const StrategyInfo kInfo{
      "setex_processing_del_on_error", "textbook: GET, SETEX processing, charge, SETEX result, DEL on error", true, &make_setex_processing,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"lock_ttl_expires_while_charging", {"at_most_one_charge"}},
          {"crash_after_charge_before_commit", {"at_most_one_charge"}},
          {"key_deleted_on_error_after_charge", {"at_most_one_charge"}},
          {"retry_after_key_expired", {"at_most_one_charge"}},
          {"redis_failover_loses_claim", {"at_most_one_charge"}},
          {"redis_restart_loses_result", {"at_most_one_charge"}},
          {"key_reused_with_other_payload", {"every_intent_resolved", "one_charge_one_answer", "success_was_charged"}},
          {"double_click_both_pass_the_check", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"double_click_second_insert_conflicts", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"network_timeout", {"at_most_one_charge"}},
          {"concurrent_identical_requests", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"partial_failure", {"at_most_one_charge", "every_intent_resolved"}},
          {"worker_retry", {"at_most_one_charge", "every_intent_resolved"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
