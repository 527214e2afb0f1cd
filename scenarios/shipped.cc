#include "scenarios/shipped.h"

#include "scenarios/scenario_json.h"

namespace idemlab::scenarios {
namespace {

std::vector<Scenario> parse_group(const std::string& folder) {
  std::vector<Scenario> out;
  for (const ShippedScript& script : shipped_scripts()) {
    const std::string path = script.path;
    if (path.rfind(folder + "/", 0) != 0) continue;
    Scenario scenario = parse_scenario(script.text, "scenarios/" + path);
    // A shipped script is named after its file ("<order>-<name>.json"), so
    // that users find one from the other; the order is that of the tables.
    const std::size_t dash = path.find('-', folder.size() + 1);
    if (dash == std::string::npos || path.substr(dash + 1) != scenario.name + ".json") {
      throw ScenarioError("scenarios/" + path + ": $.name: \"" + scenario.name + "\" differs from the file name");
    }
    scenario.shipped = true;
    out.push_back(std::move(scenario));
  }
  return out;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<Scenario>& failure_scenarios() {
  static const std::vector<Scenario> kFailures = parse_group("failures");
  return kFailures;
}

const std::vector<Scenario>& catalogue_scenarios() {
  static const std::vector<Scenario> kCatalogue = parse_group("catalogue");
  return kCatalogue;
}

const std::vector<Scenario>& load_scenarios() {
  static const std::vector<Scenario> kLoad = parse_group("load");
  return kLoad;
}

std::vector<Scenario> shipped_scenarios() {
  std::vector<Scenario> all = failure_scenarios();
  all.insert(all.end(), catalogue_scenarios().begin(), catalogue_scenarios().end());
  return all;
}

Scenario find_scenario(const std::string& name_or_path) {
  if (ends_with(name_or_path, ".json")) return load_scenario_file(name_or_path);
  std::vector<Scenario> all = shipped_scenarios();
  all.insert(all.end(), load_scenarios().begin(), load_scenarios().end());
  for (const Scenario& scenario : all) {
    if (scenario.name == name_or_path) return scenario;
  }
  std::string known;
  for (const Scenario& scenario : all) known += " " + scenario.name;
  throw ScenarioError("unknown scenario '" + name_or_path + "' (a script file ends in .json; shipped:" + known + ")");
}

}  // namespace idemlab::scenarios
