// Reading a whole input file, with the reason when it cannot be read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "sim/strict_json.h"

namespace idemlab::sim {

// Reads `path` into `out`. Returns why not, as strerror says it ("No such
// file or directory", "Is a directory", "Permission denied") or "larger than
// N MiB"; nullopt on success. Reads FIFOs and devices (/dev/stdin) too, up
// to `max_bytes`.
std::optional<std::string> read_text_file(const std::string& path, std::string& out,
                                          std::size_t max_bytes = kJsonBytesMax);

}  // namespace idemlab::sim
