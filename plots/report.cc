#include "plots/report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "plots/figures.h"
#include "plots/report_sections.h"

namespace idemlab::plots {
namespace {

constexpr const char* kStyle = R"(
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 72rem; padding: 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-top: 1px solid var(--rule); padding-top: 1rem; }
h3 { font-size: 1.1rem; }
code, pre { font: 0.85rem/1.4 ui-monospace, monospace; }
pre { white-space: pre-wrap; word-break: break-all; background: #f5f5f5; padding: 0.5rem; border-radius: 4px; }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.9rem; }
.scroll { overflow-x: auto; }
td code { word-break: break-all; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.5rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; position: sticky; top: 0; }
td.violated { background: #f4c7c3; } td.safe { background: #d7ecd7; }
td.untested { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #e4e4e4 4px, #e4e4e4 8px); }
td.unjudged { background: #ffe9a8; }
nav ul { columns: 2 16rem; }
.sequence { max-height: 80vh; overflow: auto; border: 1px solid var(--rule); }
.sequence svg { width: auto; max-width: none; }
@media print { body { max-width: none; font-size: 11pt; } nav { display: none; } h2 { break-before: page; }
               .sequence { max-height: none; overflow: visible; } .sequence svg { width: 100%; } }
)";

// The SVG as gnuplot wrote it, made an inline image: no XML prolog, its
// ids made its own (several SVGs share a page), its title the figure's.
std::string inline_svg(const std::string& path, const std::string& prefix, const std::string& title) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PlotError(path + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string svg = buffer.str();
  const std::size_t start = svg.find("<svg");
  if (start == std::string::npos) throw PlotError(path + ": not an SVG");
  svg.erase(0, start);
  const auto replace_all = [&svg](const std::string& from, const std::string& to) {
    for (std::size_t at = svg.find(from); at != std::string::npos; at = svg.find(from, at + to.size())) {
      svg.replace(at, from.size(), to);
    }
  };
  for (const char* id : {"gnuplot_canvas", "gnuplot_plot_", "gpDot", "gpPat", "gpPt", "greybox", "textbox", "seq"}) {
    const std::string name = id;
    replace_all("id='" + name, "id='" + prefix + name);
    replace_all("id=\"" + name, "id=\"" + prefix + name);
    replace_all("#" + name, "#" + prefix + name);
  }
  replace_all("<title>Gnuplot</title>", "<title>" + html_escaped(title) + "</title>");
  replace_all("<svg ", "<svg role=\"img\" aria-label=\"" + html_escaped(title) + "\" ");
  return svg;
}

std::string sweep_table(const scenarios::SweepFile& f) {
  std::ostringstream out;
  out << "<div class=\"scroll\"><table><caption>Runs with a violation of " << f.seeds
      << " seeds a cell: violated (share), safe (reached and held), untested (nothing the scenario does reached the "
         "strategy), no verdict</caption><thead><tr><th scope=\"col\">scenario</th>";
  for (const std::string& s : f.strategies) out << "<th scope=\"col\">" << html_escaped(s) << "</th>";
  out << "</tr></thead><tbody>";
  for (std::size_t sc = 0; sc < f.scenarios.size(); ++sc) {
    out << "<tr><th scope=\"row\">" << html_escaped(f.scenarios[sc]) << "</th>";
    for (std::size_t st = 0; st < f.strategies.size(); ++st) {
      const scenarios::SweepResult& r = f.cells[sc * f.strategies.size() + st];
      const HeatCell cell = heat_cell(r);
      std::string text = cell.label;
      for (const auto& [invariant, tally] : r.violated) {
        text += "<br>" + html_escaped(invariant) + " " + std::to_string(tally.runs) + "/" + std::to_string(r.runs) +
                " (seed " + std::to_string(tally.example_seed) + ")";
      }
      out << "<td class=\"" << state_name(cell.state) << "\">" << text << "</td>";
    }
    out << "</tr>";
  }
  out << "</tbody></table></div>\n";
  return out.str();
}

// The sweep that made `f`, as a command (the scenarios and strategies it
// names are the file's, in its order).
std::string sweep_command(const SweepInput& in) {
  std::string command = "idemlab sweep";
  for (const std::string& s : in.file.scenarios) command += " --scenario " + s;
  for (const std::string& s : in.file.strategies) command += " --strategy " + s;
  command += " --seeds " + std::to_string(in.file.seeds) + " --first-seed " + std::to_string(in.file.first_seed);
  if (in.file.shard.count > 1) {
    command += " --shard " + std::to_string(in.file.shard.index) + "/" + std::to_string(in.file.shard.count);
  }
  return command + " --json " + in.path;
}

std::string load_command(const LoadResults& l) {
  std::string command = "idemlab load " + l.scenario;
  std::vector<std::string> strategies;
  std::map<std::string, std::vector<std::string>> values;
  for (const LoadPoint& p : l.points) {
    if (std::find(strategies.begin(), strategies.end(), p.strategy) == strategies.end()) strategies.push_back(p.strategy);
    for (const auto& [name, value] : p.settings) {
      std::vector<std::string>& seen = values[name];
      if (std::find(seen.begin(), seen.end(), value) == seen.end()) seen.push_back(value);
    }
  }
  for (const std::string& s : strategies) command += " --strategy " + s;
  for (const std::string& name : l.parameters) {
    std::string joined;
    for (const std::string& v : values[name]) joined += (joined.empty() ? "" : ",") + v;
    command += " --param " + name + "=" + joined;
  }
  return command + " --seeds " + std::to_string(l.seeds) + " --first-seed " + std::to_string(l.first_seed) +
         " --json " + l.path;
}

std::string load_table(const LoadResults& l) {
  std::ostringstream out;
  out << "<div class=\"scroll\"><table><caption>Per strategy and grid point</caption><thead><tr>"
         "<th scope=\"col\">strategy</th><th scope=\"col\">point</th><th scope=\"col\">offered/s</th>"
         "<th scope=\"col\">success</th><th scope=\"col\">goodput/s</th><th scope=\"col\">p50 ms</th>"
         "<th scope=\"col\">p99 ms</th><th scope=\"col\">attempts an intent</th><th scope=\"col\">violated</th>"
         "</tr></thead><tbody>";
  for (const LoadPoint& p : l.points) {
    std::string point, violated;
    for (const auto& [name, value] : p.settings) point += (point.empty() ? "" : ", ") + name + "=" + value;
    for (const auto& [invariant, runs] : p.violations) {
      violated += (violated.empty() ? "" : ", ") + invariant + " " + std::to_string(runs) + "/" + std::to_string(p.runs);
    }
    out << "<tr><th scope=\"row\">" << html_escaped(p.strategy) << "</th><td>" << html_escaped(point) << "</td><td>"
        << formatted(p.offered_per_s, "%.0f") << "</td><td>" << formatted(100 * p.success_rate, "%.1f%%") << "</td><td>"
        << formatted(p.goodput_per_s, "%.0f") << "</td><td>" << formatted(p.latency_p50_ns / 1e6, "%.1f") << "</td><td>"
        << formatted(p.latency_p99_ns / 1e6, "%.1f") << "</td><td>" << formatted(p.attempts_per_intent, "%.2f")
        << "</td><td>" << html_escaped(violated.empty() ? "none" : violated) << "</td></tr>";
  }
  out << "</tbody></table></div>\n";
  return out.str();
}

// The figures drawn from one results file: its charts and heatmaps, or
// (`diagrams`) its sequence diagrams, each in a box that scrolls.
std::string figures_of(const ReportInput& in, const std::string& source_path, std::size_t& counter,
                       bool diagrams = false) {
  std::ostringstream out;
  for (const Drawn& d : in.figures) {
    if (d.origin != source_path || (d.kind == "sequence") != diagrams) continue;
    const std::string prefix = "f" + std::to_string(++counter) + "_";
    const std::string svg = inline_svg(in.dir + "/" + d.svg, prefix, d.title);
    out << "<figure id=\"" << html_escaped(d.name) << "\">\n"
        << (diagrams ? "<div class=\"sequence\" tabindex=\"0\">" + svg + "</div>" : svg)
        << "\n<figcaption><strong>Figure " << counter << ". " << html_escaped(d.title) << ".</strong> "
        << html_escaped(d.caption) << " Data: <code>" << html_escaped(d.data) << "</code>"
        << (d.png.empty() ? "" : "; also <code>" + html_escaped(d.png) + "</code>") << ".</figcaption>\n</figure>\n";
  }
  return out.str();
}

}  // namespace

std::string html_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string report_html(const ReportInput& in) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>idemlab report</title>\n<style>"
      << kStyle << "</style>\n</head>\n<body>\n<header>\n<h1>idemlab report</h1>\n<p>Which idempotency strategy "
      << "survives which retries and faults, and at what cost: the results below, drawn by <code>"
      << html_escaped(in.version) << "</code>. Every simulated figure is deterministic for its seeds: the command "
      << "under each section makes its results again.</p>\n<pre>" << html_escaped(in.plot_command) << "</pre>\n"
      << "</header>\n<nav aria-label=\"Contents\"><h2>Contents</h2><ul>";
  for (const SweepInput& s : in.sweeps) {
    out << "<li><a href=\"#sweep-" << html_escaped(s.path) << "\">Sweep: " << html_escaped(s.path) << "</a></li>";
  }
  for (const LoadResults& l : in.loads) {
    out << "<li><a href=\"#load-" << html_escaped(l.path) << "\">Load: " << html_escaped(l.scenario) << "</a></li>";
  }
  for (const ExploreResults& e : in.explores) {
    out << "<li><a href=\"#explore-" << html_escaped(e.path) << "\">Exploration: " << html_escaped(e.scenario)
        << "</a></li>";
  }
  for (const ValidateResults& v : in.validates) {
    out << "<li><a href=\"#validate-" << html_escaped(v.path) << "\">Against the live servers: "
        << html_escaped(v.path) << "</a></li>";
  }
  for (const CalibrateResults& c : in.calibrations) {
    out << "<li><a href=\"#calibrate-" << html_escaped(c.path) << "\">Calibration: " << html_escaped(c.path)
        << "</a></li>";
  }
  const std::string cost = cost_section(in.sweeps, in.loads);
  if (!cost.empty()) out << "<li><a href=\"#cost\">The cost model</a></li>";
  out << "</ul></nav>\n<main>\n" << cost;
  std::size_t counter = 0;
  for (const SweepInput& s : in.sweeps) {
    out << "<section id=\"sweep-" << html_escaped(s.path) << "\">\n<h2>Strategies x scenarios: " << html_escaped(s.path)
        << "</h2>\n<p>" << s.file.scenarios.size() << " scenarios x " << s.file.strategies.size() << " strategies, "
        << s.file.seeds << " seeds a cell from seed " << s.file.first_seed << ", by <code>"
        << html_escaped(s.file.version) << "</code>" << (s.file.complete ? "" : " (interrupted: fewer runs)")
        << ". A run reproduces with <code>idemlab run SCENARIO --strategy NAME --seed N</code>; the sweep with:</p>\n<pre>"
        << html_escaped(sweep_command(s)) << "</pre>\n"
        << figures_of(in, s.path, counter) << sweep_table(s.file);
    const std::string diagrams = figures_of(in, s.path, counter, true);
    if (!diagrams.empty()) {
      out << "<h3>Counterexamples</h3>\n<p>For each invariant the sweep saw broken, its first run (the first "
             "scenario, then strategy, in the table's order), made again from its seed.</p>\n"
          << diagrams;
    }
    out << "</section>\n";
  }
  for (const LoadResults& l : in.loads) {
    out << "<section id=\"load-" << html_escaped(l.path) << "\">\n<h2>Load: " << html_escaped(l.scenario)
        << "</h2>\n<p>By <code>" << html_escaped(l.version) << "</code>:</p>\n<pre>" << html_escaped(load_command(l))
        << "</pre>\n"
        << figures_of(in, l.path, counter) << load_table(l) << "</section>\n";
  }
  for (const ExploreResults& e : in.explores) {
    const std::string figures = figures_of(in, e.path, counter);
    out << explore_section(e, figures, figures_of(in, e.path, counter, true));
  }
  for (const ValidateResults& v : in.validates) out << validate_section(v, figures_of(in, v.path, counter));
  for (const CalibrateResults& c : in.calibrations) out << calibrate_section(c, figures_of(in, c.path, counter));
  out << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace idemlab::plots
