#include "checks/invariants.h"

#include <cassert>

#include "checks/invariant.h"

namespace idemlab::checks {
namespace {

// The simulator's ground truth: the models themselves, read in place.
class ModelTruth final : public GroundTruth {
 public:
  explicit ModelTruth(models::World& world) : world_(world) {}
  const models::clients::History& history() override { return world_.history(); }
  const models::PortHistory& port_history() override { return world_.port_history(); }
  const std::vector<models::processor::LedgerEntry>& ledger() override { return world_.processor().ledger(); }
  const std::map<std::string, std::int64_t>& declines() override { return world_.processor().declines(); }
  const std::vector<models::processor::RefundMiss>& refund_misses() override {
    return world_.processor().refund_misses();
  }
  void for_each_key_without_expiry(const std::function<void(const std::string&, const std::string&)>& visit) override {
    for (const auto& [key, entry] : world_.redis().primary().entries()) {
      if (entry.expire_at == sim::kTimeNever) visit(key, entry.value);
    }
  }
  bool has_table(const std::string& table) override { return world_.postgres().has_table(table); }
  std::vector<std::string> table_names() override { return world_.postgres().table_names(); }
  std::vector<ports::Row> committed_rows(const std::string& table) override {
    return world_.postgres().committed_rows(table);
  }
  sim::Time now() override { return world_.sim().now(); }

 private:
  models::World& world_;
};

}  // namespace

const std::vector<std::string>& invariant_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const InvariantInfo* info : all_invariants()) names.emplace_back(info->name);
    return names;
  }();
  return kNames;
}

bool is_invariant(const std::string& name) { return find_invariant(name) != nullptr; }

bool is_liveness(const std::string& invariant) {
  const InvariantInfo* info = find_invariant(invariant);
  return info != nullptr && info->liveness;
}

const char* invariant_paragraph(const std::string& invariant) {
  const InvariantInfo* info = find_invariant(invariant);
  assert(info != nullptr && "not an invariant");
  return info->paragraph;
}

std::unique_ptr<GroundTruth> model_truth(models::World& world) { return std::make_unique<ModelTruth>(world); }

bool liveness_open(GroundTruth& truth, const CheckOptions& options) {
  for (const Violation& v : check(truth, options)) {
    if (is_liveness(v.invariant)) return true;
  }
  return false;
}

std::vector<Violation> check_world(models::World& world, const CheckOptions& options) {
  ModelTruth truth(world);
  return check(truth, options);
}

std::vector<Violation> check(GroundTruth& truth, const CheckOptions& options) {
  const CheckContext context(truth, options);
  std::vector<Violation> out;
  for (const InvariantInfo* info : all_invariants()) {
    if (options.invariants != nullptr && !options.invariants->selects(info->name)) continue;
    info->check(context, out);
  }
  return out;
}

}  // namespace idemlab::checks
