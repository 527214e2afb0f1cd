#include "sim/frame_pool.h"

#include <array>
#include <new>
#include <utility>

namespace idemlab::sim {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPooled = false;
#else
constexpr bool kPooled = true;
#endif
#else
constexpr bool kPooled = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 128;  // frames up to 8 KiB; larger ones go to malloc

struct FreeFrame {
  FreeFrame* next;
};

// The frames freed on this thread, per class; returned to malloc when the
// thread ends, so that leak checkers see nothing held.
class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  ~FramePool() {
    for (FreeFrame*& head : free_) {
      while (head != nullptr) ::operator delete(std::exchange(head, head->next));
    }
  }

  void* take(std::size_t size_class) {
    FreeFrame*& head = free_[size_class];
    if (head == nullptr) return ::operator new((size_class + 1) * kGranule);
    return std::exchange(head, head->next);
  }

  void give(void* frame, std::size_t size_class) noexcept {
    FreeFrame* f = static_cast<FreeFrame*>(frame);
    f->next = free_[size_class];
    free_[size_class] = f;
  }

 private:
  std::array<FreeFrame*, kClasses> free_{};
};

thread_local FramePool pool;

std::size_t size_class(std::size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

}  // namespace

void* allocate_frame(std::size_t bytes) {
  if (!kPooled || bytes == 0 || bytes > kClasses * kGranule) return ::operator new(bytes);
  return pool.take(size_class(bytes));
}

void free_frame(void* frame, std::size_t bytes) noexcept {
  if (!kPooled || bytes == 0 || bytes > kClasses * kGranule) {
    ::operator delete(frame);
    return;
  }
  pool.give(frame, size_class(bytes));
}

}  // namespace idemlab::sim
