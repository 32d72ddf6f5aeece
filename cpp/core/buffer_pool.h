// Recycles the large per-picture arrays handed out to callers: a buffer
// returns to its pool when the last reference to it is released (from any
// thread), so steady-state decoding allocates no fresh pages. The arrays are
// HugePageVectors (core/huge_page_vector.h): those a pool adds come in huge pages.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "core/huge_page_vector.h"

namespace codectok {

template <typename T>
class VectorPool {
 public:
  explicit VectorPool(size_t max_free = 8) : shared_(std::make_shared<Shared>()) { shared_->max_free = max_free; }

  // A vector of n elements equal to `fill` (n == 0: empty, keeps capacity).
  std::shared_ptr<HugePageVector<T>> get(size_t n, T fill) { return take(n, &fill); }
  // A vector of n elements with unspecified values, for arrays the caller overwrites whole.
  std::shared_ptr<HugePageVector<T>> get_for_overwrite(size_t n) { return take(n, nullptr); }

 private:
  std::shared_ptr<HugePageVector<T>> take(size_t n, const T* fill) {
    std::unique_ptr<HugePageVector<T>> v;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      if (!shared_->free.empty()) {
        v = std::move(shared_->free.back());
        shared_->free.pop_back();
      }
    }
    if (!v) v = std::make_unique<HugePageVector<T>>();
    if (fill)
      v->assign(n, *fill);
    else
      v->resize(n);
    std::weak_ptr<Shared> weak = shared_;
    return std::shared_ptr<HugePageVector<T>>(v.release(), [weak](HugePageVector<T>* p) {
      if (auto s = weak.lock()) {
        std::lock_guard<std::mutex> lock(s->mutex);
        if (s->free.size() < s->max_free) {
          s->free.emplace_back(p);
          return;
        }
      }
      delete p;
    });
  }

  struct Shared {
    std::mutex mutex;
    size_t max_free = 8;
    std::vector<std::unique_ptr<HugePageVector<T>>> free;
  };
  std::shared_ptr<Shared> shared_;
};

}  // namespace codectok
