#include "plots/sequence_svg.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "plots/report.h"

namespace idemlab::plots {
namespace {

using Kind = scenarios::SequenceStep::Kind;

constexpr int kColumn = 180;     // between lifelines
constexpr int kMargin = 16;
constexpr int kGutter = 76;      // the time of each row, at the left
constexpr int kRightRoom = 96;   // for the commands beside the last lifeline
constexpr int kHeader = 64;      // title and participant boxes
constexpr int kRow = 18;
constexpr double kCharWidth = 6.2;  // of the 11px font, roughly: to cut labels to fit

// XML text: HTML's escapes, and no control character (XML 1.0 has none).
std::string escaped(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return html_escaped(text);
}

// `text` cut to about `width` pixels, with an ellipsis. Cuts at a UTF-8
// character's start.
std::string fitted(const std::string& text, double width) {
  const auto most = static_cast<std::size_t>(std::max(4.0, width / kCharWidth));
  if (text.size() <= most) return text;
  std::size_t cut = most - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";
}

// A step's text on one line of the data file.
std::string one_line(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
  return text;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw PlotError(path + ": cannot be written");
}

std::string path_in(const std::string& dir, const std::string& file) {
  return dir.empty() || dir.back() == '/' ? dir + file : dir + "/" + file;
}

class Canvas {
 public:
  explicit Canvas(const scenarios::SequenceDiagram& d) : diagram_(d) {}

  int x_of(const std::string& node) const {
    const auto& p = diagram_.participants;
    const auto at = static_cast<int>(std::find(p.begin(), p.end(), node) - p.begin());
    return kMargin + kGutter + kColumn / 2 + at * kColumn;
  }

  // One step on row `row`; `marked`: it names the violating intent.
  void step(const scenarios::SequenceStep& s, int row, bool marked) {
    const int y = kHeader + 14 + row * kRow;
    const int from = x_of(s.from);
    out_ << "<g class=\"" << scenarios::step_kind_name(s.kind) << (marked ? " marked" : "") << "\"><title>"
         << escaped(s.from + (s.to.empty() ? "" : " -> " + s.to) + ": " + s.text) << "</title>";
    if (marked) {
      out_ << "<rect x=\"0\" y=\"" << y - kRow + 4 << "\" width=\"" << width() << "\" height=\"" << kRow
           << "\" fill=\"#fff3c4\"/>";
    }
    char when[32];
    std::snprintf(when, sizeof when, "%.3f ms", static_cast<double>(s.at) / 1e6);
    out_ << "<text x=\"" << kMargin + kGutter - 8 << "\" y=\"" << y << "\" text-anchor=\"end\" font-size=\"9\" "
         << "fill=\"#777\">" << when << "</text>";
    switch (s.kind) {
      case Kind::kCall:
      case Kind::kReply:
      case Kind::kLostReply:
      case Kind::kLostRequest: arrow(s, from, x_of(s.to), y); break;
      case Kind::kOutcome: box(s.text, from, y, "#e8f0fe", "#4a6fa5", "#1b1b1b"); break;
      case Kind::kEvent: box(s.text, from, y, "#fde2e1", "#b71c1c", "#8b0000"); break;
      case Kind::kCommand:
        out_ << "<text x=\"" << from + 6 << "\" y=\"" << y << "\" fill=\"#555\" font-size=\"10\">"
             << escaped(fitted(s.text, kColumn - 12)) << "</text>";
        break;
    }
    out_ << "</g>\n";
  }

  int width() const {
    return 2 * kMargin + kGutter + kRightRoom + std::max<int>(1, static_cast<int>(diagram_.participants.size())) * kColumn;
  }

