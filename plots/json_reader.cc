#include "plots/json_reader.h"

#include "sim/strict_json.h"

namespace idemlab::plots {

nlohmann::json JsonReader::root(const std::string& contents, const char* format, const char* what) const {
  json out;
  try {
    out = sim::parse_strict_json(contents);
  } catch (const sim::JsonError& e) {
    throw PlotError(where() + ": " + e.what());
  }
  if (text(out, "$", "format") != format) fail("$.format", std::string("not ") + format + " (not " + what + ")");
  return out;
}

}  // namespace idemlab::plots
