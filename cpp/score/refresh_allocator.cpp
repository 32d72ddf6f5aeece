#include "score/refresh_allocator.h"

#include "core/huge_page_vector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

namespace codectok {

namespace {

// Largest hold-cost table kept for all positions at once (values); above it, a position's rows are
// rebuilt each time it is solved.
constexpr size_t kMaxTable = size_t{1} << 24;

// The refresh units (positions allocated together) and their tables that do not depend on lambda.
class Tables {
 public:
  // What a Tables is built for: the units alone, the one-by-one fill (units and blank costs), or the
  // dynamic programme (everything, with the hold-cost tables).
  enum class Need { units, fill, dp };
  explicit Tables(const RefreshRequest& r, Need need = Need::dp) : T_(r.T), S_(r.S), w_(r.S), row_start_(r.T + 1) {
    for (int s = 0; s < S_; ++s) w_[s] = r.weight ? r.weight[s] : 1.0;
    if (need != Need::units) {
      A_.resize(size_t(S_) * T_);
      double amax = 0;
      for (int s = 0; s < S_; ++s) {
        double acc = 0;
        A_[size_t(s) * T_] = 0;
        for (int t = 1; t < T_; ++t) {
          acc += r.change[size_t(t) * S_ + s];
          A_[size_t(s) * T_ + t] = acc;
        }
        amax = std::max(amax, acc);
      }
      M_ = std::sqrt(amax) + kRefreshEps * 2 * T_ + 1;
    }
    // units: g x g blocks of the grid in raster order, members in raster order
    const int W = r.grid_w > 0 ? r.grid_w : S_, H = S_ / W, g = std::max(1, r.group);
    unit_start_.push_back(0);
    for (int y0 = 0; y0 < H; y0 += g) {
      for (int x0 = 0; x0 < W; x0 += g) {
        for (int y = y0; y < std::min(H, y0 + g); ++y)
          for (int x = x0; x < std::min(W, x0 + g); ++x) members_.push_back(y * W + x);
        unit_start_.push_back(int(members_.size()));
      }
    }
    U_ = int(unit_start_.size()) - 1;
    if (need == Need::units) return;
    if (need == Need::fill) {
      std::vector<int> at(U_, 0);
      for (int u = 0; u < U_; ++u) {
        double best = std::numeric_limits<double>::infinity();
        for (int a = 0; a < T_; ++a) {
          double c = 0;
          for (int m = unit_begin(u); m < unit_end(u); ++m)
            for (int t = 0; t < T_; ++t) c += shown(members_[m], a, t);
          if (c < best) { best = c; at[u] = a; }
        }
      }
      blanks(at);
      return;
    }
    for (int j = 0; j < T_; ++j) row_start_[j + 1] = row_start_[j] + (T_ - j);
    per_ = row_start_[T_];
    full_ = size_t(per_) * U_ <= kMaxTable;
    // every row is written before it is read (fill); tens of MB at T = 64 and 1296 positions: huge
    // pages (core/huge_page_vector.h)
    seg_.resize(full_ ? size_t(per_) * U_ : size_t(per_));
    pre_.assign(size_t(U_) * T_, 0.0);
    std::vector<int> at(U_, 0);
    for (int u = 0; u < U_; ++u) {
      fill(u, true);
      const double* seg = rows(u);
      double best = std::numeric_limits<double>::infinity();
      for (int f = 0; f < T_; ++f) {
        const double c = pre(u, f) + seg[row_start_[f] + T_ - f - 1];
        if (c < best) { best = c; at[u] = f; }
      }
    }
    blanks(at);
  }

  int T() const { return T_; }
  int S() const { return S_; }
  int U() const { return U_; }
  double M() const { return M_; }
  double w(int s) const { return w_[s]; }
  double A(int s, int t) const { return A_[size_t(s) * T_ + t]; }
  const double* A_row(int s) const { return A_.data() + size_t(s) * T_; }
  // Distortion of position s at slot t shown from slot a (a later first kept slot: back-fill).
  double shown(int s, int a, int t) const {
    if (a <= t) return w_[s] * (std::sqrt(A(s, t) - A(s, a)) + kRefreshEps * (t - a));
    return w_[s] * (std::sqrt(A(s, a) - A(s, t)) + kRefreshEps * (T_ + a - t));
  }
  // Members of unit u: positions members()[unit_begin(u) .. unit_end(u)).
  const std::vector<int>& members() const { return members_; }
  int unit_begin(int u) const { return unit_start_[u]; }
  int unit_end(int u) const { return unit_start_[u + 1]; }
  int unit_size(int u) const { return unit_start_[u + 1] - unit_start_[u]; }
  // Distortion of unit u, or of position s, never kept: its best single kept slot plus M per slot.
  double never(int u) const { return never_[u]; }
  double blank(int s) const { return blank_[s]; }
  double pre(int u, int f) const { return pre_[size_t(u) * T_ + f]; }

