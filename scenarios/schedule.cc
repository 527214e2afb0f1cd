#include "scenarios/schedule.h"

#include <cassert>

#include <nlohmann/json.hpp>

namespace idemlab::scenarios {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t kWidth = 110;

// JSON for people: a value that fits on the line stays on it; a long array of
// short items is packed several to a line (tapes, steps); anything else opens
// one line per member.
void pretty(const ordered_json& value, int depth, std::size_t used, std::string& out) {
  const std::string compact = value.dump(-1, ' ', false, ordered_json::error_handler_t::strict);
  if (!value.is_structured() || value.empty() || used + compact.size() <= kWidth) {
    // dump(-1) writes no spaces; add them after separators as a person would.
    std::string spaced;
    bool in_string = false;
    for (std::size_t i = 0; i < compact.size(); ++i) {
      const char c = compact[i];
      spaced += c;
      if (c == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
      if (!in_string && (c == ',' || c == ':')) spaced += ' ';
    }
    if (used + spaced.size() <= kWidth || !value.is_structured()) {
      out += spaced;
      return;
    }
  }
  const std::string indent(2 * (depth + 1), ' ');
  const std::string close_indent(2 * depth, ' ');
  if (value.is_object()) {
    out += "{\n";
    std::size_t i = 0;
    for (const auto& [key, member] : value.items()) {
      const std::string head = indent + ordered_json(key).dump() + ": ";
      out += head;
      pretty(member, depth + 1, head.size(), out);
      out += ++i < value.size() ? ",\n" : "\n";
    }
    out += close_indent + "}";
    return;
  }
  out += "[\n" + indent;
  std::size_t line = indent.size();
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string item;
    pretty(value[i], depth + 1, indent.size(), item);
    const bool last = i + 1 == value.size();
    const bool one_line = item.find('\n') == std::string::npos;
    if (i > 0) {
      if (one_line && line + item.size() + 2 <= kWidth) {
        out += " ";
        ++line;
      } else {
        out += "\n" + indent;
        line = indent.size();
      }
    }
    out += item + (last ? "" : ",");
    line += item.size() + 1;
  }
  out += "\n" + close_indent + "]";
}

std::string pretty_text(const ordered_json& root) {
  std::string out;
  pretty(root, 0, 0, out);
  return out + "\n";
}

}  // namespace

std::string script_with_schedule(const Scenario& scenario, const Schedule& schedule) {
  assert(!scenario.source.empty());
  ordered_json root = ordered_json::parse(scenario.source);
  ordered_json s = ordered_json::object();
  s["strategy"] = schedule.strategy;
  if (schedule.ties_on_tape) s["ties"] = "tape";
  s["seed"] = schedule.seed;
  s["faults_taken"] = schedule.faults_taken;
  ordered_json steps = ordered_json::array();
  for (const ScheduleStep& step : schedule.steps) steps.push_back({step.node, step.process, step.op});
  s["steps"] = std::move(steps);
  ordered_json tape = ordered_json::array();
  for (const sim::Draw& d : schedule.tape) tape.push_back({d.bound, d.value, sim::choice_name(d.choice)});
  s["tape"] = std::move(tape);
  root["schedule"] = std::move(s);
  return pretty_text(root);
}

std::string script_with_faults(const Scenario& scenario, const std::vector<TargetedFault>& faults) {
  assert(!scenario.source.empty());
  return script_with_faults(scenario.source, faults);
}

std::string script_with_faults(const std::string& source, const std::vector<TargetedFault>& faults) {
  ordered_json root = ordered_json::parse(source);
  root.erase("schedule");
  ordered_json list = ordered_json::array();
  for (const TargetedFault& f : faults) {
    ordered_json one = {{"at", f.point}, {"nth", f.nth}, {"action", action_name(f.action)}};
    if (f.action == TargetedFault::Action::kCrash && f.downtime_max > f.downtime) {
      one["downtime"] = {{"uniform", {sim::duration_text(f.downtime), sim::duration_text(f.downtime_max)}}};
    } else if (f.action == TargetedFault::Action::kCrash && f.downtime != TargetedFault{}.downtime) {
      one["downtime"] = sim::duration_text(f.downtime);
    }
    if (f.action == TargetedFault::Action::kDelay && f.delay > 0) one["delay"] = sim::duration_text(f.delay);
    list.push_back(std::move(one));
  }
  root["faults"] = std::move(list);
  return pretty_text(root);
}

}  // namespace idemlab::scenarios
