#include "score/statistics.h"

#include <algorithm>
#include <cmath>

namespace codectok {

double percentile_of(float* values, size_t n, double p) {
  if (n == 0) return 0;
  const double pos = (p / 100) * static_cast<double>(n - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(n - 1, lo + 1);
  std::nth_element(values, values + lo, values + n);
  const double a = values[lo];
  // The next order statistic is the smallest of what nth_element left above lo.
  const double b = hi == lo ? a : *std::min_element(values + lo + 1, values + n);
  return a + (b - a) * (pos - static_cast<double>(lo));
}

double percentile_histogram(const double* hist, size_t bins, double total, double p) {
  if (total == 0) return 0;
  const double pos = (p / 100) * (total - 1);
  const double lo = std::floor(pos);
  auto find = [&](double k) -> double {
    double c = 0;
    for (size_t v = 0; v < bins; ++v) {
      c += hist[v];
      if (c > k) return static_cast<double>(v);
    }
    return static_cast<double>(bins - 1);
  };
  const double a = find(lo);
  const double b = lo + 1 < total ? find(lo + 1) : a;
  return a + (b - a) * (pos - lo);
}

double median_of(double* values, size_t n) {
  if (n == 0) return 0;
  const size_t mid = n / 2;
  std::nth_element(values, values + mid, values + n);
  const double upper = values[mid];
  if (n % 2) return upper;
  const double lower = *std::max_element(values, values + mid);
  return (lower + upper) / 2;
}

}  // namespace codectok
