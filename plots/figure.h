// A figure as data: what `idemlab plot` draws, what its data file holds and
// what the report says of it. Figures are built from results files (sweep,
// load) by the *_figures.cc files and drawn by gnuplot (gnuplot.h), which
// reads the data file written beside each drawing, so a test can read the
// plotted numbers back.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace idemlab::plots {

// Bad input for a figure (a results file missing, truncated or of another
// kind; an unwritable directory; gnuplot failing): one line, naming what
// and where.
class PlotError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Series {
  std::string title;
  std::vector<std::pair<double, double>> points;  // x, y; drawn in this order
  // Empty, or one (low, high) a point: the interval drawn as an error bar.
  std::vector<std::pair<double, double>> errors = {};
};

// Lines (with points) over an x axis, one per series.
struct Chart {
  std::string name;     // file stem: NAME.svg, NAME.png, NAME.dat, NAME.gp
  std::string title;
  std::string caption;  // one or two sentences: what it shows, for the report's figure caption
  std::string source;   // the results file, and the command that made it if known
  std::string x_label;
  std::string y_label;
  bool log_x = false;
  bool log_y = false;
  bool steps = false;  // staircase (a CDF) instead of straight segments
  std::optional<double> y_min;
  std::optional<double> y_max;
  // A window of the x axis shaded (a trigger: the processor slowdown).
  std::optional<std::pair<double, double>> shaded;
  // Bars instead of lines: x is an index into these names, and the series
  // stand side by side at each.
  std::vector<std::string> categories;
  bool bar_values = false;  // each bar labelled with its value (a short bar stays readable)
  std::vector<Series> series;
};

// Rows x columns of cells: the sweep's strategies x scenarios.
struct HeatCell {
  enum class State : std::uint8_t {
    kSafe,      // runs were disturbed and no invariant broke
    kViolated,  // `share` of the runs broke an invariant
    kUntested,  // nothing the scenario does reached the strategy
    kUnjudged,  // runs ended without a verdict (no convergence, set-up failed)
  };
  std::size_t row = 0;
  std::size_t column = 0;
  State state = State::kSafe;
  double share = 0;   // runs with a violation / runs
  std::string label;  // short text in the cell
};

struct Heatmap {
  std::string name;
  std::string title;
  std::string caption;
  std::string source;
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<HeatCell> cells;
};

const char* state_name(HeatCell::State state);

// What was drawn: the files, relative to the output directory.
struct Drawn {
  std::string name;
  std::string title;
  std::string caption;
  std::string source;
  std::string kind;  // "chart" or "heatmap"
  std::string svg;
  std::string png;
  std::string data;
  std::string origin = {};  // the results file it was drawn from (set by the caller)
};

}  // namespace idemlab::plots
