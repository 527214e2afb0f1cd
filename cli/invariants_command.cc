// `idemlab invariants [NAME...]`: what each invariant means and how it is
// judged, as the checker's registry states it.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "checks/invariants.h"
#include "cli/commands.h"
#include "sim/strict_json.h"

namespace idemlab::cli {
namespace {

// `text` wrapped at 80 columns, each line indented by two spaces.
std::string wrapped(const std::string& text) {
  std::string out;
  std::string line = " ";
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (line.size() + 1 + word.size() > 80 && line.size() > 1) {
      out += line + "\n";
      line = " ";
    }
    line += " " + word;
    start = end + 1;
  }
  return out + line + "\n";
}

int list(const std::vector<std::string>& wanted) {
  for (const std::string& name : wanted) {
    if (!checks::is_invariant(name)) throw UsageError("unknown invariant " + sim::shown(name) + " (see idemlab invariants)");
  }
  const std::vector<std::string>& names = wanted.empty() ? checks::invariant_names() : wanted;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::printf("%s%s%s\n%s", i == 0 ? "" : "\n", names[i].c_str(),
                checks::is_liveness(names[i]) ? " (liveness: more time can still satisfy it)" : "",
                wrapped(checks::invariant_paragraph(names[i])).c_str());
  }
  return 0;
}

}  // namespace

void register_invariants(CLI::App& app, Commands& commands) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("invariants", "What each invariant means and how it is judged");
  cmd->add_option("names", *names, "Only these invariants");
  cmd->callback([names, &commands] { commands.selected = [names] { return list(*names); }; });
}

}  // namespace idemlab::cli