  // Row pointer of unit u such that seg(j, k) = rows[row_start(j) + k - j - 1], 0 <= j < k <= T.
  const double* rows(int u) {
    if (full_) return seg_.data() + size_t(u) * per_;
    if (seg_of_ != u) fill(u, false);
    return seg_.data();
  }
  int row_start(int j) const { return row_start_[j]; }

 private:
  // Blank costs, from each unit's best single kept slot `at`: a unit never kept costs M per slot
  // more than kept there (never_), shared among its members by their own cost there (blank_).
  void blanks(const std::vector<int>& at) {
    blank_.resize(S_);
    never_.resize(U_);
    for (int u = 0; u < U_; ++u) {
      for (int m = unit_begin(u); m < unit_end(u); ++m) {
        const int s = members_[m];
        double c = w_[s] * M_ * T_;
        for (int t = 0; t < T_; ++t) c += shown(s, at[u], t);
        blank_[s] = c;
      }
      never_[u] = 0;
      for (int m = unit_begin(u); m < unit_end(u); ++m) never_[u] += blank_[members_[m]];
    }
  }

  // seg(j, k) = cost of slots j..k-1 held from slot j, pre(f) = cost of slots 0..f-1 back-filled
  // from slot f, each summed over the unit's members.
  void fill(int u, bool with_pre) {
    double* seg = seg_.data() + (full_ ? size_t(u) * per_ : 0);
    double* pre = pre_.data() + size_t(u) * T_;
    std::vector<double>& d = scratch_;
    d.resize(T_);
    for (int m = unit_begin(u); m < unit_end(u); ++m) {
      const int s = members_[m];
      const double* a = A_.data() + size_t(s) * T_;
      const double ws = w_[s];
      const bool first = m == unit_begin(u);
      for (int j = 0; j < T_; ++j) {
        double* r = seg + row_start_[j] - j - 1;  // seg(j, k) at r[k]
        const double aj = a[j];
        for (int t = j; t < T_; ++t) d[t] = ws * std::sqrt(a[t] - aj);
        double sum = 0;
        const double we = ws * kRefreshEps;
        if (first) {
          for (int t = j; t < T_; ++t) r[t + 1] = sum += d[t] + we * (t - j);
        } else {
          for (int t = j; t < T_; ++t) r[t + 1] += sum += d[t] + we * (t - j);
        }
        // slot j back-filled from a first kept slot t > j
        if (with_pre)
          for (int t = j + 1; t < T_; ++t) pre[t] += d[t] + we * (T_ + t - j);
      }
    }
    if (!full_) seg_of_ = u;
  }

  int T_, S_, U_ = 0;
  std::vector<double> A_, w_, pre_, never_, blank_;
  std::vector<int> row_start_, members_, unit_start_;
  HugePageVector<double> seg_;
  std::vector<double> scratch_;
  int per_ = 0;
  bool full_ = true;
  int seg_of_ = -1;
  double M_ = 1;
};

// The per-unit dynamic programme and its scratch space.
class UnitSolver {
 public:
  explicit UnitSolver(Tables& tb) : tb_(tb), F_(tb.T() + 1), cnt_(tb.T() + 1), next_(tb.T() + 1), qk_(tb.T() + 1), qtop_(tb.T() + 1) {}

  struct Result {
    int slots;   // kept slots (each costs the unit's size in tokens)
    double cost;
    int first;   // first kept slot, -1: none
  };