  std::string svg(const std::string& title, std::size_t rows, std::size_t left_out) const {
    const int height = kHeader + 24 + static_cast<int>(rows) * kRow + (left_out > 0 ? kRow : 0);
    std::ostringstream svg;
    svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width()
        << "\" height=\"" << height << "\" viewBox=\"0 0 " << width() << " " << height
        << "\" font-family=\"sans-serif\" font-size=\"11\">\n<title>" << escaped(title) << "</title>\n"
        << "<defs><marker id=\"seqArrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
           "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>"
           "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    svg << "<text x=\"" << kMargin << "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">"
        << escaped(fitted(title, width() - 2 * kMargin)) << "</text>\n";
    for (const std::string& node : diagram_.participants) {
      const int x = x_of(node);
      svg << "<g class=\"participant\"><title>" << escaped(node) << "</title><rect x=\"" << x - kColumn / 2 + 10
          << "\" y=\"28\" width=\"" << kColumn - 20 << "\" height=\"24\" rx=\"3\" fill=\"#f0f0f0\" stroke=\"#888\"/>"
          << "<text x=\"" << x << "\" y=\"44\" text-anchor=\"middle\">" << escaped(fitted(node, kColumn - 28))
          << "</text><line x1=\"" << x << "\" y1=\"52\" x2=\"" << x << "\" y2=\"" << height - 8
          << "\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/></g>\n";
    }
    svg << out_.str();
    if (left_out > 0) {
      svg << "<text x=\"" << kMargin << "\" y=\"" << height - 12 << "\" fill=\"#555\">... and " << left_out
          << " more steps, left out</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
  }

 private:
  void arrow(const scenarios::SequenceStep& s, int from, int to, int y) {
    const bool lost = s.kind == Kind::kLostReply || s.kind == Kind::kLostRequest;
    const char* dash = s.kind == Kind::kCall || s.kind == Kind::kLostRequest ? "" : " stroke-dasharray=\"5 3\"";
    const std::string label = s.text + (s.kind == Kind::kLostReply     ? " (reply lost)"
                                        : s.kind == Kind::kLostRequest ? " (request lost)"
                                                                       : "");
    if (from == to) {  // a node calling itself: a small loop
      out_ << "<path d=\"M" << from << "," << y - 6 << " h24 v8 h-22\" fill=\"none\" stroke=\"#333\"" << dash
           << " marker-end=\"url(#seqArrow)\"/><text x=\"" << from + 28 << "\" y=\"" << y << "\">"
           << escaped(fitted(label, kColumn - 32)) << "</text>";
      return;
    }
    const int end = lost ? from + (to - from) * 2 / 3 : to;
    out_ << "<line x1=\"" << from << "\" y1=\"" << y << "\" x2=\"" << end << "\" y2=\"" << y << "\" stroke=\""
         << (lost ? "#b71c1c" : "#333") << "\"" << dash << (lost ? "" : " marker-end=\"url(#seqArrow)\"") << "/>";
    if (lost) {
      out_ << "<path d=\"M" << end - 4 << "," << y - 4 << " l8,8 m0,-8 l-8,8\" stroke=\"#b71c1c\" stroke-width=\"2\"/>";
    }
    const int middle = (from + end) / 2;
    out_ << "<text x=\"" << middle << "\" y=\"" << y - 3 << "\" text-anchor=\"middle\" font-size=\"10\""
         << (lost ? " fill=\"#b71c1c\"" : "") << ">" << escaped(fitted(label, std::abs(end - from) - 8)) << "</text>";
  }

  void box(const std::string& text, int x, int y, const char* fill, const char* stroke, const char* ink) {
    const int w = kColumn - 16;
    out_ << "<rect x=\"" << x - w / 2 << "\" y=\"" << y - 12 << "\" width=\"" << w << "\" height=\"" << kRow - 2
         << "\" rx=\"2\" fill=\"" << fill << "\" stroke=\"" << stroke << "\"/><text x=\"" << x << "\" y=\"" << y
         << "\" text-anchor=\"middle\" font-size=\"10\" fill=\"" << ink << "\">" << escaped(fitted(text, w - 6))
         << "</text>";
  }

  const scenarios::SequenceDiagram& diagram_;
  std::ostringstream out_;
};

}  // namespace

Drawn draw(const SequenceFigure& figure, const std::string& dir) {
  const scenarios::SequenceDiagram& d = figure.diagram;
  if (d.participants.empty()) throw PlotError(figure.name + ": no participant to draw");
  Canvas canvas(d);
  std::ostringstream data;
  data << "# idemlab plot: " << figure.name << "\n# title: " << figure.title << "\n# source: " << figure.source
       << "\n# columns: row at_ns kind from to marked text (participants: ";
  for (std::size_t i = 0; i < d.participants.size(); ++i) data << (i > 0 ? " " : "") << d.participants[i];
  data << ")\n";
  for (std::size_t row = 0; row < d.steps.size(); ++row) {
    const scenarios::SequenceStep& s = d.steps[row];
    const bool marked = !figure.intent.empty() && s.text.find(figure.intent) != std::string::npos;
    canvas.step(s, static_cast<int>(row), marked);
    data << row << "\t" << s.at << "\t" << scenarios::step_kind_name(s.kind) << "\t" << s.from << "\t" << (s.to.empty() ? "-" : s.to)
         << "\t" << (marked ? 1 : 0) << "\t" << one_line(s.text) << "\n";
  }
  write_text(path_in(dir, figure.name + ".dat"), data.str());
  write_text(path_in(dir, figure.name + ".svg"), canvas.svg(figure.title, d.steps.size(), d.steps_left_out));
  return Drawn{figure.name, figure.title, figure.caption, figure.source, "sequence", figure.name + ".svg", "",
               figure.name + ".dat"};
}

}  // namespace idemlab::plots
