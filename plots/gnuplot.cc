#include "plots/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace idemlab::plots {
namespace {

constexpr const char* kFont = "sans,11";

std::string number(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.12g", v);
  return text;
}

std::string path_in(const std::string& dir, const std::string& file) {
  return dir.empty() || dir.back() == '/' ? dir + file : dir + "/" + file;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw PlotError(path + ": cannot be written");
}

// The first line gnuplot complained with, or "".
std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) return line;
  }
  return "";
}

// Runs `gnuplot SCRIPT`, its output to SCRIPT.log; throws PlotError if it fails.
void run_gnuplot(const std::string& script) {
  const std::string log = script + ".log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::string program = "gnuplot";
  std::string argument = script;
  char* argv[] = {program.data(), argument.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw PlotError(std::string("gnuplot: cannot be run (") + std::strerror(spawned) +
                    "); scripts/setup installs gnuplot-nox");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw PlotError("gnuplot: lost track of it (waitpid failed)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = first_line_of(log);
    throw PlotError(script + ": gnuplot failed" + (why.empty() ? std::string() : ": " + why));
  }
  std::remove(log.c_str());
}

// The terminal lines of both drawings, then the commands `body` drew with.
std::string both_terminals(const std::string& dir, const std::string& name, int width, int height,
                           const std::string& body) {
  std::ostringstream gp;
  gp << "set terminal svg size " << width << "," << height << " noenhanced font " << quoted(kFont)
     << " background rgb \"white\"\n"
     << "set output " << quoted(path_in(dir, name + ".svg")) << "\n"
     << body << "set terminal pngcairo size " << width << "," << height << " noenhanced font " << quoted(kFont)
     << " background rgb \"white\"\n"
     << "set output " << quoted(path_in(dir, name + ".png")) << "\n"
     << "replot\nset output\n";
  return gp.str();
}

Drawn finish(const std::string& dir, const std::string& name, const std::string& title, const std::string& caption,
             const std::string& source, const char* kind, const std::string& data, const std::string& script) {
  write_text(path_in(dir, name + ".dat"), data);
  const std::string gp = path_in(dir, name + ".gp");
  write_text(gp, script);
  run_gnuplot(gp);
  return Drawn{name, title, caption, source, kind, name + ".svg", name + ".png", name + ".dat"};
}

std::string data_header(const std::string& name, const std::string& title, const std::string& source,
                        const std::string& columns) {
  std::ostringstream out;
  out << "# idemlab plot: " << name << "\n# title: " << title << "\n# source: " << source << "\n# columns: " << columns
      << "\n";
  return out.str();
}

// A share of runs broken, 0..1, as a red from light to dark.
int violated_rgb(double share) {
  const double t = std::clamp(share, 0.0, 1.0);
  const auto mix = [t](int light, int dark) { return static_cast<int>(std::lround(light + (dark - light) * t)); };
  return (mix(0xf4, 0xb7) << 16) | (mix(0xb4, 0x1c) << 8) | mix(0xb4, 0x1c);
}

int state_rgb(const HeatCell& cell) {
  switch (cell.state) {
    case HeatCell::State::kSafe: return 0x9ccc9c;
    case HeatCell::State::kViolated: return violated_rgb(cell.share);
    case HeatCell::State::kUntested: return 0xffffff;
    case HeatCell::State::kUnjudged: return 0xffd54f;
  }
  return 0;
}

std::string tics(const std::vector<std::string>& names) {
  std::string out = "(";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += quoted(names[i]) + " " + std::to_string(i);
  }
  return out + ")";
}

}  // namespace

