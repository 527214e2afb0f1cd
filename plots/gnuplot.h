// Draws figures with gnuplot (Debian's gnuplot-nox): for each, NAME.dat
// (the numbers, with a header naming the columns), NAME.gp (the script,
// which reads NAME.dat) and NAME.svg and NAME.png, in `dir`. Text is set
// with noenhanced, so a strategy's underscores stay underscores; no font
// or file outside `dir` is referred to.
#pragma once

#include <string>

#include "plots/figure.h"

namespace idemlab::plots {

// Throws PlotError: `dir` cannot be written, gnuplot is missing or fails
// (its first line of complaint is in the message).
Drawn draw(const Chart& chart, const std::string& dir);
Drawn draw(const Heatmap& heatmap, const std::string& dir);

// A gnuplot string literal of `text`.
std::string quoted(const std::string& text);

}  // namespace idemlab::plots
