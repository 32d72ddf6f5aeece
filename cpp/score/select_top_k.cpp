#include "score/select_top_k.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace codectok {

std::vector<int32_t> linspace_int(int count, int n) {
  std::vector<int32_t> out;
  if (n <= 0 || count <= 0) return out;
  if (n == 1) return {0};
  for (int i = 0; i < n; ++i) {
    const double q = static_cast<double>(i) * (count - 1) / (n - 1);
    out.push_back(static_cast<int32_t>(std::floor(q + 1e-9)));
  }
  return out;
}

std::vector<int32_t> codec_dense_slots(const TopKVolume& v, const TopKOptions& o, int64_t K) {
  const int64_t S = static_cast<int64_t>(v.grid_h) * v.grid_w;
  std::vector<int32_t> dense;
  if (v.is_static && o.static_fallback) {
    dense = linspace_int(v.T, static_cast<int>(std::min<int64_t>(v.T, K / S)));
    if (dense.empty() && o.keep_first) dense.push_back(0);  // budget below one frame: the first slot
    return dense;
  }
  for (int t = 0; t < v.T; ++t)
    if ((t == 0 && o.keep_first) || (o.iframes == IFramePolicy::kDense && v.intra[t])) dense.push_back(t);
  return dense;
}

TopKSelection select_dense_part(const TopKVolume& v, const TopKOptions& o) {
  if (v.T < 1 || v.grid_h < 1 || v.grid_w < 1) throw std::invalid_argument("empty score volume");
  if (o.budget < 1) throw std::invalid_argument("budget must be >= 1");
  const int64_t S = static_cast<int64_t>(v.grid_h) * v.grid_w;
  const int64_t K = std::min<int64_t>(o.budget, v.T * S);
  TopKSelection r;
  r.static_fallback = v.is_static && o.static_fallback;
  const std::vector<int32_t> dense = codec_dense_slots(v, o, K);
  r.flat.reserve(static_cast<size_t>(K));
  for (int32_t t : dense)
    for (int64_t s = 0; s < S && static_cast<int64_t>(r.flat.size()) < K; ++s) r.flat.push_back(static_cast<int32_t>(t * S + s));
  r.mandatory = static_cast<int32_t>(r.flat.size());
  const size_t used = static_cast<size_t>((r.mandatory + S - 1) / S);
  r.dense_slots.assign(dense.begin(), dense.begin() + static_cast<std::ptrdiff_t>(std::min(used, dense.size())));
  return r;
}

TopKSelection select_top_k(const TopKVolume& v, const TopKOptions& o) {
  TopKSelection r = select_dense_part(v, o);
  const int64_t S = static_cast<int64_t>(v.grid_h) * v.grid_w;
  const int64_t N = v.T * S;
  const int64_t K = std::min<int64_t>(o.budget, N);
  const int64_t rest = K - r.mandatory;
  if (rest > 0) {
    std::vector<uint8_t> taken(static_cast<size_t>(N), 0);
    for (int32_t i : r.flat) taken[static_cast<size_t>(i)] = 1;
    std::vector<int32_t> cand;
    std::vector<double> key(static_cast<size_t>(N));
    cand.reserve(static_cast<size_t>(N - r.mandatory));
    for (int64_t i = 0; i < N; ++i) {
      if (taken[static_cast<size_t>(i)]) continue;
      const int64_t t = i / S;
      key[static_cast<size_t>(i)] = codec_rank_key(v.scores[i], v.intra[t] != 0, v.content[i - t * S] != 0, o);
      cand.push_back(static_cast<int32_t>(i));
    }
    // Score descending, then index ascending: a total order, so the first `rest` are unique.
    auto before = [&](int32_t a, int32_t b) {
      const double ka = key[static_cast<size_t>(a)], kb = key[static_cast<size_t>(b)];
      return ka != kb ? ka > kb : a < b;
    };
    std::partial_sort(cand.begin(), cand.begin() + rest, cand.end(), before);
    r.flat.insert(r.flat.end(), cand.begin(), cand.begin() + rest);
  }
  if (o.order == SelectionOrder::kThw) std::sort(r.flat.begin(), r.flat.end());
  return r;
}

}  // namespace codectok
