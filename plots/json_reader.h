// Reading a results file strictly, for idemlab plot: sim/json_fields.h's
// checks, each failure a PlotError naming the file and the JSON path.
#pragma once

#include <string>

#include "plots/figure.h"
#include "sim/json_fields.h"

namespace idemlab::plots {

class JsonReader : public sim::JsonFields<PlotError> {
 public:
  using JsonFields::JsonFields;

  // Parses strictly (sim/strict_json.h) and checks $.format is `format`;
  // `what` says what such a file is ("the --json results of idemlab load").
  json root(const std::string& contents, const char* format, const char* what) const;
};

}  // namespace idemlab::plots
