// HugePageVector (core/huge_page_vector.h) and VectorPool (core/buffer_pool.h): where the storage
// of large and small arrays lies, that it holds what is written to it through growth and reuse,
// and that a pool hands a released array out again instead of a fresh one.
#include <cstdint>
#include <string>

#include "core/buffer_pool.h"
#include "core/huge_page_vector.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::check;

namespace {

bool aligned_to_huge_page(const void* p) { return reinterpret_cast<uintptr_t>(p) % huge_page_memory::kHugePageBytes == 0; }

void test_placement() {
  // 1920x1080's motion output: 480 x 270 4x4 blocks of 8 int16, just under 2 MiB.
  HugePageVector<int16_t> motion(size_t{480} * 270 * 8);
  check(motion.size() == size_t{1036800}, "a HugePageVector has the size asked for");
  if (huge_page_memory::uses_huge_pages(motion.size() * sizeof(int16_t)))
    check(aligned_to_huge_page(motion.data()), "a huge-page array starts on a 2 MiB boundary");
#if defined(CODECTOK_HUGE_PAGE_ARRAYS)
  // 1280x720's motion output (921 600 bytes) is the smallest picture array the threshold is for.
  check(huge_page_memory::uses_huge_pages(size_t{320} * 180 * 8 * 2), "Linux: a 720p motion field gets huge pages");
#endif
  check(!huge_page_memory::uses_huge_pages((size_t{512} << 10) - 1), "arrays under 512 KiB stay on operator new");
  check(huge_page_memory::mapped_bytes(2073600) == (size_t{2} << 20), "2 073 600 bytes map one 2 MiB page");
  check(huge_page_memory::mapped_bytes((size_t{2} << 20) + 1) == (size_t{4} << 20), "2 MiB + 1 byte map two");
}

void test_contents() {
  // Every element written and read back, across the huge-page threshold as the vector grows.
  HugePageVector<int32_t> v;
  bool same = true;
  for (int32_t i = 0; i < (3 << 20) / 4; ++i) v.push_back(i * 7);
  for (size_t i = 0; i < v.size(); ++i) same = same && v[i] == static_cast<int32_t>(i) * 7;
  check(same, "growth through huge-page storage keeps every element");
  HugePageVector<int32_t> copy = v;
  check(copy == v && copy.data() != v.data(), "a copy has its own storage and the same elements");
  v.assign(10, -1);
  v.shrink_to_fit();
  check(v.size() == 10 && v[9] == -1, "shrinking to a small array keeps its elements");
}

void test_pool_reuse() {
  VectorPool<int16_t> pool(4);
  const size_t n = size_t{1} << 20;  // 2 MiB of int16
  const int16_t* first = nullptr;
  {
    auto a = pool.get(n, int16_t{5});
    first = a->data();
    check(a->size() == n && (*a)[0] == 5 && (*a)[n - 1] == 5, "a pooled array is filled as asked");
  }
  auto b = pool.get_for_overwrite(n);
  check(b->data() == first, "a released array is handed out again, not a fresh one");
  auto c = pool.get(n, int16_t{-3});
  check(c->data() != b->data() && (*c)[n / 2] == -3, "an array still held is not handed out twice");
}

}  // namespace

int main() {
  test_placement();
  test_contents();
  test_pool_reuse();
  return codectok::test::report();
}
