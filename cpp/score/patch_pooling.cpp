#include "score/patch_pooling.h"

#include <algorithm>
#include <cmath>

namespace codectok {

AxisOverlap axis_overlap(int count, int cell, int crop, int src, int scaled, int pad, int patch, int grid) {
  AxisOverlap a;
  const double k = static_cast<double>(scaled) / src;
  a.offsets.resize(static_cast<size_t>(count) + 1);
  for (int i = 0; i < count; ++i) {
    a.offsets[i] = static_cast<int32_t>(a.patch_index.size());
    const double d0 = std::max(0, i * cell - crop);
    const double d1 = std::min(src, (i + 1) * cell - crop);
    if (d1 <= d0) continue;
    const double o0 = pad + d0 * k;
    const double o1 = pad + d1 * k;
    const int p0 = std::max(0, static_cast<int>(std::floor(o0 / patch)));
    const int p1 = std::min(grid - 1, static_cast<int>(std::ceil(o1 / patch)) - 1);
    for (int p = p0; p <= p1; ++p) {
      const double ov = std::min(o1, static_cast<double>((p + 1) * patch)) - std::max(o0, static_cast<double>(p * patch));
      if (ov > 0) {
        a.patch_index.push_back(p);
        a.weight.push_back(ov);
      }
    }
  }
  a.offsets[count] = static_cast<int32_t>(a.patch_index.size());
  return a;
}

PatchPooler::PatchPooler(const PatchGeometry& g, int crop_left, int crop_top)
    : g_(g), crop_left_(crop_left), crop_top_(crop_top) {}

const AxisOverlap& PatchPooler::axis(bool x, int count, int cell) {
  for (const Cached& c : cache_)
    if (c.x == x && c.count == count && c.cell == cell) return c.overlap;
  AxisOverlap o = x ? axis_overlap(count, cell, crop_left_, g_.src_width, g_.scaled_width, g_.pad_left, g_.patch, g_.grid_w)
                    : axis_overlap(count, cell, crop_top_, g_.src_height, g_.scaled_height, g_.pad_top, g_.patch, g_.grid_h);
  cache_.push_back({x, count, cell, std::move(o)});
  return cache_.back().overlap;
}

namespace {

// Rows [first, rows) of the map.
template <typename T>
void pool_rows(const T* v, int cols, int first, int rows, const AxisOverlap& ax, const AxisOverlap& ay, double level, bool want_norm,
               int gw, double* acc, double* acc_norm, double* row, double* row_norm) {
  for (int r = first; r < rows; ++r) {
    const int32_t ys = ay.offsets[r], ye = ay.offsets[r + 1];
    if (ye == ys) continue;
    bool any = false;
    // The patch the cells of this row are adding to, its sums held here until the next patch
    // (cells reach the patches in order): the same additions in the same order as into row[].
    int32_t open = -1;
    double sum = 0, sum_norm = 0;
    const T* line = v + static_cast<size_t>(r) * cols;
    for (int c = 0; c < cols; ++c) {
      const double val = line[c];
      if (val == 0) continue;
      if (!any) {
        std::fill(row, row + gw, 0.0);
        if (want_norm) std::fill(row_norm, row_norm + gw, 0.0);
        any = true;
      }
      const int32_t e0 = ax.offsets[c], e1 = ax.offsets[c + 1];
      if (want_norm) {
        const double x = val / level;
        const double n = static_cast<float>(x > 1 ? 1 : x);
        for (int32_t e = e0; e < e1; ++e) {
          const double wgt = ax.weight[e];
          const int32_t k = ax.patch_index[e];
          if (k != open) {
            if (open >= 0) row[open] = sum, row_norm[open] = sum_norm;
            open = k;
            sum = row[k];
            sum_norm = row_norm[k];
          }
          sum += val * wgt;
          sum_norm += n * wgt;
        }
      } else {
        for (int32_t e = e0; e < e1; ++e) {
          const int32_t k = ax.patch_index[e];
          if (k != open) {
            if (open >= 0) row[open] = sum;
            open = k;
            sum = row[k];
          }
          sum += val * ax.weight[e];
        }
      }
    }
    if (!any) continue;
    if (open >= 0) {
      row[open] = sum;
      if (want_norm) row_norm[open] = sum_norm;
    }
    for (int32_t e = ys; e < ye; ++e) {
      const double wy = ay.weight[e];
      double* o = acc + static_cast<size_t>(ay.patch_index[e]) * gw;
      for (int x = 0; x < gw; ++x) o[x] += row[x] * wy;
      if (want_norm) {
        double* on = acc_norm + static_cast<size_t>(ay.patch_index[e]) * gw;
        for (int x = 0; x < gw; ++x) on[x] += row_norm[x] * wy;
      }
    }
  }
}

// Rows of cells pooled at once by pool_rows_raw: independent sums, so that the additions of one
// row do not wait for those before them.
constexpr int kRowsAtOnce = 4;

// pool_rows without the normalised map, kRowsAtOnce rows at a time: the same additions in the same
// order for each row (zero cells add +0, which changes no sum), so the same bits; rows_ holds
// kRowsAtOnce rows of grid_w.
template <typename T>
void pool_rows_raw(const T* v, int cols, int rows, const AxisOverlap& ax, const AxisOverlap& ay, int gw, double* acc, double* rows_) {
  int r = 0;
  for (; r + kRowsAtOnce <= rows; r += kRowsAtOnce) {
    bool any_patch = false;
    for (int i = 0; i < kRowsAtOnce; ++i) any_patch |= ay.offsets[r + i + 1] > ay.offsets[r + i];
    if (!any_patch) continue;
    std::fill(rows_, rows_ + static_cast<size_t>(kRowsAtOnce) * gw, 0.0);
    double* row0 = rows_;
    double* row1 = rows_ + gw;
    double* row2 = rows_ + 2 * gw;
    double* row3 = rows_ + 3 * gw;
    const T* line0 = v + static_cast<size_t>(r) * cols;
    const T* line1 = line0 + cols;
    const T* line2 = line1 + cols;
    const T* line3 = line2 + cols;
    int32_t open = -1;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (int c = 0; c < cols; ++c) {
      const double v0 = line0[c], v1 = line1[c], v2 = line2[c], v3 = line3[c];
      const int32_t e1 = ax.offsets[c + 1];
      for (int32_t e = ax.offsets[c]; e < e1; ++e) {
        const int32_t k = ax.patch_index[e];
        if (k != open) {
          if (open >= 0) row0[open] = s0, row1[open] = s1, row2[open] = s2, row3[open] = s3;
          open = k;
          s0 = row0[k], s1 = row1[k], s2 = row2[k], s3 = row3[k];
        }
        const double w = ax.weight[e];
        s0 += v0 * w;
        s1 += v1 * w;
        s2 += v2 * w;
        s3 += v3 * w;
      }
    }
    if (open >= 0) row0[open] = s0, row1[open] = s1, row2[open] = s2, row3[open] = s3;
    for (int i = 0; i < kRowsAtOnce; ++i) {
      const double* row = rows_ + static_cast<size_t>(i) * gw;
      for (int32_t e = ay.offsets[r + i]; e < ay.offsets[r + i + 1]; ++e) {
        const double wy = ay.weight[e];
        double* o = acc + static_cast<size_t>(ay.patch_index[e]) * gw;
        for (int x = 0; x < gw; ++x) o[x] += row[x] * wy;
      }
    }
  }
  pool_rows(v, cols, r, rows, ax, ay, 0, false, gw, acc, nullptr, rows_, rows_ + gw);
}

}  // namespace

void PatchPooler::pool(const CellMap& map, double level, std::vector<float>& raw, std::vector<float>* norm) {
  const AxisOverlap& ax = axis(true, map.cols, map.cell);
  const AxisOverlap& ay = axis(false, map.rows, map.cell);
  const bool want_norm = norm != nullptr && std::isfinite(level);
  const size_t n = cells();
  acc_.assign(n, 0.0);
  acc_norm_.assign(want_norm ? n : 0, 0.0);
  // the raw pooling sums kRowsAtOnce rows at once
  row_.assign(static_cast<size_t>(want_norm ? 1 : kRowsAtOnce) * g_.grid_w, 0.0);
  row_norm_.assign(g_.grid_w, 0.0);
  if (!want_norm) {
    if (map.integer)
      pool_rows_raw(map.counts.data(), map.cols, map.rows, ax, ay, g_.grid_w, acc_.data(), row_.data());
    else
      pool_rows_raw(map.values.data(), map.cols, map.rows, ax, ay, g_.grid_w, acc_.data(), row_.data());
  } else if (map.integer) {
    pool_rows(map.counts.data(), map.cols, 0, map.rows, ax, ay, level, want_norm, g_.grid_w, acc_.data(), acc_norm_.data(), row_.data(), row_norm_.data());
  } else {
    pool_rows(map.values.data(), map.cols, 0, map.rows, ax, ay, level, want_norm, g_.grid_w, acc_.data(), acc_norm_.data(), row_.data(), row_norm_.data());
  }
  const double area = static_cast<double>(g_.patch) * g_.patch;
  raw.resize(n);
  for (size_t i = 0; i < n; ++i) raw[i] = static_cast<float>(acc_[i] / area);
  if (norm) {
    norm->assign(want_norm ? n : 0, 0.0f);
    for (size_t i = 0; i < acc_norm_.size(); ++i) (*norm)[i] = static_cast<float>(acc_norm_[i] / area);
  }
}

}  // namespace codectok
