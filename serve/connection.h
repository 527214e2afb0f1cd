// The socket under an HTTP request, for the two answers httplib has no
// call for: closing the connection unanswered (the API crashed under the
// request, as a killed process's connections close) and holding it
// unanswered until the client gives up (the reply was lost on the way).
#pragma once

#include <string>

#include "sim/time.h"

namespace idemlab::serve {

// The file descriptor of this process's TCP connection between
// local_addr:local_port and remote_addr:remote_port (IPv4 or IPv6), or -1.
// Called from the thread serving the request, which keeps it open.
int connection_socket(const std::string& local_addr, int local_port, const std::string& remote_addr,
                      int remote_port);

// Shuts the connection down both ways: the client sees it closed, without
// a response. httplib's write of its answer then fails, and it closes the fd.
void close_unanswered(int fd);

// Waits until the client closes its side, or `at_most`; then close_unanswered.
void hold_unanswered(int fd, sim::Duration at_most);

}  // namespace idemlab::serve
