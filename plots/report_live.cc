// The report's sections for the simulation beside the live servers: one
// validate run (per strategy the agreement and the latencies, then every
// run) and one calibration (each operation's live latency, then the
// calibrated simulation against live per strategy).
#include <sstream>

#include "plots/report.h"
#include "plots/report_sections.h"

namespace idemlab::plots {
namespace {

std::string ms(double ns) { return formatted(ns / 1e6, "%.2f"); }
std::string us(double ns) { return formatted(ns / 1e3, "%.1f"); }

std::string signed_error(double simulated, double real) {
  return real > 0 ? formatted(100 * (simulated - real) / real, "%+.0f%%") : "-";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// The latency columns' cells of one strategy: p50 and p99, each simulated,
// live and the error.
std::string latency_cells(const SimVsLive& s) {
  return "<td>" + ms(s.simulated.p50) + "</td><td>" + ms(s.real.p50) + "</td><td>" +
         signed_error(s.simulated.p50, s.real.p50) + "</td><td>" + ms(s.simulated.p99) + "</td><td>" +
         ms(s.real.p99) + "</td><td>" + signed_error(s.simulated.p99, s.real.p99) + "</td>";
}

constexpr const char* kLatencyHeads =
    "<th scope=\"col\">p50 ms simulated</th><th scope=\"col\">p50 ms live</th><th scope=\"col\">p50 error</th>"
    "<th scope=\"col\">p99 ms simulated</th><th scope=\"col\">p99 ms live</th><th scope=\"col\">p99 error</th>";

}  // namespace

std::string validate_section(const ValidateResults& v, const std::string& figures) {
  std::ostringstream out;
  out << "<section id=\"validate-" << html_escaped(v.path) << "\">\n<h2>Simulation against the live servers: "
      << html_escaped(v.path) << "</h2>\n<p>The same scenarios, strategies and seeds run in the simulator"
      << (v.calibration.empty() ? "" : " (calibrated with <code>" + html_escaped(v.calibration) + "</code>)")
      << " and on live Redis, PostgreSQL and RabbitMQ, by <code>" << html_escaped(v.version) << "</code>:</p>\n<pre>"
      << html_escaped(v.command) << "</pre>\n"
      << figures << "<div class=\"scroll\"><table><caption>Per strategy</caption><thead><tr>"
      << "<th scope=\"col\">strategy</th><th scope=\"col\">runs</th><th scope=\"col\">agree</th>"
      << "<th scope=\"col\">violating (simulated)</th><th scope=\"col\">violating (live)</th>" << kLatencyHeads
      << "</tr></thead><tbody>";
  for (const ValidateStrategy& s : v.strategies) {
    out << "<tr><th scope=\"row\">" << html_escaped(s.latency.strategy) << "</th><td>" << s.runs << "</td><td"
        << (s.agreeing == s.runs ? "" : " class=\"violated\"") << ">" << s.agreeing << "</td><td>"
        << s.simulated_violating << "</td><td>" << s.real_violating << "</td>" << latency_cells(s.latency) << "</tr>";
  }
  out << "</tbody></table></div>\n<div class=\"scroll\"><table><caption>Every run</caption><thead><tr>"
      << "<th scope=\"col\">scenario</th><th scope=\"col\">strategy</th><th scope=\"col\">seed</th>"
      << "<th scope=\"col\">violated (simulated)</th><th scope=\"col\">violated (live)</th>"
      << "<th scope=\"col\">agree</th></tr></thead><tbody>";
  for (const ValidateRun& r : v.runs) {
    out << "<tr><th scope=\"row\">" << html_escaped(r.scenario) << "</th><td>" << html_escaped(r.strategy)
        << "</td><td>" << r.seed << "</td><td>" << html_escaped(joined(r.simulated_violated)) << "</td><td>"
        << html_escaped(joined(r.real_violated)) << "</td><td" << (r.agree ? ">yes" : " class=\"violated\">no")
        << (r.drawn ? " (on invariants: faults drawn)" : "") << "</td></tr>";
  }
  out << "</tbody></table></div>\n";
  if (!v.not_run.empty()) {
    out << "<p>Not run on the live servers:</p>\n<ul>";
    for (const auto& [scenario, why] : v.not_run) {
      out << "<li><code>" << html_escaped(scenario) << "</code>: " << html_escaped(why) << "</li>";
    }
    out << "</ul>\n";
  }
  out << "</section>\n";
  return out.str();
}

std::string calibrate_section(const CalibrateResults& c, const std::string& figures) {
  std::ostringstream out;
  out << "<section id=\"calibrate-" << html_escaped(c.path) << "\">\n<h2>Calibration: " << html_escaped(c.path)
      << "</h2>\n<p>Measured on " << html_escaped(c.machine) << ", " << c.samples << " samples an operation, by <code>"
      << html_escaped(c.version) << "</code>:</p>\n<pre>" << html_escaped(c.command) << "</pre>\n"
      << figures << "<div class=\"scroll\"><table><caption>Each operation's live latency (us)</caption><thead><tr>"
      << "<th scope=\"col\">operation</th><th scope=\"col\">p5</th><th scope=\"col\">p50</th>"
      << "<th scope=\"col\">p95</th><th scope=\"col\">p99</th><th scope=\"col\">p50 under load</th>"
      << "<th scope=\"col\">p99 under load</th></tr></thead><tbody>";
  for (const CalibratedOperation& op : c.operations) {
    out << "<tr><th scope=\"row\">" << html_escaped(op.operation) << "</th><td>" << us(op.alone.p5) << "</td><td>"
        << us(op.alone.p50) << "</td><td>" << us(op.alone.p95) << "</td><td>" << us(op.alone.p99) << "</td><td>"
        << (op.under_load ? us(op.under_load->p50) : "-") << "</td><td>"
        << (op.under_load ? us(op.under_load->p99) : "-") << "</td></tr>";
  }
  out << "</tbody></table></div>\n";
  if (c.compare) {
    out << "<div class=\"scroll\"><table><caption>" << html_escaped(c.compare->scenario)
        << ": attempt latency, the calibrated simulation against live (targets: p50 within "
        << formatted(100 * c.compare->p50_tolerance, "%.0f%%") << ", p99 within "
        << formatted(100 * c.compare->p99_tolerance, "%.0f%%") << ")</caption><thead><tr><th scope=\"col\">strategy</th>"
        << kLatencyHeads << "</tr></thead><tbody>";
    for (const SimVsLive& s : c.compare->strategies) {
      out << "<tr><th scope=\"row\">" << html_escaped(s.strategy) << "</th>" << latency_cells(s) << "</tr>";
    }
    out << "</tbody></table></div>\n";
  }
  out << "</section>\n";
  return out.str();
}

}  // namespace idemlab::plots
