// Reading inputs and writing outputs without losing anything.
//
// An output is checked before the work that fills it starts
// (check_output), so that an unwritable destination never costs a whole
// sweep. Writing it then depends on what the destination is:
//   - absent or a regular file: written beside it (a hidden temporary file
//     in the same directory) and renamed over it, so a failure leaves the
//     old file whole and no partial file;
//   - a symbolic link: the same, at the file it points to (the link stays);
//   - a character device or a FIFO (/dev/stdout, a pipe): written into;
//   - a directory, a dangling link, a socket: refused.
// Every failure throws UsageError naming the path and the errno text.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace idemlab::cli {

std::string read_file(const std::string& path);

// Throws UsageError (naming `option` and the path) if `path` could not be
// written. REQUIRES: path is not empty.
void check_output(const std::string& option, const std::string& path);
// check_output for each (option, path) whose path is not empty.
void check_outputs(std::initializer_list<std::pair<const char*, const std::string&>> outputs);

void write_file_atomically(const std::string& path, const std::string& contents);

// Creates `dir` and its parents if missing; throws UsageError naming
// `option`, the directory and the reason.
void make_directories(const std::string& option, const std::string& dir);
// `text` made safe as one file name component (a scenario's name comes from
// a script anyone wrote): letters, digits, '_' and '-' kept, the rest '_',
// at most 80 characters.
std::string path_component(const std::string& text);

// "idemlab explore partial_failure --json 'a b.json'": the arguments as a
// POSIX shell would read them back, argv[0] as "idemlab", a URL's password
// as "***".
std::string shell_command(int argc, const char* const* argv);

}  // namespace idemlab::cli
