#include "stream/output_queue.h"

#include <algorithm>

namespace codectok {

void OutputQueue::add(PictureResult&& picture) {
  if (observer_) observer_(picture);
  pending_.push_back(std::move(picture));
}

void OutputQueue::bump(size_t keep) {
  while (pending_.size() > keep) {
    auto it = std::min_element(pending_.begin(), pending_.end(),
                               [](const PictureResult& a, const PictureResult& b) { return a.poc < b.poc; });
    ready_.push_back(std::move(*it));
    pending_.erase(it);
  }
}

bool OutputQueue::next(PictureResult& out) {
  if (ready_.empty()) return false;
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace codectok
