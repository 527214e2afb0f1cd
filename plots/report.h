// report.html: one self-contained page of the results idemlab plot drew:
// per results file what made it (command, seeds, version), its table as an
// HTML table, and its figures as inline SVG with their captions. No
// network, no font, script or style sheet from outside the file; it reflows
// on a phone, prints one figure to a page region, and reads with a screen
// reader (each figure an img with its title, tables with headers).
#pragma once

#include <string>
#include <vector>

#include "plots/explore_results.h"
#include "plots/figure.h"
#include "plots/live_results.h"
#include "plots/load_results.h"
#include "scenarios/sweep_file.h"

namespace idemlab::plots {

struct SweepInput {
  std::string path;
  scenarios::SweepFile file;
};

struct ReportInput {
  std::string version;       // the idemlab that drew it
  std::string plot_command;  // how the report was made
  std::vector<SweepInput> sweeps;
  std::vector<LoadResults> loads;
  std::vector<ExploreResults> explores;
  std::vector<ValidateResults> validates;
  std::vector<CalibrateResults> calibrations;
  std::vector<Drawn> figures;  // in the order drawn; each from one of the files above
  std::string dir;             // where the figures' SVG files are
};

// Throws PlotError if a figure's SVG cannot be read.
std::string report_html(const ReportInput& input);

// `text` safe inside HTML text and attribute values.
std::string html_escaped(const std::string& text);

}  // namespace idemlab::plots