  // Best kept slots of unit u at price lambda per token; next(j) then gives the kept slot after j (T: none).
  Result solve(int u, double lambda) {
    const int T = tb_.T();
    const double price = lambda * tb_.unit_size(u);
    const double* seg = tb_.rows(u);
    F_[T] = 0;
    cnt_[T] = 0;
    for (int j = T - 1; j >= 0; --j) {
      const double* r = seg + tb_.row_start(j) - j - 1;
      double best = r[T];
      int bk = T;
      const int kmax = j + 1 < T ? next_[j + 1] : T;  // Monge: the best next slot of j is at most j+1's
      if (price < best) {
        for (int k = j + 1; k < T && k <= kmax; ++k) {
          const double sv = r[k];
          if (sv + price >= best) break;
          const double c = sv + F_[k];
          if (c < best) { best = c; bk = k; }
        }
      }
      F_[j] = best + price;
      cnt_[j] = cnt_[bk] + 1;
      next_[j] = bk;
    }
    Result r{0, tb_.never(u), -1};
    for (int f = 0; f < T; ++f) {
      const double p = tb_.pre(u, f);
      if (p >= r.cost) break;  // pre grows with f
      const double c = p + F_[f];
      if (c < r.cost) r = {cnt_[f], c, f};
    }
    return r;
  }
  int next(int j) const { return next_[j]; }

 private:
  Tables& tb_;
  std::vector<double> F_;
  std::vector<int> cnt_, next_, qk_, qtop_;
};

// Distortion of position s with the kept slots of row `kept` (T values).
double position_cost(const Tables& tb, int s, const uint8_t* kept) {
  const int T = tb.T();
  int first = -1;
  for (int t = 0; t < T && first < 0; ++t)
    if (kept[t]) first = t;
  if (first < 0) return tb.blank(s);
  double cost = 0;
  int a = first;
  for (int t = 0; t < T; ++t) {
    if (kept[t]) a = t;
    cost += tb.shown(s, a, t);
  }
  return cost;
}

struct Addition {
  double gain = -std::numeric_limits<double>::infinity();  // per token
  int t = -1;
};

// Best single slot to add to every member of unit u (rows of `kept` [S][T], modified and restored);
// the gain is per token.
Addition best_addition(const Tables& tb, int u, uint8_t* kept) {
  const int T = tb.T();
  const auto& m = tb.members();
  double base = 0;
  for (int i = tb.unit_begin(u); i < tb.unit_end(u); ++i) base += position_cost(tb, m[i], kept + size_t(m[i]) * T);
  Addition best;
  for (int t = 0; t < T; ++t) {
    bool free = true;
    for (int i = tb.unit_begin(u); i < tb.unit_end(u) && free; ++i) free = !kept[size_t(m[i]) * T + t];
    if (!free) continue;
    double after = 0;
    for (int i = tb.unit_begin(u); i < tb.unit_end(u); ++i) {
      uint8_t* row = kept + size_t(m[i]) * T;
      row[t] = 1;
      after += position_cost(tb, m[i], row);
      row[t] = 0;
    }
    const double g = (base - after) / tb.unit_size(u);
    if (g > best.gain) best = {g, t};
  }
  return best;
}

// Seams. Where two neighbouring positions p and q show patches of different moments a and b at a
// slot, the rebuilt frame has an edge between them that is in neither moment. It is as far from a
// consistent pair as the smaller of the two changes between a and b, d_s(a, b) = sqrt(|A_s[b] -
// A_s[a]|) (the distortion model's own measure): a still patch next to a moving one makes no seam,
// whichever moment it shows. A patch's pixels are shared among its four edges, so an edge costs a
// quarter of that on each side:
//   seam(p, q, t) = min(w_p, w_q) / 2 * min(d_p(a, b), d_q(a, b))
// (no seam where the moments agree, or where q is never kept). Coordinate descent on the kept
// slots: each kept slot of each position (raster order) moves to the free slot between its
// neighbours in time that lowers the position's distortion plus its edges' seams the most, until a
// sweep moves nothing (at most kMaxSeamSweeps). The number of tokens of every position stays what
// the allocation chose; deterministic. (Measured, README "refresh against uniform": the seam cost
// doubled changes no pair of the evaluation set.)
constexpr int kMaxSeamSweeps = 8;

class SeamRefiner {
 public:
  // `tb` allocates single positions (group 1): unit s is position s, and its hold-cost rows give a
  // position's own distortion over any run of slots in O(1).
  SeamRefiner(Tables& tb, int grid_w, std::vector<uint8_t>& kept) : tb_(tb), T_(tb.T()), S_(tb.S()), W_(grid_w), H_(tb.S() / grid_w), kept_(kept), src_(size_t(S_) * T_) {
    for (int s = 0; s < S_; ++s) shown_from(kept_.data() + size_t(s) * T_, src_.data() + size_t(s) * T_);
  }

