// A counterexample's sequence diagram (scenarios/sequence.h) drawn as SVG by
// idemlab itself, no Mermaid service or script: one column per node with
// its lifeline, one row per step (calls solid, replies dashed, a lost
// request or reply ending in a cross, faults in red over their node,
// client outcomes in boxes, backend commands beside their lifeline). Rows
// that name the violating intent are marked, so a reader finds the second
// charge. Every label's full text is its element's <title>.
#pragma once

#include <string>

#include "plots/figure.h"
#include "scenarios/sequence.h"

namespace idemlab::plots {

struct SequenceFigure {
  std::string name;  // file stem: NAME.svg and NAME.dat (the steps, one a line)
  std::string title;
  std::string caption;
  std::string source;
  std::string intent;  // rows whose text names it are marked; "" marks none
  scenarios::SequenceDiagram diagram;
};

// Throws PlotError: no participant, or `dir` cannot be written.
Drawn draw(const SequenceFigure& figure, const std::string& dir);

}  // namespace idemlab::plots
