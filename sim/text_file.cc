#include "sim/text_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace idemlab::sim {

std::optional<std::string> read_text_file(const std::string& path, std::string& out, std::size_t max_bytes) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string(std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) return std::string(std::strerror(errno));
  if (S_ISDIR(info.st_mode)) return std::string(std::strerror(EISDIR));
  const std::string too_large = max_bytes >= (1u << 20) ? "larger than " + std::to_string(max_bytes >> 20) + " MiB"
                                                        : "larger than " + std::to_string(max_bytes) + " bytes";
  if (S_ISREG(info.st_mode) && static_cast<std::size_t>(info.st_size) > max_bytes) return too_large;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string(std::strerror(errno));
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      out.clear();
      return too_large;
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

}  // namespace idemlab::sim
