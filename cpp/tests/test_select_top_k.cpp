// The codec policy's top-K in C++ (score/select_top_k.cpp) on small volumes whose selections are
// worked out by hand: dense first slot, I slots zeroed / dense / scored, padding after content,
// ties by (t, h, w), the static fallback (linspace slots, budget below a frame), the budget cap,
// score order. The TypeScript policy's output on the fixtures is pinned by test/select_top_k.test.ts.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "score/select_top_k.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::check;

namespace {

std::string str(const std::vector<int32_t>& v) {
  std::string s;
  for (int32_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

void expect(const TopKSelection& r, const std::vector<int32_t>& flat, const std::string& what) {
  check(r.flat == flat, what + ": got [" + str(r.flat) + "], expected [" + str(flat) + "]");
}

}  // namespace

int main() {
  // T = 3 slots of a 2 x 2 grid; slot 1 is an I slot; patch 3 (h 1, w 1) touches padding.
  const float scores[12] = {0.9f, 0.1f, 0.2f, 0.3f,   // t 0
                            0.8f, 0.7f, 0.6f, 0.95f,  // t 1 (I)
                            0.5f, 0.5f, 0.4f, 0.99f};  // t 2
  const uint8_t intra[3] = {0, 1, 0};
  const uint8_t content[4] = {1, 1, 1, 0};
  TopKVolume v;
  v.T = 3;
  v.grid_h = 2;
  v.grid_w = 2;
  v.scores = scores;
  v.intra = intra;
  v.content = content;
  TopKOptions o;
  o.budget = 7;
  // slot 0 whole (0..3); then content by score: 8 (0.5), 9 (0.5, tie -> lower index), 10 (0.4);
  // I slot scores 0; padding 11 (0.99) after content.
  TopKSelection r = select_top_k(v, o);
  expect(r, {0, 1, 2, 3, 8, 9, 10}, "default");
  check(r.mandatory == 4 && r.dense_slots == std::vector<int32_t>{0}, "default: slot 0 dense, 4 mandatory");
  o.budget = 6;
  expect(select_top_k(v, o), {0, 1, 2, 3, 8, 9}, "tie at the cut goes to the lower index");
  o.iframes = IFramePolicy::kScore;
  expect(select_top_k(v, o), {0, 1, 2, 3, 4, 5}, "iframes score: 0.8, 0.7");
  o.iframes = IFramePolicy::kDense;
  o.budget = 9;
  r = select_top_k(v, o);
  expect(r, {0, 1, 2, 3, 4, 5, 6, 7, 8}, "iframes dense: slots 0 and 1 whole, then 8");
  check(r.dense_slots == std::vector<int32_t>{0, 1}, "iframes dense: dense slots 0, 1");
  o.iframes = IFramePolicy::kZero;
  o.keep_first = false;
  o.budget = 4;
  // content ranking: 0 (0.9), 8 (0.5), 9 (0.5), 10 (0.4); 4..6 are I (0)
  expect(select_top_k(v, o), {0, 8, 9, 10}, "no keep_first");
  o.budget = 9;
  // then 2 (0.2), 1 (0.1), then the I content patches 4, 5, 6 (0, by index); padding last
  expect(select_top_k(v, o), {0, 1, 2, 4, 5, 6, 8, 9, 10}, "I slot zero ranks before padding");
  o.padding_exclude = false;
  o.budget = 2;
  expect(select_top_k(v, o), {0, 11}, "padding include: 0.99 and 0.9");
  o.order = SelectionOrder::kScore;
  expect(select_top_k(v, o), {11, 0}, "order score: by rank");
  o = TopKOptions();
  o.budget = 100;
  check(select_top_k(v, o).flat.size() == 12, "budget capped at T * S");
  // Static fallback: floor(K / S) = 2 slots evenly spaced over 3: 0 and 2; the rest by score.
  v.is_static = true;
  o.budget = 9;
  r = select_top_k(v, o);
  expect(r, {0, 1, 2, 3, 4, 8, 9, 10, 11}, "static fallback: slots 0, 2, then 4 (I zero, lowest index)");
  check(r.static_fallback && r.dense_slots == std::vector<int32_t>{0, 2}, "static fallback: dense 0, 2");
  o.budget = 3;
  expect(select_top_k(v, o), {0, 1, 2}, "static fallback below one frame: the first slot in raster order");
  check(linspace_int(64, 5) == std::vector<int32_t>{0, 15, 31, 47, 63}, "linspace_int(64, 5)");
  bool threw = false;
  try {
    o.budget = 0;
    select_top_k(v, o);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw, "budget 0 -> std::invalid_argument");
  return codectok::test::report();
}
