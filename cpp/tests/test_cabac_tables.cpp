// Spot checks of kCabacInitValues (cpp/hevc/cabac_tables.cpp) against
// initValues of ITU-T H.265 clause 9.3.2.2. Every expected value below was
// checked in at least two of: the HM reference decoder (ContextTables.h),
// libde265 (contextmodel.cc) and FFmpeg (hevc cabac.c init_values).
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "hevc/cabac_contexts.h"
#include "support/check.h"

namespace {

using codectok::kCabacInitValues;
using codectok::kNumCabacContexts;

using codectok::test::check;

// Compares the contexts of one element for one initType, starting at `first`.
void ExpectValues(const char* what, int init_type, int first,
                  std::initializer_list<int> expected) {
  bool ok = true;
  int i = first;
  for (int v : expected) {
    if (kCabacInitValues[init_type][i] != v) {
      std::printf("  %s initType %d ctx %d: got %d, want %d\n", what, init_type,
                  i - first, kCabacInitValues[init_type][i], v);
      ok = false;
    }
    ++i;
  }
  check(ok, what);
}

// Every context of [first, first + count) for `init_type` holds `value`.
void ExpectAll(const char* what, int init_type, int first, int count, int value) {
  bool ok = true;
  for (int i = first; i < first + count; ++i) {
    if (kCabacInitValues[init_type][i] != value) ok = false;
  }
  check(ok, what);
}

}  // namespace

