// The report's section for one exploration: what was searched and how, per
// strategy how far the search got, and each invariant's first
// counterexample (its faults, its evidence, the command that replays it),
// with the figures and sequence diagrams drawn from the file.
#include <cstdio>
#include <sstream>

#include "plots/report.h"
#include "plots/report_sections.h"

namespace idemlab::plots {
namespace {

std::string strategies_table(const ExploreResults& e) {
  std::ostringstream out;
  out << "<div class=\"scroll\"><table><caption>Per strategy: the search's size, and the invariants it broke"
         "</caption><thead><tr><th scope=\"col\">strategy</th><th scope=\"col\">runs</th>"
         "<th scope=\"col\">space</th><th scope=\"col\">distinct interleavings</th>"
         "<th scope=\"col\">(site, action) pairs placed</th><th scope=\"col\">violated (runs; first at run)</th>"
         "<th scope=\"col\">seconds</th></tr></thead><tbody>";
  for (const ExploreStrategy& s : e.strategies) {
    std::string violated;
    for (const ExploreFinding& f : s.findings) {
      violated += (violated.empty() ? "" : "<br>") + html_escaped(f.invariant) + " (" +
                  std::to_string(f.violating_runs) + "; run " + std::to_string(f.first_run) + ")";
    }
    for (const auto& [kind, runs] : s.unjudged) {
      violated += (violated.empty() ? "" : "<br>") + html_escaped(kind) + ": " + std::to_string(runs) + " runs, no verdict";
    }
    const char* space = e.mode == "swarm" ? "sampled" : s.exhausted ? "exhausted" : "cut";
    out << "<tr><th scope=\"row\">" << html_escaped(s.strategy) << "</th><td>" << s.runs << "</td><td>" << space
        << "</td><td>" << (s.interleavings_exact ? "" : "about ") << s.interleavings << "</td><td>"
        << (e.mode == "schedules" ? std::string("(no faults placed)")
                                  : std::to_string(s.pairs_covered) + " of " + std::to_string(s.pairs_seen))
        << "</td><td" << (s.findings.empty() ? " class=\"safe\"" : " class=\"violated\"") << ">"
        << (violated.empty() ? "none" : violated) << "</td><td>" << formatted(s.seconds, "%.1f") << "</td></tr>";
  }
  out << "</tbody></table></div>\n";
  return out.str();
}

std::string counterexamples_table(const ExploreResults& e) {
  std::ostringstream out;
  out << "<div class=\"scroll\"><table><caption>Each invariant's first counterexample: breadth first, so no run "
         "with fewer added faults broke it</caption><thead><tr><th scope=\"col\">strategy</th>"
         "<th scope=\"col\">invariant</th><th scope=\"col\">faults</th><th scope=\"col\">what broke</th>"
         "<th scope=\"col\">replay</th></tr></thead><tbody>";
  std::size_t rows = 0;
  for (const ExploreStrategy& s : e.strategies) {
    for (const ExploreFinding& f : s.findings) {
      std::string faults;
      for (const std::string& fault : f.faults) faults += (faults.empty() ? "" : "<br>") + html_escaped(fault);
      out << "<tr><th scope=\"row\">" << html_escaped(s.strategy) << "</th><td>" << html_escaped(f.invariant)
          << "</td><td>" << (faults.empty() ? "none added" : faults) << "</td><td>" << html_escaped(f.intent) << ": "
          << html_escaped(f.evidence) << "</td><td><code>" << html_escaped(f.replay.empty() ? "(no script)" : f.replay)
          << "</code></td></tr>";
      ++rows;
    }
  }
  out << "</tbody></table></div>\n";
  return rows == 0 ? "<p>No invariant broke in any run of the search.</p>\n" : out.str();
}

}  // namespace

std::string formatted(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string explore_section(const ExploreResults& e, const std::string& figures, const std::string& diagrams) {
  std::ostringstream out;
  out << "<section id=\"explore-" << html_escaped(e.path) << "\">\n<h2>Exploration: " << html_escaped(e.scenario)
      << " (" << html_escaped(e.mode) << ")</h2>\n<p>Seed " << e.seed << ", at most " << e.max_runs
      << " runs a strategy, by <code>" << html_escaped(e.version) << "</code>:</p>\n<pre>" << html_escaped(e.command)
      << "</pre>\n"
      << strategies_table(e) << figures << "<h3>Counterexamples</h3>\n" << counterexamples_table(e) << diagrams
      << "</section>\n";
  return out.str();
}

}  // namespace idemlab::plots
