// Progress of a long command on stderr.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/strict_json.h"

namespace idemlab::cli {

// Progress on stderr: on a terminal one line rewritten in place, with the
// rate and the time left; otherwise a plain line every 10 s (none for a
// sweep that ends sooner).
class Progress {
 public:
  Progress(std::string what, std::uint64_t total) : what_(std::move(what)), total_(total), tty_(isatty(2) != 0) {}

  void update(std::uint64_t done, const std::string& cell) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (elapsed - last_ < (tty_ ? 0.2 : 10.0)) return;
    last_ = elapsed;
    const double rate = static_cast<double>(done) / std::max(elapsed, 1e-9);
    const double left = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0;
    std::fprintf(stderr, "%s%s: %llu/%llu runs (%.0f%%), %.0f runs/s, %.0f s left; %s%s", tty_ ? "\r\033[K" : "", what_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0, rate, left,
                 sim::one_safe_line(cell, 60).c_str(), tty_ ? "" : "\n");
    shown_ = true;
  }
  void finish() {
    if (tty_ && shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  std::uint64_t total_;
  bool tty_;
  Clock::time_point start_ = Clock::now();
  double last_ = 0;
  bool shown_ = false;
};

}  // namespace idemlab::cli