  int run() {
    int moves = 0;
    // a position whose neighbourhood did not change since it last moved nothing would move nothing
    // again: only the positions next to a move (or moved) are looked at in the next sweep
    std::vector<uint8_t> dirty(S_, 1), next(S_, 0);
    for (int sweep = 0; sweep < kMaxSeamSweeps; ++sweep) {
      int moved = 0;
      std::fill(next.begin(), next.end(), 0);
      for (int s = 0; s < S_; ++s) {
        if (!dirty[s]) continue;
        dirty[s] = 0;
        const int m = refine(s);
        if (!m) continue;
        moved += m;
        // neighbours later in this sweep see the move now; earlier ones (and s) in the next sweep
        int nb[4];
        const int n = neighbours(s, nb);
        next[s] = 1;
        for (int i = 0; i < n; ++i) (nb[i] > s ? dirty : next)[nb[i]] = 1;
      }
      moves += moved;
      if (!moved) break;
      dirty.swap(next);
    }
    return moves;
  }

 private:
  // The positions next to s on the grid (left, right, above, below); returns how many.
  int neighbours(int s, int nb[4]) const {
    const int x = s % W_, y = s / W_;
    int n = 0;
    if (x > 0) nb[n++] = s - 1;
    if (x + 1 < W_) nb[n++] = s + 1;
    if (y > 0) nb[n++] = s - W_;
    if (y + 1 < H_) nb[n++] = s + W_;
    return n;
  }

  // Moment shown at every slot by a position with kept row `kept` (-1: never kept).
  void shown_from(const uint8_t* kept, int* src) const {
    int first = -1;
    for (int t = 0; t < T_ && first < 0; ++t)
      if (kept[t]) first = t;
    int a = first;
    for (int t = 0; t < T_; ++t) {
      if (kept[t]) a = t;
      src[t] = a;
    }
  }

  // Own distortion of s over slots [j, k) shown from slot a: held (a <= j), or back-filled before
  // the first kept slot a (j = 0, k = a: the only back-fill refine asks for).
  double own(const double* seg, int s, int a, int j, int k) const {
    if (j >= k) return 0;
    if (a > j) return tb_.pre(s, a);
    return seg[tb_.row_start(a) + k - a - 1] - (j > a ? seg[tb_.row_start(a) + j - a - 1] : 0);
  }

  // A run of slots [begin, end) in which neighbour q shows one moment, with what the cost of the
  // edge between s and q needs that does not depend on the moment s shows.
  struct Run {
    int q, begin, end, moment;
    double half_w, as_moment, aq_moment;  // min(w_s, w_q) / 2, A_s[moment], A_q[moment]
    const double* aq;                     // A_q
    double held = 0;  // the edge while s shows its previous kept slot (the same for every candidate)
    // The edge when s shows moment c: min(w) / 2 times the smaller of d_s(c, moment) and
    // d_q(c, moment), taken as the square root of the smaller change (the same value, one root).
    double edge_from(const double* as, int c) const {
      if (c == moment) return 0;
      return half_w * std::sqrt(std::min(std::fabs(as_moment - as[c]), std::fabs(aq_moment - aq[c])));
    }
  };

