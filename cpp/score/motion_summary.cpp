#include "score/motion_summary.h"

#include "score/js_math.h"

namespace codectok {

MotionSummary summarize_motion(const int16_t* m, size_t blocks) {
  MotionSummary s;
  if (blocks == 0) return s;
  size_t intra = 0, inter = 0, skip = 0, count = 0;
  double sum = 0;
  // The length of the last vector measured in each list: neighbouring 4x4 blocks of a prediction
  // unit (and runs of skipped blocks) repeat their vectors, which are then not measured again.
  int last_x[2] = {0, 0}, last_y[2] = {0, 0};
  double last_length[2] = {0, 0};
  auto length = [&](int list, int x, int y) {
    if (x != last_x[list] || y != last_y[list]) {
      last_x[list] = x, last_y[list] = y;
      last_length[list] = js_hypot(x, y);
    }
    return last_length[list];
  };
  for (size_t i = 0; i < blocks; ++i, m += 8) {
    const int mode = m[0];
    if (mode == 0) {
      ++intra;
      continue;
    }
    if (mode == 2) ++skip;
    else ++inter;
    const int dir = m[1];
    if (dir & 1) {
      sum += length(0, m[2], m[3]);
      ++count;
    }
    if (dir & 2) {
      sum += length(1, m[4], m[5]);
      ++count;
    }
  }
  const double n = static_cast<double>(blocks);
  s.intra = intra / n;
  s.inter = inter / n;
  s.skip = skip / n;
  s.mean_mv = count ? sum / count / 4 : 0;
  return s;
}

}  // namespace codectok
