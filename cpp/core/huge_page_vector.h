// Memory of the large per-picture arrays (prediction state, output maps, collocated motion,
// transform statistics): HugePageVector<T>, a std::vector whose storage of 512 KiB or more is its
// own mapping, aligned to and rounded up to 2 MiB and advised for transparent huge pages
// (MADV_HUGEPAGE; Linux, where /sys/kernel/mm/transparent_hugepage/enabled is `always` or
// `madvise`). A fresh 4 KiB page costs a page fault and its zeroing; on the virtual machines
// measured (README, Speed) faulting in 2 MiB of fresh 4 KiB pages took 7-9 ms, against 0.3 ms as
// one huge page, while a 1080p picture decodes in about 2 ms. The arrays are recycled by their
// pools (core/buffer_pool.h), so this is what the first pictures of a decoder, and every array a
// pool has to add, cost.
//
// Smaller arrays, other systems, and the AddressSanitizer builds (whose out-of-bounds checks need
// the allocation's exact size) use operator new. Stateless: any two allocators are equal.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#define CODECTOK_HUGE_PAGE_ARRAYS 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#undef CODECTOK_HUGE_PAGE_ARRAYS
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef CODECTOK_HUGE_PAGE_ARRAYS
#endif
#endif

namespace codectok {

namespace huge_page_memory {

constexpr size_t kHugePageBytes = size_t{2} << 20;
// From this size an array gets huge pages: 720p motion fields (921 600 bytes) and up. Rounding up
// to 2 MiB at most triples an array's memory; the pools bound how many there are.
constexpr size_t kHugePageMinBytes = size_t{512} << 10;

inline bool uses_huge_pages(size_t bytes) {
#if defined(CODECTOK_HUGE_PAGE_ARRAYS)
  return bytes >= kHugePageMinBytes;
#else
  (void)bytes;
  return false;
#endif
}

inline size_t mapped_bytes(size_t bytes) { return (bytes + kHugePageBytes - 1) & ~(kHugePageBytes - 1); }

inline void* allocate(size_t bytes) {
#if defined(CODECTOK_HUGE_PAGE_ARRAYS)
  if (uses_huge_pages(bytes)) {
    // Map one huge page more than needed, then unmap the unaligned head and the tail.
    const size_t len = mapped_bytes(bytes);
    void* raw = mmap(nullptr, len + kHugePageBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t start = (begin + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
    if (start > begin) munmap(raw, start - begin);
    const size_t tail = begin + len + kHugePageBytes - (start + len);
    if (tail > 0) munmap(reinterpret_cast<void*>(start + len), tail);
    // Advice only: where the kernel has no huge page to give, the pages are 4 KiB ones.
    madvise(reinterpret_cast<void*>(start), len, MADV_HUGEPAGE);
    return reinterpret_cast<void*>(start);
  }
#endif
  return ::operator new(bytes);
}

inline void release(void* p, size_t bytes) {
#if defined(CODECTOK_HUGE_PAGE_ARRAYS)
  if (uses_huge_pages(bytes)) {
    munmap(p, mapped_bytes(bytes));
    return;
  }
#else
  (void)bytes;
#endif
  ::operator delete(p);
}

}  // namespace huge_page_memory

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(huge_page_memory::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { huge_page_memory::release(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const noexcept { return false; }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace codectok
