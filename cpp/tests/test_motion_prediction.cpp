// Luma motion vector prediction (hevc/motion_prediction.h) on hand-built
// pictures. Every expectation is derived by hand from the text of ITU-T
// H.265 clause 8.5.3.2 (merge: 8.5.3.2.2-8.5.3.2.5, AMVP: 8.5.3.2.6-8.5.3.2.7,
// temporal: 8.5.3.2.8-8.5.3.2.9); the arithmetic is written out in comments.
//
// The scene: a 64x64 picture that is one 64x64 CTB of one slice and one tile.
// The block under test is the 16x16 coding block at (32, 32) unless said
// otherwise; its neighbours (clause 8.5.3.2.3) are A1 (31, 47), B1 (47, 31),
// B0 (48, 31), A0 (31, 48) and B2 (31, 31), all earlier in z-scan order.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "hevc/motion_prediction.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::check;

namespace {

constexpr int kA1[2] = {31, 47}, kB1[2] = {47, 31}, kB0[2] = {48, 31}, kA0[2] = {31, 48}, kB2[2] = {31, 31};

PredInfo uni(int list, int ref_idx, int ref_poc, int mvx, int mvy, bool long_term = false) {
  PredInfo p;
  std::memset(&p, 0, sizeof(p));
  p.ref_idx[0] = p.ref_idx[1] = -1;
  p.pred_flags = static_cast<uint8_t>(1 << list);
  p.ref_idx[list] = static_cast<int8_t>(ref_idx);
  p.ref_poc[list] = ref_poc;
  p.mv[list][0] = static_cast<int16_t>(mvx);
  p.mv[list][1] = static_cast<int16_t>(mvy);
  p.long_term = static_cast<uint8_t>(long_term ? 1 << list : 0);
  return p;
}

PredInfo bi(int ref0, int poc0, int mv0x, int mv0y, int ref1, int poc1, int mv1x, int mv1y) {
  PredInfo p = uni(0, ref0, poc0, mv0x, mv0y);
  PredInfo q = uni(1, ref1, poc1, mv1x, mv1y);
  p.pred_flags = 3;
  p.ref_idx[1] = q.ref_idx[1];
  p.ref_poc[1] = q.ref_poc[1];
  p.mv[1][0] = q.mv[1][0];
  p.mv[1][1] = q.mv[1][1];
  return p;
}

struct Scene {
  static constexpr int kW = 64, kH = 64, kW4 = 16;
  std::vector<PredInfo> pred;
  std::vector<uint8_t> mode;
  int32_t ctb_slice_addr[1] = {0};
  int rs_to_ts[1] = {0};
  int tile_id[1] = {0};
  SliceRefs refs;
  CollocatedMotion col;
  std::shared_ptr<HugePageVector<PredInfo>> col_blocks = std::make_shared<HugePageVector<PredInfo>>(16);
  MotionContext ctx;