const char* state_name(HeatCell::State state) {
  switch (state) {
    case HeatCell::State::kSafe: return "safe";
    case HeatCell::State::kViolated: return "violated";
    case HeatCell::State::kUntested: return "untested";
    case HeatCell::State::kUnjudged: return "unjudged";
  }
  return "?";
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

Drawn draw(const Chart& chart, const std::string& dir) {
  std::vector<const Series*> drawn;
  for (const Series& s : chart.series) {
    if (!s.points.empty()) drawn.push_back(&s);
  }
  if (drawn.empty()) throw PlotError(chart.name + ": no point to draw");
  std::string data = data_header(chart.name, chart.title, chart.source, chart.x_label + " | " + chart.y_label);
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    if (i > 0) data += "\n\n";  // gnuplot's index separator
    const Series& series = *drawn[i];
    if (!series.errors.empty() && series.errors.size() != series.points.size()) {
      throw PlotError(chart.name + ": series " + series.title + " has " + std::to_string(series.errors.size()) +
                      " error bars for " + std::to_string(series.points.size()) + " points");
    }
    data += "# series " + std::to_string(i) + ": " + series.title + (series.errors.empty() ? "" : " (x y low high)") + "\n";
    for (std::size_t p = 0; p < series.points.size(); ++p) {
      std::vector<double> columns{series.points[p].first, series.points[p].second};
      if (!series.errors.empty()) columns.insert(columns.end(), {series.errors[p].first, series.errors[p].second});
      for (std::size_t c = 0; c < columns.size(); ++c) data.append(c == 0 ? "" : " ").append(number(columns[c]));
      data += "\n";
    }
  }
  std::ostringstream body;
  body << "set title " << quoted(chart.title) << "\nset xlabel " << quoted(chart.x_label) << "\nset ylabel "
       << quoted(chart.y_label) << "\nset grid lc rgb \"#dddddd\"\nset key outside right top\n"
       << "set border 3\nset tics nomirror\n";
  if (chart.log_x) body << "set logscale x\n";
  if (chart.log_y) body << "set logscale y\n";
  body << "set yrange [" << (chart.y_min ? number(*chart.y_min) : "*") << ":"
       << (chart.y_max ? number(*chart.y_max) : "*") << "]\n";
  if (chart.shaded) {
    body << "set object 1 rect from " << number(chart.shaded->first) << ", graph 0 to " << number(chart.shaded->second)
         << ", graph 1 behind fc rgb \"#eeeeee\" fs solid noborder\n";
  }
  const std::string dat = quoted(path_in(dir, chart.name + ".dat"));
  const double width = 0.8 / static_cast<double>(drawn.size());
  if (!chart.categories.empty()) {
    body << "set xtics " << tics(chart.categories) << " rotate by 30 right\nset xrange [-0.6:"
         << number(static_cast<double>(chart.categories.size()) - 0.4) << "]\nset boxwidth " << number(width)
         << "\nset style fill solid 0.85 noborder\nset xzeroaxis lt -1\n";
  }
  body << "plot ";
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    if (i > 0) body << ", \\\n     ";
    if (!chart.categories.empty()) {
      const double shift = (static_cast<double>(i) - (static_cast<double>(drawn.size()) - 1) / 2) * width;
      body << dat << " index " << i << " using ($1 + " << number(shift) << "):2 with boxes title "
           << quoted(drawn[i]->title);
      if (!drawn[i]->errors.empty()) {  // as flat-capped vectors: yerrorbars would mark the value with a point
        body << ", \\\n     " << dat << " index " << i << " using ($1 + " << number(shift)
             << "):3:(0):($4 - $3) with vectors heads size screen 0.006,90 lc rgb \"#222222\" lw 1.2 notitle";
      }
      if (chart.bar_values) {
        body << ", \\\n     " << dat << " index " << i << " using ($1 + " << number(shift)
             << "):2:(sprintf(\"%g\", $2)) with labels offset 0,0.6 font \",8\" notitle";
      }
      continue;
    }
    const bool bars = !drawn[i]->errors.empty();
    body << dat << " index " << i << " using 1:2" << (bars ? ":3:4" : "") << " with "
         << (bars ? "yerrorlines pt 7 ps 0.6" : chart.steps ? "steps" : "linespoints pt 7 ps 0.6") << " lw 2 title "
         << quoted(drawn[i]->title);
  }
  body << "\n";
  return finish(dir, chart.name, chart.title, chart.caption, chart.source, "chart", data,
                both_terminals(dir, chart.name, 860, 480, body.str()));
}

Drawn draw(const Heatmap& map, const std::string& dir) {
  if (map.rows.empty() || map.columns.empty()) throw PlotError(map.name + ": no cell to draw");
  std::string data =
      data_header(map.name, map.title, map.source, "column row share state rgb label (index 0: every cell)");
  std::string untested;
  for (const HeatCell& c : map.cells) {
    const std::string line = std::to_string(c.column) + " " + std::to_string(c.row) + " " + number(c.share) + " " +
                             state_name(c.state) + " " + std::to_string(state_rgb(c)) + " " + quoted(c.label) + "\n";
    data += line;
    if (c.state == HeatCell::State::kUntested) untested += line;
  }
  // Index 1 repeats the untested cells, which get a hatch on top.
  data += "\n\n# untested cells again (hatched)\n" + (untested.empty() ? std::string("-10 -10 0 none 0 \"\"\n") : untested);
  const int width = 260 + 58 * static_cast<int>(map.columns.size());
  const int height = 230 + 30 * static_cast<int>(map.rows.size());
  const std::string dat = quoted(path_in(dir, map.name + ".dat"));
  std::ostringstream body;
  body << "set title " << quoted(map.title) << "\nunset colorbox\nset border 0\nset tics scale 0\n"
       << "set xrange [-0.5:" << map.columns.size() - 0.5 << "]\nset yrange [" << map.rows.size() - 0.5 << ":-0.5]\n"
       << "set xtics " << tics(map.columns) << " rotate by 40 right font \",9\"\n"
       << "set ytics " << tics(map.rows) << " font \",10\"\n"
       << "set key below horizontal\nset style fill solid 1.0 border lc rgb \"#ffffff\"\n"
       << "plot " << dat << " index 0 using 1:2:(0.5):(0.5):5 with boxxyerror fc rgb variable notitle, \\\n"
       << "     " << dat
       << " index 1 using 1:2:(0.5):(0.5) with boxxyerror fs pattern 4 border lc rgb \"#bbbbbb\" lc rgb \"#999999\" "
          "notitle, \\\n"
       << "     " << dat << " index 0 using 1:2:6 with labels font \",8\" notitle, \\\n"
       << "     keyentry with boxes fc rgb \"#9ccc9c\" title \"safe: disturbed, nothing broke\", \\\n"
       << "     keyentry with boxes fc rgb \"#b71c1c\" title \"share of runs that broke an invariant\", \\\n"
       << "     keyentry with boxes fs pattern 4 lc rgb \"#999999\" title \"untested: no fault reached it\", \\\n"
       << "     keyentry with boxes fc rgb \"#ffd54f\" title \"no verdict\"\n";
  return finish(dir, map.name, map.title, map.caption, map.source, "heatmap", data,
                both_terminals(dir, map.name, width, height, body.str()));
}

}  // namespace idemlab::plots