  // Moves each kept slot of s once, to the free slot between its neighbours in time that lowers the
  // distortion plus the seams the most; returns the moves made.
  int refine(int s) {
    uint8_t* kept = kept_.data() + size_t(s) * T_;
    int* src = src_.data() + size_t(s) * T_;
    const double* seg = tb_.rows(s);
    const double* as = tb_.A_row(s);
    int nb[4];
    const int n = neighbours(s, nb);
    int moves = 0;
    for (int k = 0; k < T_; ++k) {
      if (!kept[k]) continue;
      int pk = k - 1, nk = k + 1;
      while (pk >= 0 && !kept[pk]) --pk;
      while (nk < T_ && !kept[nk]) ++nk;
      // slots whose shown moment depends on where this kept slot is: [lo, hi); before the
      // candidate slot c they show pk (or, for the first kept slot, c itself), from c on c
      const int lo = pk < 0 ? 0 : pk + 1, hi = nk;
      runs_.clear();
      for (int i = 0; i < n; ++i) {
        const int* qs = src_.data() + size_t(nb[i]) * T_;
        for (int t = lo; t < hi;) {
          int e = t + 1;
          while (e < hi && qs[e] == qs[t]) ++e;
          if (qs[t] >= 0) {
            const int q = nb[i], m = qs[t];
            Run r{q, t, e, m, std::min(tb_.w(s), tb_.w(q)) * 0.5, as[m], tb_.A(q, m), tb_.A_row(q)};
            if (pk >= 0) r.held = r.edge_from(as, pk);
            runs_.push_back(r);
          }
          t = e;
        }
      }
      auto own_at = [&](int c) { return own(seg, s, pk < 0 ? c : pk, lo, c) + own(seg, s, c, c, hi); };
      auto cost = [&](int c) {
        double v = own_at(c);
        if (pk < 0) {
          // the first kept slot: the slots before it show it too (back-filled)
          for (const Run& r : runs_) {
            const int b1 = std::min(r.end, c), a2 = std::max(r.begin, c);
            const double shown = r.edge_from(as, c);
            if (b1 > r.begin) v += (b1 - r.begin) * shown;
            if (r.end > a2) v += (r.end - a2) * shown;
          }
          return v;
        }
        for (const Run& r : runs_) {
          if (r.end <= c) {
            v += (r.end - r.begin) * r.held;
            continue;
          }
          const int a2 = std::max(r.begin, c);
          if (c > r.begin) v += (c - r.begin) * r.held;
          v += (r.end - a2) * r.edge_from(as, c);
        }
        return v;
      };
      const double base = cost(k);
      double best = base;
      int bc = k;
      for (int c = pk + 1; c < nk; ++c) {
        if (c == k) continue;
        // the seams only add (non-negative terms, and a floating-point sum of those never falls
        // below its first term): a slot whose own distortion alone is not better is skipped
        const double bar = best - 1e-12 * (1 + std::fabs(base));
        if (own_at(c) >= bar) continue;
        const double v = cost(c);
        if (v < bar) { best = v; bc = c; }
      }
      if (bc != k) {
        kept[k] = 0;
        kept[bc] = 1;
        shown_from(kept, src);
        ++moves;
        k = bc;  // go on after the moved slot
      }
    }
    return moves;
  }

  Tables& tb_;
  const int T_, S_, W_, H_;
  std::vector<uint8_t>& kept_;
  std::vector<int> src_;
  std::vector<Run> runs_;
};

void check(const RefreshRequest& r) {
  if (r.T < 1 || r.S < 1) throw std::invalid_argument("refresh: empty change volume");
  if (!r.change) throw std::invalid_argument("refresh: no change volume");
  if (r.budget < 1) throw std::invalid_argument("refresh: budget must be positive");
  if (r.grid_w < 0 || (r.grid_w > 0 && r.S % r.grid_w != 0)) throw std::invalid_argument("refresh: the grid width does not divide the positions");
  if (r.group < 1) throw std::invalid_argument("refresh: the group side must be positive");
  const size_t n = size_t(r.T) * r.S;
  for (size_t i = 0; i < n; ++i)
    if (!(r.change[i] >= 0 && std::isfinite(r.change[i]))) throw std::invalid_argument("refresh: change value " + std::to_string(i) + " is not finite and >= 0");
  if (r.weight)
    for (int s = 0; s < r.S; ++s)
      if (!(r.weight[s] >= 0 && r.weight[s] <= 1)) throw std::invalid_argument("refresh: weights must be in [0, 1]");
}

// Below one token per unit (K smaller than the positions that show picture), the units that get a
// token are those with the largest share of picture per position, ties by position (raster order);
// the others are given weight 0 in `weight` (returned true). A blank patch is worse than any kept
// patch by an amount the codec cannot know (what the patch looks like against the reader's blank),
// the same wherever it is: the change does not rank blank positions, the tie-break does. (Ranking
// them by change, the most changing left blank, was measured: it scatters blank holes over the
// picture, each with seams on four sides.)
bool blank_units(const RefreshRequest& r, int64_t K, std::vector<float>& weight) {
  const Tables units(r, Tables::Need::units);
  int64_t showing = 0;
  std::vector<std::pair<double, int>> order;  // (-mean weight, unit)
  for (int u = 0; u < units.U(); ++u) {
    double wsum = 0;
    for (int i = units.unit_begin(u); i < units.unit_end(u); ++i) wsum += units.w(units.members()[i]);
    if (wsum > 0) showing += units.unit_size(u);
    order.push_back({-wsum / units.unit_size(u), u});
  }
  if (K >= showing) return false;
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return units.members()[units.unit_begin(a.second)] < units.members()[units.unit_begin(b.second)];
  });
  weight.assign(size_t(r.S), 0.0f);
  int64_t left = K;
  for (const auto& [neg, u] : order) {
    if (neg == 0 || units.unit_size(u) > left) continue;
    left -= units.unit_size(u);
    for (int i = units.unit_begin(u); i < units.unit_end(u); ++i) {
      const int s = units.members()[i];
      weight[s] = r.weight ? r.weight[s] : 1.0f;
    }
  }
  return true;
}

}  // namespace