  // A P slice of the picture with POC `poc`; every 4x4 block intra (no motion) until set.
  explicit Scene(int poc) : pred(kW4 * kW4), mode(kW4 * kW4, kModeIntra) {
    ctx.avail.width = kW;
    ctx.avail.height = kH;
    ctx.avail.ctb_log2 = 6;
    ctx.avail.width_in_ctbs = 1;
    ctx.avail.ctb_slice_addr = ctb_slice_addr;
    ctx.avail.slice_addr_rs = 0;
    ctx.avail.ctb_addr_rs_to_ts = rs_to_ts;
    ctx.avail.tile_id = tile_id;
    ctx.pred = pred.data();
    ctx.pred_mode = mode.data();
    ctx.w4 = kW4;
    ctx.poc = poc;
    ctx.refs = &refs;
    for (auto& b : *col_blocks) {
      std::memset(&b, 0, sizeof(b));  // intra
    }
    col.w16 = col.h16 = 4;
    col.blocks = col_blocks;
  }
  void ref(int list, int poc, bool long_term = false) {
    RefPicEntry& e = refs.list[list][refs.num[list]++];
    e.poc = poc;
    e.long_term = long_term;
    e.motion = nullptr;
    ctx.num_ref_idx_active[list] = refs.num[list];
  }
  // The 4x4 blocks of [x, x + w) x [y, y + h) are inter with motion p.
  void set(int x, int y, int w, int h, const PredInfo& p) {
    for (int j = y >> 2; j < (y + h) >> 2; ++j)
      for (int i = x >> 2; i < (x + w) >> 2; ++i) {
        pred[j * kW4 + i] = p;
        mode[j * kW4 + i] = kModeInter;
      }
  }
  void set_at(const int pos[2], const PredInfo& p) { set(pos[0] & ~3, pos[1] & ~3, 4, 4, p); }
};

PredictionBlock cu16(int x = 32, int y = 32) {
  PredictionBlock pb;
  pb.x_cb = pb.x = x;
  pb.y_cb = pb.y = y;
  pb.n_cb = pb.w = pb.h = 16;
  return pb;
}

bool is(const MvCand& c, int flags, int ref0, int mv0x, int mv0y, int ref1 = -1, int mv1x = 0, int mv1y = 0) {
  if (c.pred_flags != flags) return false;
  if ((flags & 1) && (c.ref_idx[0] != ref0 || c.mv[0][0] != mv0x || c.mv[0][1] != mv0y)) return false;
  if ((flags & 2) && (c.ref_idx[1] != ref1 || c.mv[1][0] != mv1x || c.mv[1][1] != mv1y)) return false;
  if (!(flags & 2) && c.ref_idx[1] != -1) return false;
  return true;
}

std::string describe(const MvCand& c) {
  return " (got flags " + std::to_string(c.pred_flags) + " L0 ref " + std::to_string(c.ref_idx[0]) + " mv " +
         std::to_string(c.mv[0][0]) + "," + std::to_string(c.mv[0][1]) + " L1 ref " + std::to_string(c.ref_idx[1]) +
         " mv " + std::to_string(c.mv[1][0]) + "," + std::to_string(c.mv[1][1]) + ")";
}

void expect(const MvCand& c, bool ok, const std::string& what) { check(ok, what + (ok ? "" : describe(c))); }

void test_spatial_merge_order() {
  // 8.5.3.2.3 / 8.5.3.2.2: mergeCandList is A1, B1, B0, A0, B2 (as available),
  // and B2 is not considered when the other four are all available.
  Scene s(8);
  s.ref(0, 4);
  s.ctx.max_num_merge_cand = 5;
  s.set_at(kA1, uni(0, 0, 4, 1, 1));
  s.set_at(kB1, uni(0, 0, 4, 2, 2));
  s.set_at(kB0, uni(0, 0, 4, 3, 3));
  s.set_at(kA0, uni(0, 0, 4, 4, 4));
  s.set_at(kB2, uni(0, 0, 4, 5, 5));
  const PredictionBlock pb = cu16();
  const char* names[4] = {"A1", "B1", "B0", "A0"};
  for (int i = 0; i < 4; ++i) {
    MvCand c = derive_merge_motion(s.ctx, pb, i);
    expect(c, is(c, 1, 0, i + 1, i + 1), std::string("merge order: candidate ") + std::to_string(i) + " is " + names[i]);
  }
  // availableFlagA0 + A1 + B0 + B1 == 4: availableFlagB2 = 0, so entry 4 is
  // the first zero candidate (8.5.3.2.5): refIdxL0 0, mv (0, 0), L0 only.
  MvCand c = derive_merge_motion(s.ctx, pb, 4);
  expect(c, is(c, 1, 0, 0, 0), "merge: B2 not used when A1, B1, B0, A0 are all available");

  // A1 intra: the list becomes B1, B0, A0, B2.
  s.mode[(47 >> 2) * 16 + (31 >> 2)] = kModeIntra;
  c = derive_merge_motion(s.ctx, pb, 0);
  expect(c, is(c, 1, 0, 2, 2), "merge: A1 intra, candidate 0 is B1");
  c = derive_merge_motion(s.ctx, pb, 3);
  expect(c, is(c, 1, 0, 5, 5), "merge: A1 intra, candidate 3 is B2");
}

void test_merge_pruning_and_zero_candidates() {
  // 8.5.3.2.3 compares only: B1 with A1; B0 with B1; A0 with A1; B2 with A1 and B1.
  Scene s(8);
  s.ref(0, 4);
  s.ref(0, 2);
  s.ctx.max_num_merge_cand = 5;
  const PredInfo m1 = uni(0, 0, 4, 1, 1), m2 = uni(0, 1, 2, -6, 3);
  s.set_at(kA1, m1);
  s.set_at(kB1, m1);  // same as A1: pruned
  s.set_at(kB0, m2);  // differs from B1: kept
  s.set_at(kA0, m1);  // same as A1: pruned
  s.set_at(kB2, m2);  // differs from A1 and B1: kept (never compared with B0)
  const PredictionBlock pb = cu16();
  MvCand c = derive_merge_motion(s.ctx, pb, 0);
  expect(c, is(c, 1, 0, 1, 1), "pruning: candidate 0 is A1");
  c = derive_merge_motion(s.ctx, pb, 1);
  expect(c, is(c, 1, 1, -6, 3), "pruning: B1 (= A1) dropped, candidate 1 is B0");
  c = derive_merge_motion(s.ctx, pb, 2);
  expect(c, is(c, 1, 1, -6, 3), "pruning: A0 (= A1) dropped, candidate 2 is B2 (same motion as B0, not compared)");
  // 8.5.3.2.5, P slice, numRefIdx = num_ref_idx_l0_active = 2: zeroIdx 0 -> refIdxL0 0, zeroIdx 1 -> 1.
  c = derive_merge_motion(s.ctx, pb, 3);
  expect(c, is(c, 1, 0, 0, 0), "zero candidate 0: refIdxL0 0");
  c = derive_merge_motion(s.ctx, pb, 4);
  expect(c, is(c, 1, 1, 0, 0), "zero candidate 1: refIdxL0 1");
}

void test_zero_candidates_b_slice() {
  // No neighbour, no temporal candidate: numOrigMergeCand = 0, no combined
  // candidates; numRefIdx = Min(2, 3) = 2; zeroIdx 2 >= numRefIdx gives refIdx 0.
  Scene s(8);
  s.ctx.b_slice = true;
  s.ref(0, 4);
  s.ref(0, 2);
  s.ref(1, 16);
  s.ref(1, 12);
  s.ref(1, 10);
  const PredictionBlock pb = cu16();
  MvCand c = derive_merge_motion(s.ctx, pb, 0);
  expect(c, is(c, 3, 0, 0, 0, 0, 0, 0), "B zero candidate 0: refIdx 0 / 0, bi");
  c = derive_merge_motion(s.ctx, pb, 1);
  expect(c, is(c, 3, 1, 0, 0, 1, 0, 0), "B zero candidate 1: refIdx 1 / 1");
  c = derive_merge_motion(s.ctx, pb, 2);
  expect(c, is(c, 3, 0, 0, 0, 0, 0, 0), "B zero candidate 2: zeroIdx >= numRefIdx gives refIdx 0 / 0");
}

void test_combined_bi_predictive() {
  // 8.5.3.2.4 with numOrigMergeCand = 2: combIdx 0 takes l0Cand = 0 (A1),
  // l1Cand = 1 (B1); combIdx 1 (l0Cand = B1) has no L0; combIdx stops at
  // numOrigMergeCand * (numOrigMergeCand - 1) = 2.
  Scene s(8);
  s.ctx.b_slice = true;
  s.ref(0, 4);
  s.ref(0, 2);
  s.ref(1, 12);
  s.ref(1, 4);
  s.set_at(kA1, uni(0, 0, 4, 1, 0));
  s.set_at(kB1, uni(1, 0, 12, 0, 2));
  const PredictionBlock pb = cu16();
  MvCand c = derive_merge_motion(s.ctx, pb, 2);
  expect(c, is(c, 3, 0, 1, 0, 0, 0, 2), "combined: L0 of A1 with L1 of B1");
  c = derive_merge_motion(s.ctx, pb, 3);
  expect(c, is(c, 3, 0, 0, 0, 0, 0, 0), "combined: then zero candidate refIdx 0");

  // Same picture (RefPicList0[1] and RefPicList1[1] are both POC 4) and the
  // same motion vector: DiffPicOrderCnt == 0 and mvL0 == mvL1, not added.
  Scene t(8);
  t.ctx.b_slice = true;
  t.ref(0, 4);
  t.ref(0, 2);
  t.ref(1, 12);
  t.ref(1, 2);
  t.set_at(kA1, uni(0, 1, 2, 3, 3));
  t.set_at(kB1, uni(1, 1, 2, 3, 3));
  c = derive_merge_motion(t.ctx, pb, 2);
  expect(c, is(c, 3, 0, 0, 0, 0, 0, 0), "combined: same picture and motion is not a candidate");
}

void test_partition_rules() {
  // 2NxN, partIdx 1: B1 lies in partition 0 of the same CU and is not a
  // merge candidate (availableFlagB1 = 0); B0 is not decoded yet.
  Scene s(8);
  s.ref(0, 4);
  PredictionBlock pb = cu16();
  pb.part_mode = k2NxN;
  pb.part_idx = 1;
  pb.y = 40;
  pb.h = 8;
  s.set(32, 32, 16, 8, uni(0, 0, 4, 7, 7));  // partition 0 (contains B1 = (47, 39))
  s.set_at(kA1, uni(0, 0, 4, 1, 1));         // (31, 47)
  s.set(28, 48, 4, 4, uni(0, 0, 4, 4, 4));   // A0 = (31, 48)
  s.set(28, 36, 4, 4, uni(0, 0, 4, 5, 5));   // B2 = (31, 39)
  MvCand c = derive_merge_motion(s.ctx, pb, 0);
  expect(c, is(c, 1, 0, 1, 1), "2NxN partIdx 1: candidate 0 is A1");
  c = derive_merge_motion(s.ctx, pb, 1);
  expect(c, is(c, 1, 0, 4, 4), "2NxN partIdx 1: B1 excluded, candidate 1 is A0");
  c = derive_merge_motion(s.ctx, pb, 2);
  expect(c, is(c, 1, 0, 5, 5), "2NxN partIdx 1: candidate 2 is B2");

  // 8x4 prediction block (nOrigPbW + nOrigPbH == 12): a bi-predictive merge
  // candidate keeps L0 only (refIdxL1 = -1, predFlagL1 = 0).
  Scene b(8);
  b.ctx.b_slice = true;
  b.ref(0, 4);
  b.ref(1, 12);
  PredictionBlock small;
  small.x_cb = small.x = 32;
  small.y_cb = small.y = 32;
  small.n_cb = 8;
  small.w = 8;
  small.h = 4;
  small.part_mode = k2NxN;
  b.set(28, 32, 4, 4, bi(0, 4, 5, 6, 0, 12, -7, -8));  // A1 = (31, 35)
  c = derive_merge_motion(b.ctx, small, 0);
  expect(c, is(c, 1, 0, 5, 6), "8x4: bi-predictive candidate restricted to L0");
  PredictionBlock big = small;
  big.w = 8;
  big.h = 8;
  big.part_mode = k2Nx2N;
  b.set(28, 36, 4, 4, bi(0, 4, 5, 6, 0, 12, -7, -8));  // A1 of the 8x8 block = (31, 39)
  c = derive_merge_motion(b.ctx, big, 0);
  expect(c, is(c, 3, 0, 5, 6, 0, -7, -8), "8x8: the same candidate stays bi-predictive");
}

void test_scale_mv() {
  // 8-179..8-183: tx = (16384 + (Abs(td) >> 1)) / td,
  // distScaleFactor = Clip3(-4096, 4095, (tb * tx + 32) >> 6),
  // mv' = Clip3(-32768, 32767, Sign(dsf * mv) * ((Abs(dsf * mv) + 127) >> 8)).
  // td 4, tb 2: tx = 16386 / 4 = 4096, dsf = 8224 >> 6 = 128;
  // mv 9: 1152 + 127 = 1279 >> 8 = 4; mv -5: -((640 + 127) >> 8) = -2.
  check(scale_mv(9, 4, 2) == 4 && scale_mv(-5, 4, 2) == -2, "scale_mv: td 4, tb 2");
  // td -2, tb 4: tx = (16384 + 1) / -2 = -8192 (truncation), dsf = (-32768 + 32) >> 6 = -512 (floor: -511.5 -> -512);
  // mv 3: -1536 -> -((1536 + 127) >> 8) = -6.
  check(scale_mv(3, -2, 4) == -6, "scale_mv: negative td");
  // td 1, tb 127: tx = 16384, dsf = (2080768 + 32) >> 6 = 32512, clipped to 4095;
  // mv 10: 40950 + 127 >> 8 = 160; mv 9000: 143965, clipped to 32767; mv -9000: -32768.
  check(scale_mv(10, 1, 127) == 160, "scale_mv: distScaleFactor clipped to 4095");
  check(scale_mv(9000, 1, 127) == 32767 && scale_mv(-9000, 1, 127) == -32768, "scale_mv: result clipped to 16 bits");
  // tb = Clip3(-128, 127, 200) = 127: same as tb 127.
  check(scale_mv(10, 1, 200) == 160, "scale_mv: tb clipped to 127");
}

void test_amvp_spatial_scaling() {
  // 8.5.3.2.7. Current POC 8, RefPicList0 = {POC 6, POC 4}, refIdxL0 = 0.
  Scene s(8);
  s.ref(0, 6);
  s.ref(0, 4);
  const PredictionBlock pb = cu16();
  // A1 refers to POC 4 (not the target): no unscaled candidate from A0/A1,
  // then the scaled one: td = 8 - 4 = 4, tb = 8 - 6 = 2 -> (9, -5) becomes (4, -2).
  s.set_at(kA1, uni(0, 1, 4, 9, -5));
  // B0 refers to POC 6, the target: mvLXB unscaled. isScaledFlag = 1, so B is kept as is.
  s.set_at(kB0, uni(0, 0, 6, 20, 8));
  int16_t mvp[2];
  derive_mvp(s.ctx, pb, 0, 0, 0, mvp);
  check(mvp[0] == 4 && mvp[1] == -2, "AMVP: A1 scaled by distScaleFactor 128");
  derive_mvp(s.ctx, pb, 0, 0, 1, mvp);
  check(mvp[0] == 20 && mvp[1] == 8, "AMVP: B0 refers to the target picture, unscaled");

  // A1 in list 1 referring to the target POC: the other list is searched too (unscaled).
  Scene u(8);
  u.ref(0, 6);
  u.set_at(kA1, uni(1, 0, 6, -3, 11));
  derive_mvp(u.ctx, pb, 0, 0, 0, mvp);
  check(mvp[0] == -3 && mvp[1] == 11, "AMVP: a neighbour's other list referring to the target picture");

  // isScaledFlag = 0 (A0, A1 unavailable): B has no unscaled candidate, A stays
  // unavailable, then B is searched for a scaled one: B1 (8, 8) with td 4, tb 2 -> (4, 4);
  // the list {(4, 4)} is completed by a zero vector.
  Scene t(8);
  t.ref(0, 6);
  t.ref(0, 4);
  t.set_at(kB1, uni(0, 1, 4, 8, 8));
  derive_mvp(t.ctx, pb, 0, 0, 0, mvp);
  check(mvp[0] == 4 && mvp[1] == 4, "AMVP: isScaledFlag 0, B1 scaled");
  derive_mvp(t.ctx, pb, 0, 0, 1, mvp);
  check(mvp[0] == 0 && mvp[1] == 0, "AMVP: list completed with a zero vector");

  // isScaledFlag = 0 and B1 refers to the target: mvLXA = mvLXB (unscaled),
  // then mvLXB is searched again among the scaled ones and B1 gives the same
  // vector: the duplicate is removed, and a zero vector follows.
  Scene v(8);
  v.ref(0, 6);
  v.set_at(kB1, uni(0, 0, 6, 12, -4));
  derive_mvp(v.ctx, pb, 0, 0, 0, mvp);
  check(mvp[0] == 12 && mvp[1] == -4, "AMVP: isScaledFlag 0, the unscaled B becomes A");
  derive_mvp(v.ctx, pb, 0, 0, 1, mvp);
  check(mvp[0] == 0 && mvp[1] == 0, "AMVP: identical A and B are one candidate");
}

void test_amvp_long_term() {
  // RefPicList0 = {POC 6 short-term, POC 0 long-term}; target refIdxL0 = 1 (long-term).
  const PredictionBlock pb = cu16();
  int16_t mvp[2];
  {
    // A1 refers to a short-term picture: LongTermRefPic differs, not a candidate.
    Scene s(8);
    s.ref(0, 6);
    s.ref(0, 0, true);
    s.set_at(kA1, uni(0, 0, 6, 9, 9));
    derive_mvp(s.ctx, pb, 0, 1, 0, mvp);
    check(mvp[0] == 0 && mvp[1] == 0, "AMVP long-term: a short-term neighbour is not a candidate");
  }
  {
    // A1 refers to another long-term picture (POC 2): a candidate, not scaled.
    Scene s(8);
    s.ref(0, 6);
    s.ref(0, 0, true);
    s.set_at(kA1, uni(0, 1, 2, 9, 9, true));
    derive_mvp(s.ctx, pb, 0, 1, 0, mvp);
    check(mvp[0] == 9 && mvp[1] == 9, "AMVP long-term: long-term neighbour used unscaled");
  }
  {
    // Short-term target, long-term neighbour: not a candidate either.
    Scene s(8);
    s.ref(0, 6);
    s.ref(0, 0, true);
    s.set_at(kA1, uni(0, 1, 0, 9, 9, true));
    derive_mvp(s.ctx, pb, 0, 0, 0, mvp);
    check(mvp[0] == 0 && mvp[1] == 0, "AMVP: a long-term neighbour for a short-term target is not a candidate");
  }
}

// Temporal scenes: the collocated picture is RefPicList0[0]; the 16x16 block
// under test at (32, 32) has its bottom-right collocated position at
// ((48 >> 4) << 4, (48 >> 4) << 4) = block (3, 3), and its centre (40, 40) in block (2, 2).
void temporal_scene(Scene& s, int col_poc, bool col_long_term) {
  s.ctx.temporal_mvp_enabled = true;
  s.ctx.collocated_ref_idx = 0;
  s.ref(0, col_poc, col_long_term);
  s.col.poc = col_poc;
  s.refs.list[0][0].motion = &s.col;
}

void test_temporal() {
  const PredictionBlock pb = cu16();
  int16_t mv[2];
  {
    // colPocDiff = 4 - 2 = 2, currPocDiff = 8 - 4 = 4: td 2, tb 4, tx = 16385 / 2 = 8192,
    // dsf = (32768 + 32) >> 6 = 512; mv 64 -> (32768 + 127) >> 8 = 128, -32 -> -64.
    Scene s(8);
    temporal_scene(s, 4, false);
    (*s.col_blocks)[3 * 4 + 3] = uni(0, 0, 2, 64, -32);
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == 128 && mv[1] == -64,
          "temporal: bottom-right block, scaled by distScaleFactor 512");
    MvCand c = derive_merge_motion(s.ctx, pb, 0);
    expect(c, is(c, 1, 0, 128, -64), "merge: the temporal candidate with refIdxL0Col 0");
    // Bottom-right intra: the centre block is used.
    (*s.col_blocks)[3 * 4 + 3].pred_flags = 0;
    (*s.col_blocks)[2 * 4 + 2] = uni(0, 0, 0, 8, 8);  // colPocDiff 4 == currPocDiff 4: unscaled
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == 8 && mv[1] == 8,
          "temporal: centre block when the bottom-right one is intra; equal POC distances, unscaled");
    // Disabled by slice_temporal_mvp_enabled_flag.
    s.ctx.temporal_mvp_enabled = false;
    check(!derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv), "temporal: disabled by the slice header");
  }
  {
    // Bottom-right in the next CTB row (yCb >> CtbLog2SizeY differs): not used, the centre is.
    Scene s(8);
    temporal_scene(s, 4, false);
    s.ctx.avail.ctb_log2 = 5;  // 32x32 CTBs: (32 >> 5) = 1, (48 >> 5) = 1 -> same row, so use y = 16
    (*s.col_blocks)[2 * 4 + 1] = uni(0, 0, 0, 1, 1);  // bottom right of a block at (0, 16): (16, 32), centre (8, 24)
    (*s.col_blocks)[1 * 4 + 0] = uni(0, 0, 0, 2, 2);
    check(derive_temporal_mv(s.ctx, 0, 16, 16, 16, 0, 0, mv) && mv[0] == 2 && mv[1] == 2,
          "temporal: bottom-right outside the CTB row is not used");
  }
  {
    // Long-term rules: target RefPicList0[0] long-term, colPb's reference short-term: unavailable.
    Scene s(200);
    temporal_scene(s, 4, true);
    (*s.col_blocks)[3 * 4 + 3] = uni(0, 0, 3, 10, 10);
    check(!derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv), "temporal: long-term mismatch, unavailable");
    MvCand c = derive_merge_motion(s.ctx, pb, 0);
    expect(c, is(c, 1, 0, 0, 0), "merge: no temporal candidate when long-term-ness differs");
    // Both long-term: mvCol unscaled although the POC distances differ (1 and 196).
    (*s.col_blocks)[3 * 4 + 3] = uni(0, 0, 3, 10, -100, true);
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == 10 && mv[1] == -100,
          "temporal: both long-term, not scaled");
  }
  {
    // Both short-term, colPocDiff 1, currPocDiff 196 (tb clipped to 127): dsf clipped to 4095;
    // (10, -100) -> (160, -1600).
    Scene s(200);
    temporal_scene(s, 4, false);
    (*s.col_blocks)[3 * 4 + 3] = uni(0, 0, 3, 10, -100);
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == 160 && mv[1] == -1600,
          "temporal: tb and distScaleFactor clipped");
  }
  {
    // colPb bi-predictive, B slice: NoBackwardPredFlag 0 -> listCol = L(collocated_from_l0);
    // collocated_from_l0 = 1 -> mvL1Col of colPb.
    Scene s(8);
    s.ctx.b_slice = true;
    temporal_scene(s, 4, false);
    s.ref(1, 16);
    s.ctx.collocated_from_l0 = true;
    (*s.col_blocks)[3 * 4 + 3] = bi(0, 0, 4, 4, 0, 8, 12, 12);  // L1 ref POC 8: colPocDiff -4, currPocDiff 4
    // td -4, tb 4: tx = (16384 + 2) / -4 = -4096, dsf = (-16384 + 32) >> 6 = -256 (floor -255.5);
    // 12 -> -((3072 + 127) >> 8) = -12.
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == -12 && mv[1] == -12,
          "temporal: bi-predictive colPb, collocated_from_l0 1 takes its L1 motion");
    // NoBackwardPredFlag 1: listCol = LX (here L0): (4, 4), colPocDiff 4 == currPocDiff 4, unscaled.
    s.refs.no_backward_pred = true;
    check(derive_temporal_mv(s.ctx, 32, 32, 16, 16, 0, 0, mv) && mv[0] == 4 && mv[1] == 4,
          "temporal: NoBackwardPredFlag takes the motion of list X");
  }
}

}  // namespace

int main() {
  test_spatial_merge_order();
  test_merge_pruning_and_zero_candidates();
  test_zero_candidates_b_slice();
  test_combined_bi_predictive();
  test_partition_rules();
  test_scale_mv();
  test_amvp_spatial_scaling();
  test_amvp_long_term();
  test_temporal();
  return codectok::test::report();
}
