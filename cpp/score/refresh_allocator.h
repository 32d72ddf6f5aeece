// The `refresh` policy's budget allocation (src/policies/refresh.ts is its JavaScript face): K
// tokens over T slots x S patch positions that minimise the estimated distortion of the frames a
// reader rebuilds from them.
//
// Input: per position s and slot t, the content change between slot t-1 and slot t (>= 0). A[s][t]
// is its running sum (A[s][0] = 0), so the change accumulated between slots a <= t is A[t] - A[a].
// A reader shows at slot t the most recent kept patch at its position, before the first kept patch
// that first patch, and nothing where a position is never kept. The distortion of showing slot a's
// patch at slot t is
//   hold(a, t) = w_s * (sqrt(A[t] - A[a]) + eps * (t - a))            (a <= t)
//   back(f, t) = w_s * (sqrt(A[f] - A[t]) + eps * (T + f - t))        (t < f, the first kept patch)
//   never      = w_s * M per slot, M larger than any kept cost, plus the best single kept slot's cost
// with w_s the share of the patch that shows picture. A blank is worse than any kept patch by an
// amount the codec cannot know (what the patch looks like against the reader's blank), the same
// everywhere: so below one token per unit, the units left blank are not ranked by change but by the
// tie-break: the units with the largest share of picture per position get a token, ties by position
// (raster order); the others are taken out (weight 0) before the allocation. The square root makes the distortion concave
// in the change (a patch can only become so different); eps (far below any measured change) orders
// allocations the change cannot tell apart: with no change it spreads a position's copies evenly and
// prefers holding an older patch to showing a later one early.
//
// Per position, the best kept set at a price lambda per token is a dynamic programme over the slots,
// F[j] = lambda + min over k in (j, T] of seg(j, k) + F[k] (F[T] = 0 without the price), seg(j, k)
// the cost of slots j..k-1 held from slot j. seg is Monge (seg(a,c) + seg(b,d) <= seg(a,d) + seg(b,c)
// for a <= b <= c <= d, because hold(a, t) - hold(b, t) >= 0 does not fall with t), so the best next
// slot is monotone: opt(j) <= opt(j + 1). The programme scans k from j + 1 up to opt(j + 1) only,
// and stops as soon as seg(j, k) + lambda exceeds the best found (seg grows with k, F >= lambda):
// the candidates scanned per slot are about the gap between kept slots, not T. (An O(T log T) queue
// with binary searches for the crossovers, which the Monge property also allows, was measured: it
// spent 2.4x the instructions of this scan in the programme on a T = 64 x 1296 volume: the gaps are
// short, and the lambda-free table of seg is O(T^2) per position anyway.) The table is built once.
// One lambda is shared by every position; it is found with
// the Illinois method (regula falsi that halves the stale end's value) on log lambda, positions
// whose count is the same at both ends of the bracket being frozen. Where the count jumps over K at
// the final lambda, positions whose count changes there take their larger kept set (by distortion
// removed per token) while it fits; the last tokens are added one at a time by largest exact
// distortion reduction, ties by (t, s). Deterministic; exactly min(K, T*S) tokens. The same holds with positions allocated
// in groups (a group's cost is the sum of its members', a kept slot costs the group size in tokens).
// Seams (`seams`): the allocation is then refined for the edges between neighbours that show
// different moments; see SeamRefiner in the .cpp. It moves kept slots, never adds or removes one.
#pragma once
#include <cstdint>
#include <vector>

namespace codectok {

// Time term per slot; see above.
constexpr double kRefreshEps = 1e-6;

struct RefreshRequest {
  int32_t T = 0;
  int32_t S = 0;
  const float* change = nullptr;  // [T][S]; slot 0 ignored
  const float* weight = nullptr;  // [S] in [0, 1], or null for 1 everywhere
  int64_t budget = 0;
  // Positions form a grid of rows of grid_w (0: one row). Square groups of group x group positions
  // (the edges' smaller) are allocated together: a group's positions are kept at the same slots, so
  // that a rebuilt frame has no seams inside a group; group 1 allocates every position alone. Tokens
  // the groups cannot fill exactly (K not a multiple of the group size) go to single positions.
  int32_t grid_w = 0;
  int32_t group = 1;
  // Seams (needs grid_w; group 1 only: a group has no seams inside): after the allocation, kept
  // slots are moved (never added or removed) where that lowers the distortion plus the cost of the
  // seams between neighbouring positions that show different moments. See SeamRefiner in the .cpp.
  bool seams = false;
};

struct RefreshAllocation {
  // Kept tokens as flat indices t * S + s, ascending.
  std::vector<int32_t> kept;
  // Change accumulated at each kept token's position since the previous kept token there (the
  // first: since slot 0), in the order of `kept`.
  std::vector<float> token_change;
  double lambda = 0;   // the price per token the allocation settled on
  int32_t steps = 0;   // root-finding steps (each solves the positions still undecided)
  int32_t tie_tokens = 0;  // tokens added one by one after the root finding
  int32_t seam_moves = 0;  // kept slots moved to lower the seams
};

// Throws std::invalid_argument on a malformed request (sizes, negative or non-finite values).
RefreshAllocation allocate_refresh(const RefreshRequest& request);

}  // namespace codectok
