#include "cli/files.h"

#include <cassert>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "sim/text_file.h"

namespace idemlab::cli {
namespace {

std::string reason(int error) { return std::strerror(error); }

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Where an output really goes: the path itself, or what its symbolic links
// lead to. nullopt with `why` set when it cannot be written at all.
struct Destination {
  std::string path;
  bool in_place = false;  // a device or a FIFO: written into, not replaced
};

std::optional<Destination> destination(const std::string& path, std::string& why) {
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0) {
    if (errno != ENOENT) {
      why = reason(errno);
      return std::nullopt;
    }
    if (::access(directory_of(path).c_str(), W_OK) != 0) {
      why = reason(errno) + " (its directory " + directory_of(path) + ")";
      return std::nullopt;
    }
    return Destination{path, false};
  }
  struct stat info {};  // what the path leads to, through its links
  if (::stat(path.c_str(), &info) != 0) {
    why = S_ISLNK(link.st_mode) ? "a symbolic link that leads nowhere (" + reason(errno) + ")" : reason(errno);
    return std::nullopt;
  }
  if (S_ISDIR(info.st_mode)) {
    why = reason(EISDIR);
    return std::nullopt;
  }
  if (S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode)) {  // /dev/null, /dev/stdout, a pipe
    if (::access(path.c_str(), W_OK) != 0) {
      why = reason(errno);
      return std::nullopt;
    }
    return Destination{path, true};
  }
  std::string target = path;
  if (S_ISLNK(link.st_mode)) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) {
      why = "cannot follow its symbolic link (" + reason(errno) + ")";
      return std::nullopt;
    }
    target = resolved;
  }
  if (!S_ISREG(info.st_mode)) {
    why = "neither a regular file, a character device nor a FIFO";
    return std::nullopt;
  }
  if (::access(directory_of(target).c_str(), W_OK) != 0) {
    why = reason(errno) + " (its directory " + directory_of(target) + ", where it is replaced)";
    return std::nullopt;
  }
  return Destination{target, false};
}

// Writes all of `contents` to `fd`; the errno of the first failure, or 0.
int write_all(int fd, const std::string& contents) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

void write_in_place(const std::string& shown, const std::string& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError(shown + ": cannot write: " + reason(errno));
  const int error = write_all(fd, contents);
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (error != 0 || closed != 0) throw UsageError(shown + ": write failed: " + reason(error != 0 ? error : closed));
}

void replace(const std::string& shown, const std::string& path, const std::string& contents) {
  const std::size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string temporary = directory_of(path) + "/." + name + ".idemlab-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw UsageError(shown + ": cannot write: " + reason(errno));
  // The mode a new file gets (0666 less the umask), or the one it had.
  struct stat old {};
  mode_t mode = 0;
  if (::stat(path.c_str(), &old) == 0) {
    mode = old.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  int error = ::fchmod(fd, mode) == 0 ? 0 : errno;
  if (error == 0) error = write_all(fd, contents);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw UsageError(shown + ": write failed: " + reason(error));
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::string text;
  if (const std::optional<std::string> problem = sim::read_text_file(path, text)) {
    throw UsageError(path + ": cannot read: " + *problem);
  }
  return text;
}

void check_output(const std::string& option, const std::string& path) {
  assert(!path.empty());
  std::string why;
  if (!destination(path, why)) throw UsageError(option + " " + path + ": cannot write: " + why);
}

void check_outputs(std::initializer_list<std::pair<const char*, const std::string&>> outputs) {
  for (const auto& [option, path] : outputs) {
    if (!path.empty()) check_output(option, path);
  }
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  std::string why;
  const std::optional<Destination> where = destination(path, why);
  if (!where) throw UsageError(path + ": cannot write: " + why);
  if (where->in_place) {
    write_in_place(path, where->path, contents);
  } else {
    replace(path, where->path, contents);
  }
}

void make_directories(const std::string& option, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw UsageError(option + ": " + dir + ": " + error.message());
}

std::string path_component(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 80)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    out += plain ? c : '_';
  }
  return out.empty() ? "_" : out;
}

namespace {

// A URL's password as "***" ("postgresql://u:secret@h/db" -> "postgresql://u:***@h/db"):
// a results file records the command, and a password has no place in it.
std::string without_password(std::string word) {
  const std::size_t scheme = word.find("://");
  if (scheme == std::string::npos) return word;
  const std::size_t at = word.find('@', scheme + 3);
  const std::size_t colon = word.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return word;
  return word.replace(colon + 1, at - colon - 1, "***");
}

}  // namespace

std::string shell_command(int argc, const char* const* argv) {
  std::string out = "idemlab";
  for (int i = 1; i < argc; ++i) {
    const std::string word = without_password(argv[i]);
    const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                "0123456789_-./=,:@%+") == std::string::npos;
    if (plain) {
      out += " " + word;
      continue;
    }
    out += " '";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += "'";
  }
  return out;
}

}  // namespace idemlab::cli