RefreshAllocation allocate_refresh(const RefreshRequest& request) {
  check(request);
  const int T = request.T, S = request.S;
  const int64_t K = std::min<int64_t>(request.budget, int64_t(T) * S);
  // Below one token per unit, which units stay blank is not the change's to say (see the header):
  // the others get no weight.
  std::vector<float> weight;
  RefreshRequest req = request;
  if (blank_units(request, K, weight)) req.weight = weight.data();
  Tables tb(req);
  const int U = tb.U();
  UnitSolver solver(tb);
  RefreshAllocation out;

  double wmax = 0;
  for (int s = 0; s < S; ++s) wmax = std::max(wmax, tb.w(s));
  // At lam_hi nothing is worth a token; at lam_lo everything that lowers the distortion is.
  double lam_hi = std::max(1e-300, wmax * tb.M() * T * 2);
  double lam_lo = lam_hi * 1e-18;
  std::vector<int> cnt_lo(U), cnt_hi(U, 0), cur(U);  // tokens per unit
  auto count_at = [&](double lambda, std::vector<int>& per, bool all) {
    int64_t n = 0;
    for (int u = 0; u < U; ++u) {
      if (all || cnt_lo[u] != cnt_hi[u]) per[u] = solver.solve(u, lambda).slots * tb.unit_size(u);
      n += per[u];
    }
    return n;
  };
  int64_t c_lo = count_at(lam_lo, cnt_lo, true);
  int64_t c_hi = 0;
  if (c_lo <= K) {
    lam_hi = lam_lo;
    c_hi = c_lo;
    cnt_hi = cnt_lo;
  } else {
    // Illinois on x = log lambda, f(x) = count - K (falls with x): f(x_lo) > 0 >= f(x_hi). A unit
    // whose count is the same at both ends keeps it inside the bracket and is not solved again.
    double x_lo = std::log(lam_lo), x_hi = std::log(lam_hi);
    double f_lo = double(c_lo - K), f_hi = double(c_hi - K);
    int kept_end = 0;  // +1: lo kept in the last step, -1: hi kept
    double width_before = 2 * (x_hi - x_lo), width_prev = x_hi - x_lo;
    while (out.steps < 200 && c_hi != K) {
      const double width = x_hi - x_lo;
      if (!(width > 1e-12)) break;
      double x = (x_lo * f_hi - x_hi * f_lo) / (f_hi - f_lo);
      // a step that does not halve the bracket every two steps is a bisection
      if (!(x > x_lo && x < x_hi) || width > 0.5 * width_before) x = 0.5 * (x_lo + x_hi);
      if (!(x > x_lo && x < x_hi)) break;
      width_before = width_prev;
      width_prev = width;
      ++out.steps;
      cur = cnt_hi;
      const int64_t c = count_at(std::exp(x), cur, false);
      if (c > K) {
        x_lo = x;
        c_lo = c;
        f_lo = double(c - K);
        cnt_lo = cur;
        if (kept_end == -1) f_hi *= 0.5;
        kept_end = -1;
      } else {
        x_hi = x;
        c_hi = c;
        f_hi = double(c - K);
        cnt_hi = cur;
        if (kept_end == 1) f_lo *= 0.5;
        kept_end = 1;
      }
    }
    lam_lo = std::exp(x_lo);
    lam_hi = std::exp(x_hi);
  }
  out.lambda = lam_hi;
  std::vector<uint8_t> kept(size_t(S) * T, 0);  // [S][T]
  const auto& members = tb.members();
  int64_t count = 0;
  for (int u = 0; u < U; ++u) {
    const auto r = solver.solve(u, lam_hi);
    for (int j = r.first; j >= 0 && j < T; j = solver.next(j))
      for (int i = tb.unit_begin(u); i < tb.unit_end(u); ++i) kept[size_t(members[i]) * T + j] = 1;
    count += int64_t(r.slots) * tb.unit_size(u);
  }
  out.tie_tokens = int32_t(K - count);
  // Tokens left after that: one slot at a time by largest gain per token, ties by (t, first
  // position), whole units while they fit, then single positions.
  auto fill = [&](const Tables& t, const std::vector<int>& cands) {
    std::vector<Addition> add(t.U());
    for (int u : cands) add[u] = best_addition(t, u, kept.data());
    auto first_of = [&](int u) { return t.members()[t.unit_begin(u)]; };
    while (count < K) {
      int bu = -1;
      for (int u : cands) {
        if (add[u].t < 0 || count + t.unit_size(u) > K) continue;
        if (bu < 0 || add[u].gain > add[bu].gain ||
            (add[u].gain == add[bu].gain && int64_t(add[u].t) * S + first_of(u) < int64_t(add[bu].t) * S + first_of(bu)))
          bu = u;
      }
      if (bu < 0) return;
      for (int i = t.unit_begin(bu); i < t.unit_end(bu); ++i) kept[size_t(t.members()[i]) * T + add[bu].t] = 1;
      count += t.unit_size(bu);
      add[bu] = best_addition(t, bu, kept.data());
    }
  };
  auto every = [](int n) {
    std::vector<int> v(n);
    for (int i = 0; i < n; ++i) v[i] = i;
    return v;
  };
  if (count < K && lam_lo < lam_hi) {
    // Units whose count changes inside the final bracket: both of their kept sets are (nearly) best
    // at the multiplier where the count jumps. Take the larger set where it fits, by distortion
    // removed per added token, ties by first position.
    struct Switch {
      int u, tokens;
      double gain;
    };
    std::vector<Switch> sw;
    for (int u = 0; u < U; ++u) {
      if (cnt_lo[u] <= cnt_hi[u]) continue;
      const auto hi = solver.solve(u, lam_hi);
      const auto lo = solver.solve(u, lam_lo);
      const int tokens = (lo.slots - hi.slots) * tb.unit_size(u);
      const double d_hi = hi.cost - lam_hi * hi.slots * tb.unit_size(u);
      const double d_lo = lo.cost - lam_lo * lo.slots * tb.unit_size(u);
      if (tokens > 0) sw.push_back({u, tokens, (d_hi - d_lo) / tokens});
    }
    std::sort(sw.begin(), sw.end(), [&](const Switch& a, const Switch& b) {
      if (a.gain != b.gain) return a.gain > b.gain;
      return members[tb.unit_begin(a.u)] < members[tb.unit_begin(b.u)];
    });
    for (const Switch& x : sw) {
      if (count + x.tokens > K) continue;
      const auto lo = solver.solve(x.u, lam_lo);
      for (int i = tb.unit_begin(x.u); i < tb.unit_end(x.u); ++i) {
        uint8_t* row = &kept[size_t(members[i]) * T];
        std::fill(row, row + T, 0);
        for (int j = lo.first; j >= 0 && j < T; j = solver.next(j)) row[j] = 1;
      }
      count += x.tokens;
    }
  }
  if (count < K) fill(tb, every(U));
  if (count < K) {
    // what whole units cannot fill: single positions
    RefreshRequest single = req;
    single.group = 1;
    const Tables one(single, Tables::Need::fill);
    fill(one, every(S));
  }
  if (count != K) throw std::logic_error("refresh selected " + std::to_string(count) + " of " + std::to_string(K));
  if (request.seams && request.grid_w > 0 && request.group == 1) out.seam_moves = SeamRefiner(tb, request.grid_w, kept).run();

  out.kept.reserve(size_t(K));
  out.token_change.reserve(size_t(K));
  std::vector<int> last(S, 0);
  for (int t = 0; t < T; ++t) {
    for (int s = 0; s < S; ++s) {
      if (!kept[size_t(s) * T + t]) continue;
      out.kept.push_back(t * S + s);
      out.token_change.push_back(float(tb.A(s, t) - tb.A(s, last[s])));
      last[s] = t;
    }
  }
  return out;
}

}  // namespace codectok
