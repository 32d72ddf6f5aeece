// Percentiles (numpy's linear interpolation) and the median.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace codectok {

// numpy.percentile (linear interpolation) of values, which are reordered (partially sorted).
double percentile_of(float* values, size_t n, double p);
// numpy.percentile of non-negative integers given as a histogram of `bins` bins holding `total` values.
double percentile_histogram(const double* hist, size_t bins, double total, double p);
// The median of values (reordered); 0 when empty.
double median_of(double* values, size_t n);

}  // namespace codectok
