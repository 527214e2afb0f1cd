// Reading inputs and writing outputs without losing anything: an output file
// is written beside its target and renamed over it, so a failure leaves the
// old file whole. Failures throw UsageError naming the path.
#pragma once

#include <string>

namespace idemlab::cli {

std::string read_file(const std::string& path);
void write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace idemlab::cli