int main() {
  using namespace codectok;

  // Layout of cabac_contexts.h (173 contexts per initType).
  check(kNumCabacContexts == 173, "kNumCabacContexts == 173");

  // No entry is 0: every specified initValue is non-zero, and contexts that
  // an initType does not define hold 154.
  {
    bool ok = true;
    for (int t = 0; t < 3; ++t)
      for (int i = 0; i < kNumCabacContexts; ++i)
        if (kCabacInitValues[t][i] == 0) {
          std::printf("  zero entry: initType %d ctx %d\n", t, i);
          ok = false;
        }
    check(ok, "no zero entries");
  }

  // sao_merge / sao_type_idx.
  for (int t = 0; t < 3; ++t) ExpectValues("sao_merge_flag", t, kCtxSaoMergeFlag, {153});
  ExpectValues("sao_type_idx initType 0", 0, kCtxSaoTypeIdx, {200});
  ExpectValues("sao_type_idx initType 1", 1, kCtxSaoTypeIdx, {185});
  ExpectValues("sao_type_idx initType 2", 2, kCtxSaoTypeIdx, {160});

  // split_cu_flag.
  ExpectValues("split_cu_flag initType 0", 0, kCtxSplitCuFlag, {139, 141, 157});
  ExpectValues("split_cu_flag initType 1", 1, kCtxSplitCuFlag, {107, 139, 126});
  ExpectValues("split_cu_flag initType 2", 2, kCtxSplitCuFlag, {107, 139, 126});

  // Inter-only elements: 154 for initType 0.
  ExpectAll("cu_skip_flag initType 0 unused", 0, kCtxCuSkipFlag, 3, 154);
  ExpectAll("pred_mode_flag initType 0 unused", 0, kCtxPredModeFlag, 1, 154);
  ExpectAll("merge_flag initType 0 unused", 0, kCtxMergeFlag, 1, 154);
  ExpectAll("inter_pred_idc initType 0 unused", 0, kCtxInterPredIdc, 5, 154);
  ExpectAll("ref_idx initType 0 unused", 0, kCtxRefIdx, 2, 154);
  ExpectAll("abs_mvd initType 0 unused", 0, kCtxAbsMvdGreater0, 2, 154);
  ExpectAll("rqt_root_cbf initType 0 unused", 0, kCtxRqtRootCbf, 1, 154);
  ExpectAll("explicit_rdpcm initType 0 unused", 0, kCtxExplicitRdpcmFlag, 4, 154);

  ExpectValues("cu_skip_flag initType 1", 1, kCtxCuSkipFlag, {197, 185, 201});
  ExpectValues("pred_mode_flag initType 1", 1, kCtxPredModeFlag, {149});
  ExpectValues("pred_mode_flag initType 2", 2, kCtxPredModeFlag, {134});
  ExpectValues("merge_flag/merge_idx initType 1", 1, kCtxMergeFlag, {110, 122});
  ExpectValues("merge_flag/merge_idx initType 2", 2, kCtxMergeFlag, {154, 137});
  ExpectValues("inter_pred_idc initType 2", 2, kCtxInterPredIdc, {95, 79, 63, 31, 31});
  ExpectValues("abs_mvd_greater0/1 initType 1", 1, kCtxAbsMvdGreater0, {140, 198});
  ExpectValues("abs_mvd_greater0/1 initType 2", 2, kCtxAbsMvdGreater0, {169, 198});
  ExpectValues("mvp_flag initType 1", 1, kCtxMvpFlag, {168});
  ExpectValues("rqt_root_cbf initType 2", 2, kCtxRqtRootCbf, {79});
  ExpectValues("explicit_rdpcm initType 1", 1, kCtxExplicitRdpcmFlag, {139, 139, 139, 139});

  // part_mode: initType 0 defines only ctxIdx 0.
  ExpectValues("part_mode initType 0", 0, kCtxPartMode, {184, 154, 154, 154});
  ExpectValues("part_mode initType 1", 1, kCtxPartMode, {154, 139, 154, 154});

  // Intra mode flags.
  ExpectValues("prev_intra_luma_pred_flag/intra_chroma_pred_mode initType 0", 0,
               kCtxPrevIntraLumaPredFlag, {184, 63});
  ExpectValues("prev_intra_luma_pred_flag/intra_chroma_pred_mode initType 2", 2,
               kCtxPrevIntraLumaPredFlag, {183, 152});

  // Transform tree.
  ExpectValues("split_transform_flag initType 2", 2, kCtxSplitTransformFlag, {224, 167, 122});
  ExpectValues("cbf_luma initType 0", 0, kCtxCbfLuma, {111, 141});
  ExpectValues("cbf_cb/cr initType 0", 0, kCtxCbfChroma, {94, 138, 182, 154, 154});
  ExpectValues("cbf_cb/cr initType 2", 2, kCtxCbfChroma, {149, 92, 167, 154, 154});

  // Residual coding.
  ExpectValues("last_sig_coeff_x_prefix initType 0 chroma", 0, kCtxLastSigCoeffXPrefix + 15,
               {108, 123, 63});
  ExpectValues("last_sig_coeff_y_prefix initType 2", 2, kCtxLastSigCoeffYPrefix,
               {125, 110, 124, 110, 95, 94, 125, 111, 111, 79, 125, 126, 111, 111, 79,
                108, 123, 93});
  ExpectValues("coded_sub_block_flag initType 0", 0, kCtxCodedSubBlockFlag, {91, 171, 134, 141});
  ExpectValues("sig_coeff_flag initType 0 luma DC", 0, kCtxSigCoeffFlag, {111});
  ExpectValues("sig_coeff_flag initType 0 chroma DC", 0, kCtxSigCoeffFlag + 27, {140});
  ExpectValues("sig_coeff_flag initType 0 transform-skip ctx", 0, kCtxSigCoeffFlag + 42,
               {141, 111});
  ExpectValues("sig_coeff_flag initType 1 first/last", 1, kCtxSigCoeffFlag + 40,
               {183, 140, 140, 140});
  ExpectValues("sig_coeff_flag initType 1 DC", 1, kCtxSigCoeffFlag, {155});
  ExpectValues("sig_coeff_flag initType 2 DC", 2, kCtxSigCoeffFlag, {170});
  ExpectValues("coeff_abs_level_greater1_flag initType 0 chroma", 0,
               kCtxCoeffAbsLevelGreater1 + 16, {140, 179, 166, 182, 140, 227, 122, 197});
  ExpectValues("coeff_abs_level_greater1_flag initType 1 luma set 3", 1,
               kCtxCoeffAbsLevelGreater1 + 12, {153, 121, 136, 137});
  ExpectValues("coeff_abs_level_greater2_flag initType 0", 0, kCtxCoeffAbsLevelGreater2,
               {138, 153, 136, 167, 152, 152});
  ExpectValues("coeff_abs_level_greater2_flag initType 1", 1, kCtxCoeffAbsLevelGreater2,
               {107, 167, 91, 122, 107, 167});

  // Elements whose every context is 154 or 139.
  for (int t = 0; t < 3; ++t) {
    ExpectAll("cu_transquant_bypass_flag", t, kCtxCuTransquantBypassFlag, 1, 154);
    ExpectAll("cu_qp_delta_abs", t, kCtxCuQpDeltaAbs, 2, 154);
    ExpectAll("transform_skip_flag", t, kCtxTransformSkipFlag, 2, 139);
    ExpectAll("log2_res_scale_abs_plus1", t, kCtxLog2ResScaleAbsPlus1, 8, 154);
    ExpectAll("res_scale_sign_flag", t, kCtxResScaleSignFlag, 2, 154);
    ExpectAll("cu_chroma_qp_offset_flag/idx", t, kCtxCuChromaQpOffsetFlag, 2, 154);
  }

  return codectok::test::report();
}
