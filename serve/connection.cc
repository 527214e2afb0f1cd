#include "serve/connection.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace idemlab::serve {
namespace {

// "127.0.0.1":8080 as the address says it; false if it is neither family.
bool same_endpoint(const sockaddr_storage& sa, const std::string& addr, int port) {
  char text[INET6_ADDRSTRLEN] = {};
  int got_port = -1;
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    got_port = ntohs(in->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    got_port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  return got_port == port && addr == text;
}

}  // namespace

int connection_socket(const std::string& local_addr, int local_port, const std::string& remote_addr,
                      int remote_port) {
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return -1;
  int found = -1;
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(fds)) continue;
    sockaddr_storage peer{}, self{};
    socklen_t peer_len = sizeof peer, self_len = sizeof self;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_len) != 0) continue;
    if (same_endpoint(peer, remote_addr, remote_port) && same_endpoint(self, local_addr, local_port)) {
      found = fd;
      break;
    }
  }
  closedir(fds);
  return found;
}

void close_unanswered(int fd) {
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

void hold_unanswered(int fd, sim::Duration at_most) {
  if (fd < 0) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(at_most);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLRDHUP, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) break;
    if (ready < 0 && errno != EINTR) break;
  }
  close_unanswered(fd);
}

}  // namespace idemlab::serve
