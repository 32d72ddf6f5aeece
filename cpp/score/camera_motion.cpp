#include "score/camera_motion.h"

#include <algorithm>
#include <cmath>

#include "score/js_math.h"
#include "score/statistics.h"

namespace codectok {

void collect_velocities(const int16_t* mv, const CodedFrame& f, int32_t poc, int32_t poc_per_frame, bool per_frame,
                        Velocities& out, MotionVectorSource source) {
  const size_t total = static_cast<size_t>((f.width + 3) / 4) * ((f.height + 3) / 4);
  out.x.resize(total);
  out.y.resize(total);
  out.vx.resize(total);
  out.vy.resize(total);
  out.index.resize(total);
  out.n = 0;
  for_each_velocity(mv, f, poc, poc_per_frame, per_frame, source, [&](int32_t i, double x, double y, double vx, double vy) {
    const size_t n = out.n++;
    out.x[n] = x;
    out.y[n] = y;
    out.vx[n] = vx;
    out.vy[n] = vy;
    out.index[n] = i;
  });
}

namespace {

// Solves A x = b (n <= 6) by Gaussian elimination with partial pivoting; false when singular.
bool solve(int n, double A[6][7], double* x) {
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(A[r][c]) > std::fabs(A[piv][c])) piv = r;
    if (std::fabs(A[piv][c]) < 1e-12) return false;
    if (piv != c)
      for (int k = 0; k <= n; ++k) std::swap(A[c][k], A[piv][k]);
    for (int r = c + 1; r < n; ++r) {
      const double f = A[r][c] / A[c][c];
      for (int k = c; k <= n; ++k) A[r][k] -= f * A[c][k];
    }
  }
  for (int r = n - 1; r >= 0; --r) {
    double s = A[r][n];
    for (int k = r + 1; k < n; ++k) s -= A[r][k] * x[k];
    x[r] = s / A[r][r];
  }
  return true;
}

// Weighted least squares for the model; false when the system is singular.
bool fit_weighted(Compensation model, const Velocities& v, const std::vector<double>& w, std::vector<double>& out) {
  if (model == Compensation::kSimilarity) {
    // unknowns a, b, tx, ty; rows: vx = a x - b y + tx ; vy = b x + a y + ty
    double A[6][7] = {};
    for (size_t i = 0; i < v.n; ++i) {
      const double wi = w[i];
      if (wi == 0) continue;
      const double x = v.x[i], y = v.y[i];
      const double r1[4] = {x, -y, 1, 0};
      const double r2[4] = {y, x, 0, 1};
      for (int a = 0; a < 4; ++a) {
        for (int b = 0; b < 4; ++b) A[a][b] += wi * (r1[a] * r1[b] + r2[a] * r2[b]);
        A[a][4] += wi * (r1[a] * v.vx[i] + r2[a] * v.vy[i]);
      }
    }
    out.assign(4, 0);
    return solve(4, A, out.data());
  }
  double A[6][7] = {};
  double Bx[3] = {}, By[3] = {};
  for (size_t i = 0; i < v.n; ++i) {
    const double wi = w[i];
    if (wi == 0) continue;
    const double r[3] = {v.x[i], v.y[i], 1};
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) A[a][b] += wi * r[a] * r[b];
      Bx[a] += wi * r[a] * v.vx[i];
      By[a] += wi * r[a] * v.vy[i];
    }
  }
  double Ax[6][7], Ay[6][7];
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) Ax[a][b] = Ay[a][b] = A[a][b];
    Ax[a][3] = Bx[a];
    Ay[a][3] = By[a];
  }
  double px[3], py[3];
  if (!solve(3, Ax, px) || !solve(3, Ay, py)) return false;
  out = {px[0], px[1], px[2], py[0], py[1], py[2]};
  return true;
}

}  // namespace

void predict_camera(const CameraMotion& m, double x, double y, double& px, double& py) {
  const std::vector<double>& p = m.params;
  switch (m.model) {
    case Compensation::kSimilarity:
      px = p[0] * x - p[1] * y + p[2];
      py = p[1] * x + p[0] * y + p[3];
      return;
    case Compensation::kAffine:
      px = p[0] * x + p[1] * y + p[2];
      py = p[3] * x + p[4] * y + p[5];
      return;
    default:
      px = p[0];
      py = p[1];
  }
}

CameraMotion estimate_camera_motion(const Velocities& v, Compensation model) {
  CameraMotion m;
  m.model = model;
  m.blocks = v.n;
  if (model == Compensation::kNone || v.n == 0) {
    m.params.assign(model == Compensation::kSimilarity ? 4 : model == Compensation::kAffine ? 6 : 2, 0.0);
    return m;
  }
  std::vector<double> scratch(v.vx.begin(), v.vx.begin() + v.n);
  const double mx = median_of(scratch.data(), v.n);
  scratch.assign(v.vy.begin(), v.vy.begin() + v.n);
  const double my = median_of(scratch.data(), v.n);
  if (model == Compensation::kMedian) {
    m.params = {mx, my};
    return m;
  }
  m.params = model == Compensation::kSimilarity ? std::vector<double>{0, 0, mx, my} : std::vector<double>{0, 0, mx, 0, 0, my};
  std::vector<double> w(v.n), res(v.n), next;
  for (int iter = 0; iter < 10; ++iter) {
    for (size_t i = 0; i < v.n; ++i) {
      double px, py;
      predict_camera(m, v.x[i], v.y[i], px, py);
      res[i] = js_hypot(v.vx[i] - px, v.vy[i] - py);
    }
    scratch.assign(res.begin(), res.end());
    const double sigma = std::max(0.25, 1.4826 * median_of(scratch.data(), v.n));
    const double c = 4.685 * sigma;
    for (size_t i = 0; i < v.n; ++i) {
      const double u = res[i] / c;
      w[i] = u < 1 ? (1 - u * u) * (1 - u * u) : 0;
    }
    if (!fit_weighted(model, v, w, next)) break;
    double delta = 0;
    for (size_t k = 0; k < next.size(); ++k) delta += std::fabs(next[k] - m.params[k]);
    m.params = next;
    if (delta < 1e-9) break;
  }
  return m;
}

}  // namespace codectok
