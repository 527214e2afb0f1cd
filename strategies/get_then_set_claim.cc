// get_then_set_claim (textbook): the status key of setex_processing_del_on_error
// with the claim written by a plain SET with no expiry (the GET then SET of
// many tutorials) and no DEL on error: a crash after the claim leaves the key
// "processing" for ever, and the payment is never made. The status key's flow
// is in status_key.cc.
#include "strategies/status_key.h"

namespace idemlab::strategies {
namespace {

std::unique_ptr<Strategy> make_get_then_set(const StrategyOptions& options) {
  return make_status_key(options, StatusClaim::kPlainSetForever);
}

}  // namespace

const StrategyInfo& get_then_set_claim_strategy() {
  static const StrategyInfo kInfo{
      "get_then_set_claim", "textbook: GET then SET (no expiry) as the claim", true, &make_get_then_set,
      // What it breaks in the shipped scenarios; it survives the others.
      Breaks{
          {"crash_after_charge_before_commit", {"no_stuck_key"}},
          {"key_deleted_on_error_after_charge", {"no_stuck_key"}},
          {"in_progress_without_deadline_after_crash", {"every_intent_resolved", "no_stuck_key"}},
          {"retry_after_key_expired", {"at_most_one_charge"}},
          {"redis_failover_loses_claim", {"at_most_one_charge"}},
          {"redis_restart_loses_result", {"at_most_one_charge"}},
          {"key_reused_with_other_payload", {"every_intent_resolved", "one_charge_one_answer", "success_was_charged"}},
          {"double_click_both_pass_the_check", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"double_click_second_insert_conflicts", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"network_timeout", {"no_stuck_key"}},
          {"concurrent_identical_requests", {"at_most_one_charge", "one_charge_one_answer", "replay_matches_first"}},
          {"partial_failure", {"every_intent_resolved", "no_stuck_key"}},
          {"worker_retry", {"every_intent_resolved", "no_stuck_key"}},
      }};
  return kInfo;
}

}  // namespace idemlab::strategies
