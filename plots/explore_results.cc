#include "plots/explore_results.h"

#include <algorithm>

#include "plots/json_reader.h"

namespace idemlab::plots {
namespace {

using json = nlohmann::json;
using nlohmann::ordered_json;

ordered_json sequence_json(const scenarios::SequenceDiagram& diagram) {
  ordered_json steps = ordered_json::array();
  for (const scenarios::SequenceStep& s : diagram.steps) {
    steps.push_back({{"kind", scenarios::step_kind_name(s.kind)},
                     {"at_ns", s.at},
                     {"from", s.from},
                     {"to", s.to},
                     {"text", s.text}});
  }
  return {{"participants", diagram.participants},
          {"steps", std::move(steps)},
          {"steps_left_out", diagram.steps_left_out}};
}

ordered_json strategy_json(const ExploreStrategy& s) {
  ordered_json progress = ordered_json::array();
  for (const scenarios::SearchProgress& p : s.progress) {
    progress.push_back({{"runs", p.runs},
                        {"pairs_covered", p.pairs_covered},
                        {"pairs_seen", p.pairs_seen},
                        {"interleavings", p.interleavings}});
  }
  ordered_json violations = ordered_json::array();
  for (const ExploreFinding& f : s.findings) {
    violations.push_back({{"invariant", f.invariant},
                          {"violating_runs", f.violating_runs},
                          {"first_run", f.first_run},
                          {"seconds", f.seconds},
                          {"intent", f.intent},
                          {"evidence", f.evidence},
                          {"faults", f.faults},
                          {"replay", f.replay},
                          {"sequence", sequence_json(f.sequence)}});
  }
  ordered_json unjudged = ordered_json::object();
  for (const auto& [kind, runs] : s.unjudged) unjudged[kind] = runs;
  return {{"strategy", s.strategy},
          {"runs", s.runs},
          {"exhausted", s.exhausted},
          {"seconds", s.seconds},
          {"interleavings", s.interleavings},
          {"interleavings_exact", s.interleavings_exact},
          {"pairs_covered", s.pairs_covered},
          {"pairs_seen", s.pairs_seen},
          {"progress", std::move(progress)},
          {"violations", std::move(violations)},
          {"unjudged", std::move(unjudged)}};
}

scenarios::SequenceDiagram sequence(const JsonReader& r, const json& s, const std::string& at) {
  scenarios::SequenceDiagram out;
  out.participants = r.texts(s, at, "participants");
  const json& steps = r.list(s, at, "steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string here = JsonReader::at(at + ".steps", i);
    scenarios::SequenceStep step;
    const std::string kind = r.text(steps[i], here, "kind");
    if (!scenarios::parse_step_kind(kind, step.kind)) r.fail(here + ".kind", "not a kind of step: " + kind);
    step.at = r.integer(steps[i], here, "at_ns");
    step.from = r.text(steps[i], here, "from");
    step.to = r.text(steps[i], here, "to");
    step.text = r.text(steps[i], here, "text");
    if (step.from.empty()) r.fail(here + ".from", "empty");
    for (const std::string& node : {step.from, step.to}) {
      const auto& all = out.participants;
      if (!node.empty() && std::find(all.begin(), all.end(), node) == all.end()) {
        r.fail(here, "names " + node + ", not a participant");
      }
    }
    out.steps.push_back(std::move(step));
  }
  out.steps_left_out = r.count(s, at, "steps_left_out");
  return out;
}

ExploreFinding finding(const JsonReader& r, const json& f, const std::string& at) {
  ExploreFinding out;
  out.invariant = r.text(f, at, "invariant");
  out.violating_runs = r.count(f, at, "violating_runs");
  out.first_run = r.count(f, at, "first_run");
  out.seconds = r.real(f, at, "seconds");
  out.intent = r.text(f, at, "intent");
  out.evidence = r.text(f, at, "evidence");
  out.faults = r.texts(f, at, "faults");
  out.replay = r.text(f, at, "replay");
  out.sequence = sequence(r, r.member(f, at, "sequence"), at + ".sequence");
  if (out.first_run == 0) r.fail(at + ".first_run", "0: runs count from 1");
  return out;
}

ExploreStrategy strategy(const JsonReader& r, const json& s, const std::string& at) {
  ExploreStrategy out;
  out.strategy = r.text(s, at, "strategy");
  out.runs = r.count(s, at, "runs");
  out.exhausted = r.boolean(s, at, "exhausted");
  out.seconds = r.real(s, at, "seconds");
  out.interleavings = r.count(s, at, "interleavings");
  out.interleavings_exact = r.boolean(s, at, "interleavings_exact");
  out.pairs_covered = r.count(s, at, "pairs_covered");
  out.pairs_seen = r.count(s, at, "pairs_seen");
  const json& progress = r.list(s, at, "progress");
  for (std::size_t i = 0; i < progress.size(); ++i) {
    const std::string here = JsonReader::at(at + ".progress", i);
    scenarios::SearchProgress p;
    p.runs = r.count(progress[i], here, "runs");
    p.pairs_covered = r.count(progress[i], here, "pairs_covered");
    p.pairs_seen = r.count(progress[i], here, "pairs_seen");
    p.interleavings = r.count(progress[i], here, "interleavings");
    if (!out.progress.empty() && p.runs <= out.progress.back().runs) r.fail(here + ".runs", "not after the point before");
    out.progress.push_back(p);
  }
  const json& findings = r.list(s, at, "violations");
  for (std::size_t i = 0; i < findings.size(); ++i) out.findings.push_back(finding(r, findings[i], JsonReader::at(at + ".violations", i)));
  const json& unjudged = r.member(s, at, "unjudged");
  if (!unjudged.is_object()) r.fail(at + ".unjudged", "not an object");
  for (const auto& [kind, runs] : unjudged.items()) out.unjudged[kind] = r.count(runs, at + ".unjudged." + kind);
  return out;
}

}  // namespace

std::string explore_results_text(const ExploreResults& results) {
  ordered_json strategies = ordered_json::array();
  for (const ExploreStrategy& s : results.strategies) strategies.push_back(strategy_json(s));
  const ordered_json root = {{"format", kExploreFormat},   {"version", results.version}, {"command", results.command},
                             {"scenario", results.scenario}, {"mode", results.mode},       {"seed", results.seed},
                             {"max_runs", results.max_runs}, {"strategies", std::move(strategies)}};
  return root.dump(1) + "\n";
}

ExploreResults parse_explore_results(const std::string& text, const std::string& where) {
  const JsonReader r(where);
  const json root = r.root(text, kExploreFormat, "the --json results of idemlab explore");
  ExploreResults out;
  out.path = where;
  out.version = r.text(root, "$", "version");
  out.command = r.text(root, "$", "command");
  out.scenario = r.text(root, "$", "scenario");
  out.mode = r.text(root, "$", "mode");
  if (out.mode != "placements" && out.mode != "swarm" && out.mode != "schedules") {
    r.fail("$.mode", "not placements, swarm or schedules");
  }
  out.seed = r.count(root, "$", "seed");
  out.max_runs = r.count(root, "$", "max_runs");
  const json& strategies = r.list(root, "$", "strategies", true);
  for (std::size_t i = 0; i < strategies.size(); ++i) out.strategies.push_back(strategy(r, strategies[i], JsonReader::at("$.strategies", i)));
  return out;
}

}  // namespace idemlab::plots
