// Layout of the CABAC context variables (clause 9.3.2.2): each syntax element
// owns a contiguous range starting at its offset. Counts follow the ctxIdx
// ranges of Table 9-4 for one initType; kCabacInitValues (cabac_tables.cpp)
// holds the initValue of every context for initType 0, 1 and 2 (Tables
// 9-5 .. 9-37). For elements that do not exist for an initType (e.g.
// cu_skip_flag for I slices) the entry is 154 (unused).
#pragma once
#include <cstdint>

namespace codectok {

enum CabacContext : int {
  kCtxSaoMergeFlag = 0,                                   // 1  sao_merge_left_flag / sao_merge_up_flag
  kCtxSaoTypeIdx = kCtxSaoMergeFlag + 1,                  // 1  sao_type_idx_luma / _chroma
  kCtxSplitCuFlag = kCtxSaoTypeIdx + 1,                   // 3
  kCtxCuTransquantBypassFlag = kCtxSplitCuFlag + 3,       // 1
  kCtxCuSkipFlag = kCtxCuTransquantBypassFlag + 1,        // 3
  kCtxPredModeFlag = kCtxCuSkipFlag + 3,                  // 1
  kCtxPartMode = kCtxPredModeFlag + 1,                    // 4
  kCtxPrevIntraLumaPredFlag = kCtxPartMode + 4,           // 1
  kCtxIntraChromaPredMode = kCtxPrevIntraLumaPredFlag + 1,// 1
  kCtxRqtRootCbf = kCtxIntraChromaPredMode + 1,           // 1
  kCtxMergeFlag = kCtxRqtRootCbf + 1,                     // 1
  kCtxMergeIdx = kCtxMergeFlag + 1,                       // 1
  kCtxInterPredIdc = kCtxMergeIdx + 1,                    // 5
  kCtxRefIdx = kCtxInterPredIdc + 5,                      // 2  ref_idx_l0 / ref_idx_l1
  kCtxMvpFlag = kCtxRefIdx + 2,                           // 1  mvp_l0_flag / mvp_l1_flag
  kCtxSplitTransformFlag = kCtxMvpFlag + 1,               // 3
  kCtxCbfLuma = kCtxSplitTransformFlag + 3,               // 2
  kCtxCbfChroma = kCtxCbfLuma + 2,                        // 5  cbf_cb / cbf_cr (5th: RExt 4:2:2)
  kCtxAbsMvdGreater0 = kCtxCbfChroma + 5,                 // 1
  kCtxAbsMvdGreater1 = kCtxAbsMvdGreater0 + 1,            // 1
  kCtxCuQpDeltaAbs = kCtxAbsMvdGreater1 + 1,              // 2
  kCtxTransformSkipFlag = kCtxCuQpDeltaAbs + 2,           // 2  [0] luma, [1] chroma
  kCtxLastSigCoeffXPrefix = kCtxTransformSkipFlag + 2,    // 18
  kCtxLastSigCoeffYPrefix = kCtxLastSigCoeffXPrefix + 18, // 18
  kCtxCodedSubBlockFlag = kCtxLastSigCoeffYPrefix + 18,   // 4
  kCtxSigCoeffFlag = kCtxCodedSubBlockFlag + 4,           // 44 (42 + 2 RExt transform_skip_context)
  kCtxCoeffAbsLevelGreater1 = kCtxSigCoeffFlag + 44,      // 24
  kCtxCoeffAbsLevelGreater2 = kCtxCoeffAbsLevelGreater1 + 24, // 6
  kCtxExplicitRdpcmFlag = kCtxCoeffAbsLevelGreater2 + 6,  // 2
  kCtxExplicitRdpcmDirFlag = kCtxExplicitRdpcmFlag + 2,   // 2
  kCtxLog2ResScaleAbsPlus1 = kCtxExplicitRdpcmDirFlag + 2,// 8
  kCtxResScaleSignFlag = kCtxLog2ResScaleAbsPlus1 + 8,    // 2
  kCtxCuChromaQpOffsetFlag = kCtxResScaleSignFlag + 2,    // 1
  kCtxCuChromaQpOffsetIdx = kCtxCuChromaQpOffsetFlag + 1, // 1
  kNumCabacContexts = kCtxCuChromaQpOffsetIdx + 1,
};

// initValue per initType and context. initType (9.3.2.2): 0 for I slices; P:
// cabac_init_flag ? 2 : 1; B: cabac_init_flag ? 1 : 2.
extern const uint8_t kCabacInitValues[3][kNumCabacContexts];

}  // namespace codectok
