// Math.hypot as V8 computes it (normalised by the largest argument, Kahan-summed squares), so that
// the scores match the JavaScript implementation they replaced bit for bit.
#pragma once
#include <cmath>
#include <initializer_list>

namespace codectok {

inline double js_hypot(double a, double b) {
  a = std::fabs(a);
  b = std::fabs(b);
  const double max = a > b ? a : b;
  if (std::isinf(max)) return max;
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (max == 0) return 0;
  double sum = 0, compensation = 0;
  for (double v : {a, b}) {
    const double n = v / max;
    const double summand = n * n - compensation;
    const double preliminary = sum + summand;
    compensation = (preliminary - sum) - summand;
    sum = preliminary;
  }
  return std::sqrt(sum) * max;
}

}  // namespace codectok
