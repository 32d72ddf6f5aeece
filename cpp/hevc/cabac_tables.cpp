// CABAC context initialisation values, ITU-T H.265 clause 9.3.2.2.
//
// kCabacInitValues[initType][ctx] holds the initValue of every context
// variable, laid out as in cabac_contexts.h (one contiguous range per syntax
// element, contexts in the order of increasing ctxIdx / ctxInc). initType is 0
// for I slices, 1 and 2 for P/B slices (see cabac_contexts.h).
//
// The numbers come from the initValue tables of clause 9.3.2.2 (Tables 9-5
// onward; the table numbers quoted below are those of the 04/2013 edition,
// later editions renumber them after inserting the range-extension tables).
// Each element was cross-checked against the HM reference decoder
// (TLibCommon/ContextTables.h, whose rows are B, P, I = initType 2, 1, 0),
// libde265 (contextmodel.cc) and FFmpeg (hevc cabac.c, init_values).
//
// Contexts that a given initType does not define (e.g. cu_skip_flag for I
// slices) hold kUnused = 154, as does every context whose specified initValue
// is 154.
//
// Layout: one block per syntax element, giving the values for initType 0, 1
// and 2 (macros *_IT0, *_IT1, *_IT2). CODECTOK_CHECK_CTX verifies at compile
// time that each block has exactly as many values as the element's range in
// cabac_contexts.h, so a miscounted block cannot shift its neighbours.
#include "hevc/cabac_contexts.h"

#include <cstddef>
#include <initializer_list>

namespace codectok {
namespace {

constexpr uint8_t kUnused = 154;

#define CODECTOK_CHECK_CTX(NAME, FIRST, NEXT)                                    \
  static_assert(std::initializer_list<uint8_t>{NAME##_IT0}.size() ==             \
                        static_cast<std::size_t>((NEXT) - (FIRST)) &&            \
                    std::initializer_list<uint8_t>{NAME##_IT1}.size() ==         \
                        static_cast<std::size_t>((NEXT) - (FIRST)) &&            \
                    std::initializer_list<uint8_t>{NAME##_IT2}.size() ==         \
                        static_cast<std::size_t>((NEXT) - (FIRST)),              \
                "context count of " #NAME " does not match cabac_contexts.h");

// sao_merge_left_flag / sao_merge_up_flag -- Table 9-5 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_SAO_MERGE_FLAG_IT0 153
#define CTX_SAO_MERGE_FLAG_IT1 153
#define CTX_SAO_MERGE_FLAG_IT2 153
CODECTOK_CHECK_CTX(CTX_SAO_MERGE_FLAG, kCtxSaoMergeFlag, kCtxSaoTypeIdx)

// sao_type_idx_luma / sao_type_idx_chroma -- Table 9-6 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_SAO_TYPE_IDX_IT0 200
#define CTX_SAO_TYPE_IDX_IT1 185
#define CTX_SAO_TYPE_IDX_IT2 160
CODECTOK_CHECK_CTX(CTX_SAO_TYPE_IDX, kCtxSaoTypeIdx, kCtxSplitCuFlag)

// split_cu_flag -- Table 9-7 (04/2013 edition); 3 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..2 | 3..5 | 6..8.
#define CTX_SPLIT_CU_FLAG_IT0 139, 141, 157
#define CTX_SPLIT_CU_FLAG_IT1 107, 139, 126
#define CTX_SPLIT_CU_FLAG_IT2 107, 139, 126
CODECTOK_CHECK_CTX(CTX_SPLIT_CU_FLAG, kCtxSplitCuFlag, kCtxCuTransquantBypassFlag)

// cu_transquant_bypass_flag -- Table 9-8 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_CU_TRANSQUANT_BYPASS_FLAG_IT0 154
#define CTX_CU_TRANSQUANT_BYPASS_FLAG_IT1 154
#define CTX_CU_TRANSQUANT_BYPASS_FLAG_IT2 154
CODECTOK_CHECK_CTX(CTX_CU_TRANSQUANT_BYPASS_FLAG, kCtxCuTransquantBypassFlag, kCtxCuSkipFlag)

// cu_skip_flag -- Table 9-9 (04/2013 edition); 3 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0..2 | 3..5.
#define CTX_CU_SKIP_FLAG_IT0 kUnused, kUnused, kUnused
#define CTX_CU_SKIP_FLAG_IT1 197, 185, 201
#define CTX_CU_SKIP_FLAG_IT2 197, 185, 201
CODECTOK_CHECK_CTX(CTX_CU_SKIP_FLAG, kCtxCuSkipFlag, kCtxPredModeFlag)

// pred_mode_flag -- Table 9-10 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_PRED_MODE_FLAG_IT0 kUnused
#define CTX_PRED_MODE_FLAG_IT1 149
#define CTX_PRED_MODE_FLAG_IT2 134
CODECTOK_CHECK_CTX(CTX_PRED_MODE_FLAG, kCtxPredModeFlag, kCtxPartMode)

// part_mode -- Table 9-11 (04/2013 edition); 4 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1..4 | 5..8.
// initType 0 defines only ctxIdx 0 (184); its other three slots are unused.
#define CTX_PART_MODE_IT0 184, 154, 154, 154
#define CTX_PART_MODE_IT1 154, 139, 154, 154
#define CTX_PART_MODE_IT2 154, 139, 154, 154
CODECTOK_CHECK_CTX(CTX_PART_MODE, kCtxPartMode, kCtxPrevIntraLumaPredFlag)

// prev_intra_luma_pred_flag -- Table 9-12 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_PREV_INTRA_LUMA_PRED_FLAG_IT0 184
#define CTX_PREV_INTRA_LUMA_PRED_FLAG_IT1 154
#define CTX_PREV_INTRA_LUMA_PRED_FLAG_IT2 183
CODECTOK_CHECK_CTX(CTX_PREV_INTRA_LUMA_PRED_FLAG, kCtxPrevIntraLumaPredFlag,
                   kCtxIntraChromaPredMode)

// intra_chroma_pred_mode -- Table 9-13 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
// One context (bin 0); the other bins are bypass coded.
#define CTX_INTRA_CHROMA_PRED_MODE_IT0 63
#define CTX_INTRA_CHROMA_PRED_MODE_IT1 152
#define CTX_INTRA_CHROMA_PRED_MODE_IT2 152
CODECTOK_CHECK_CTX(CTX_INTRA_CHROMA_PRED_MODE, kCtxIntraChromaPredMode, kCtxRqtRootCbf)

// rqt_root_cbf -- Table 9-14 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_RQT_ROOT_CBF_IT0 kUnused
#define CTX_RQT_ROOT_CBF_IT1 79
#define CTX_RQT_ROOT_CBF_IT2 79
CODECTOK_CHECK_CTX(CTX_RQT_ROOT_CBF, kCtxRqtRootCbf, kCtxMergeFlag)

// merge_flag -- Table 9-15 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_MERGE_FLAG_IT0 kUnused
#define CTX_MERGE_FLAG_IT1 110
#define CTX_MERGE_FLAG_IT2 154
CODECTOK_CHECK_CTX(CTX_MERGE_FLAG, kCtxMergeFlag, kCtxMergeIdx)

// merge_idx -- Table 9-16 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_MERGE_IDX_IT0 kUnused
#define CTX_MERGE_IDX_IT1 122
#define CTX_MERGE_IDX_IT2 137
CODECTOK_CHECK_CTX(CTX_MERGE_IDX, kCtxMergeIdx, kCtxInterPredIdc)

// inter_pred_idc -- Table 9-17 (04/2013 edition); 5 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0..4 | 5..9.
#define CTX_INTER_PRED_IDC_IT0 kUnused, kUnused, kUnused, kUnused, kUnused
#define CTX_INTER_PRED_IDC_IT1 95, 79, 63, 31, 31
#define CTX_INTER_PRED_IDC_IT2 95, 79, 63, 31, 31
CODECTOK_CHECK_CTX(CTX_INTER_PRED_IDC, kCtxInterPredIdc, kCtxRefIdx)

// ref_idx_l0 / ref_idx_l1 -- Table 9-18 (04/2013 edition); 2 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0..1 | 2..3.
#define CTX_REF_IDX_IT0 kUnused, kUnused
#define CTX_REF_IDX_IT1 153, 153
#define CTX_REF_IDX_IT2 153, 153
CODECTOK_CHECK_CTX(CTX_REF_IDX, kCtxRefIdx, kCtxMvpFlag)

// mvp_l0_flag / mvp_l1_flag -- Table 9-19 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_MVP_FLAG_IT0 kUnused
#define CTX_MVP_FLAG_IT1 168
#define CTX_MVP_FLAG_IT2 168
CODECTOK_CHECK_CTX(CTX_MVP_FLAG, kCtxMvpFlag, kCtxSplitTransformFlag)

// split_transform_flag -- Table 9-20 (04/2013 edition); 3 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..2 | 3..5 | 6..8.
#define CTX_SPLIT_TRANSFORM_FLAG_IT0 153, 138, 138
#define CTX_SPLIT_TRANSFORM_FLAG_IT1 124, 138, 94
#define CTX_SPLIT_TRANSFORM_FLAG_IT2 224, 167, 122
CODECTOK_CHECK_CTX(CTX_SPLIT_TRANSFORM_FLAG, kCtxSplitTransformFlag, kCtxCbfLuma)

// cbf_luma -- Table 9-21 (04/2013 edition); 2 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..1 | 2..3 | 4..5.
#define CTX_CBF_LUMA_IT0 111, 141
#define CTX_CBF_LUMA_IT1 153, 111
#define CTX_CBF_LUMA_IT2 153, 111
CODECTOK_CHECK_CTX(CTX_CBF_LUMA, kCtxCbfLuma, kCtxCbfChroma)

// cbf_cb / cbf_cr -- Table 9-22 (04/2013 edition); 5 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..3,12 | 4..7,13 | 8..11,14.
// The 5th context (ctxIdx 12..14 in the v2+ tables, initValue 154) came with
// the range extensions: with ChromaArrayType == 3, cbf_cb/cbf_cr can be coded
// at trafoDepth 4 (ctxInc = trafoDepth).
#define CTX_CBF_CHROMA_IT0 94, 138, 182, 154, 154
#define CTX_CBF_CHROMA_IT1 149, 107, 167, 154, 154
#define CTX_CBF_CHROMA_IT2 149, 92, 167, 154, 154
CODECTOK_CHECK_CTX(CTX_CBF_CHROMA, kCtxCbfChroma, kCtxAbsMvdGreater0)

// abs_mvd_greater0_flag -- Table 9-23 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
// Table 9-23 lists 140 (ctxIdx 0, initType 1) and 169 (ctxIdx 1, initType 2).
#define CTX_ABS_MVD_GREATER0_IT0 kUnused
#define CTX_ABS_MVD_GREATER0_IT1 140
#define CTX_ABS_MVD_GREATER0_IT2 169
CODECTOK_CHECK_CTX(CTX_ABS_MVD_GREATER0, kCtxAbsMvdGreater0, kCtxAbsMvdGreater1)

// abs_mvd_greater1_flag -- Table 9-24 (04/2013 edition); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: - | 0 | 1.
#define CTX_ABS_MVD_GREATER1_IT0 kUnused
#define CTX_ABS_MVD_GREATER1_IT1 198
#define CTX_ABS_MVD_GREATER1_IT2 198
CODECTOK_CHECK_CTX(CTX_ABS_MVD_GREATER1, kCtxAbsMvdGreater1, kCtxCuQpDeltaAbs)

// cu_qp_delta_abs -- Table 9-25 (04/2013 edition); 2 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..1 | 2..3 | 4..5.
#define CTX_CU_QP_DELTA_ABS_IT0 154, 154
#define CTX_CU_QP_DELTA_ABS_IT1 154, 154
#define CTX_CU_QP_DELTA_ABS_IT2 154, 154
CODECTOK_CHECK_CTX(CTX_CU_QP_DELTA_ABS, kCtxCuQpDeltaAbs, kCtxTransformSkipFlag)

// transform_skip_flag (luma, chroma) -- Table 9-26 (04/2013 edition); 2 contexts per initType.
// One luma context, then one chroma context; all 139.
#define CTX_TRANSFORM_SKIP_FLAG_IT0 139, 139
#define CTX_TRANSFORM_SKIP_FLAG_IT1 139, 139
#define CTX_TRANSFORM_SKIP_FLAG_IT2 139, 139
CODECTOK_CHECK_CTX(CTX_TRANSFORM_SKIP_FLAG, kCtxTransformSkipFlag, kCtxLastSigCoeffXPrefix)

// last_sig_coeff_x_prefix -- Table 9-27 (04/2013 edition); 18 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..17 | 18..35 | 36..53.
#define CTX_LAST_SIG_COEFF_X_PREFIX_IT0 \
  110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111,  79, \
  108, 123,  63
#define CTX_LAST_SIG_COEFF_X_PREFIX_IT1 \
  125, 110,  94, 110,  95,  79, 125, 111, 110,  78, 110, 111, 111,  95,  94, \
  108, 123, 108
#define CTX_LAST_SIG_COEFF_X_PREFIX_IT2 \
  125, 110, 124, 110,  95,  94, 125, 111, 111,  79, 125, 126, 111, 111,  79, \
  108, 123,  93
CODECTOK_CHECK_CTX(CTX_LAST_SIG_COEFF_X_PREFIX, kCtxLastSigCoeffXPrefix, kCtxLastSigCoeffYPrefix)

// last_sig_coeff_y_prefix -- Table 9-28 (04/2013 edition); 18 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..17 | 18..35 | 36..53.
#define CTX_LAST_SIG_COEFF_Y_PREFIX_IT0 \
  110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111,  79, \
  108, 123,  63
#define CTX_LAST_SIG_COEFF_Y_PREFIX_IT1 \
  125, 110,  94, 110,  95,  79, 125, 111, 110,  78, 110, 111, 111,  95,  94, \
  108, 123, 108
#define CTX_LAST_SIG_COEFF_Y_PREFIX_IT2 \
  125, 110, 124, 110,  95,  94, 125, 111, 111,  79, 125, 126, 111, 111,  79, \
  108, 123,  93
CODECTOK_CHECK_CTX(CTX_LAST_SIG_COEFF_Y_PREFIX, kCtxLastSigCoeffYPrefix, kCtxCodedSubBlockFlag)

// coded_sub_block_flag -- Table 9-29 (04/2013 edition); 4 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..3 | 4..7 | 8..11.
#define CTX_CODED_SUB_BLOCK_FLAG_IT0 91, 171, 134, 141
#define CTX_CODED_SUB_BLOCK_FLAG_IT1 121, 140, 61, 154
#define CTX_CODED_SUB_BLOCK_FLAG_IT2 121, 140, 61, 154
CODECTOK_CHECK_CTX(CTX_CODED_SUB_BLOCK_FLAG, kCtxCodedSubBlockFlag, kCtxSigCoeffFlag)

// sig_coeff_flag -- Table 9-30 (04/2013 edition); 44 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..41,126..127 | 42..83,128..129 | 84..125,130..131.
// Per initType: 27 luma contexts, 15 chroma contexts (spec order), then the
// two RExt contexts used when transform_skip_context_enabled_flag is set:
// sigCtx 42 (luma) and 16 + 27 = 43 (chroma).
#define CTX_SIG_COEFF_FLAG_IT0 \
  111, 111, 125, 110, 110,  94, 124, 108, 124, \
  107, 125, 141, 179, 153, 125, 107, 125, 141, \
  179, 153, 125, 107, 125, 141, 179, 153, 125, \
  140, 139, 182, 182, 152, 136, 152, 136, \
  153, 136, 139, 111, 136, 139, 111, \
  141, 111
#define CTX_SIG_COEFF_FLAG_IT1 \
  155, 154, 139, 153, 139, 123, 123,  63, 153, \
  166, 183, 140, 136, 153, 154, 166, 183, 140, \
  136, 153, 154, 166, 183, 140, 136, 153, 154, \
  170, 153, 123, 123, 107, 121, 107, 121, \
  167, 151, 183, 140, 151, 183, 140, \
  140, 140
#define CTX_SIG_COEFF_FLAG_IT2 \
  170, 154, 139, 153, 139, 123, 123,  63, 124, \
  166, 183, 140, 136, 153, 154, 166, 183, 140, \
  136, 153, 154, 166, 183, 140, 136, 153, 154, \
  170, 153, 138, 138, 122, 121, 122, 121, \
  167, 151, 183, 140, 151, 183, 140, \
  140, 140
CODECTOK_CHECK_CTX(CTX_SIG_COEFF_FLAG, kCtxSigCoeffFlag, kCtxCoeffAbsLevelGreater1)

// coeff_abs_level_greater1_flag -- Table 9-31 (04/2013 edition); 24 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..23 | 24..47 | 48..71.
// 16 luma contexts (ctxSet 0..3 x greater1Ctx 0..3), then 8 chroma.
#define CTX_COEFF_ABS_LEVEL_GREATER1_IT0 \
  140,  92, 137, 138, 140, 152, 138, 139, \
  153,  74, 149,  92, 139, 107, 122, 152, \
  140, 179, 166, 182, 140, 227, 122, 197
#define CTX_COEFF_ABS_LEVEL_GREATER1_IT1 \
  154, 196, 196, 167, 154, 152, 167, 182, \
  182, 134, 149, 136, 153, 121, 136, 137, \
  169, 194, 166, 167, 154, 167, 137, 182
#define CTX_COEFF_ABS_LEVEL_GREATER1_IT2 \
  154, 196, 167, 167, 154, 152, 167, 182, \
  182, 134, 149, 136, 153, 121, 136, 122, \
  169, 208, 166, 167, 154, 152, 167, 182
CODECTOK_CHECK_CTX(CTX_COEFF_ABS_LEVEL_GREATER1, kCtxCoeffAbsLevelGreater1,
                   kCtxCoeffAbsLevelGreater2)

// coeff_abs_level_greater2_flag -- Table 9-32 (04/2013 edition); 6 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..5 | 6..11 | 12..17.
// 4 luma contexts (ctxSet 0..3), then 2 chroma.
#define CTX_COEFF_ABS_LEVEL_GREATER2_IT0 138, 153, 136, 167, 152, 152
#define CTX_COEFF_ABS_LEVEL_GREATER2_IT1 107, 167, 91, 122, 107, 167
#define CTX_COEFF_ABS_LEVEL_GREATER2_IT2 107, 167, 91, 107, 107, 167
CODECTOK_CHECK_CTX(CTX_COEFF_ABS_LEVEL_GREATER2, kCtxCoeffAbsLevelGreater2, kCtxExplicitRdpcmFlag)

// explicit_rdpcm_flag (luma, chroma) -- range extensions (v2+); 2 contexts per initType.
// Inter CUs only, so initType 0 has none. Luma context, then chroma context.
#define CTX_EXPLICIT_RDPCM_FLAG_IT0 kUnused, kUnused
#define CTX_EXPLICIT_RDPCM_FLAG_IT1 139, 139
#define CTX_EXPLICIT_RDPCM_FLAG_IT2 139, 139
CODECTOK_CHECK_CTX(CTX_EXPLICIT_RDPCM_FLAG, kCtxExplicitRdpcmFlag, kCtxExplicitRdpcmDirFlag)

// explicit_rdpcm_dir_flag (luma, chroma) -- range extensions (v2+); 2 contexts per initType.
// Inter CUs only, so initType 0 has none. Luma context, then chroma context.
#define CTX_EXPLICIT_RDPCM_DIR_FLAG_IT0 kUnused, kUnused
#define CTX_EXPLICIT_RDPCM_DIR_FLAG_IT1 139, 139
#define CTX_EXPLICIT_RDPCM_DIR_FLAG_IT2 139, 139
CODECTOK_CHECK_CTX(CTX_EXPLICIT_RDPCM_DIR_FLAG, kCtxExplicitRdpcmDirFlag, kCtxLog2ResScaleAbsPlus1)

// log2_res_scale_abs_plus1 -- range extensions (v2+); 8 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..7 | 8..15 | 16..23.
// ctxInc = 4 * c + binIdx (c = chroma component 0/1).
#define CTX_LOG2_RES_SCALE_ABS_PLUS1_IT0 154, 154, 154, 154, 154, 154, 154, 154
#define CTX_LOG2_RES_SCALE_ABS_PLUS1_IT1 154, 154, 154, 154, 154, 154, 154, 154
#define CTX_LOG2_RES_SCALE_ABS_PLUS1_IT2 154, 154, 154, 154, 154, 154, 154, 154
CODECTOK_CHECK_CTX(CTX_LOG2_RES_SCALE_ABS_PLUS1, kCtxLog2ResScaleAbsPlus1, kCtxResScaleSignFlag)

// res_scale_sign_flag -- range extensions (v2+); 2 contexts per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0..1 | 2..3 | 4..5.
#define CTX_RES_SCALE_SIGN_FLAG_IT0 154, 154
#define CTX_RES_SCALE_SIGN_FLAG_IT1 154, 154
#define CTX_RES_SCALE_SIGN_FLAG_IT2 154, 154
CODECTOK_CHECK_CTX(CTX_RES_SCALE_SIGN_FLAG, kCtxResScaleSignFlag, kCtxCuChromaQpOffsetFlag)

// cu_chroma_qp_offset_flag -- range extensions (v2+); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_CU_CHROMA_QP_OFFSET_FLAG_IT0 154
#define CTX_CU_CHROMA_QP_OFFSET_FLAG_IT1 154
#define CTX_CU_CHROMA_QP_OFFSET_FLAG_IT2 154
CODECTOK_CHECK_CTX(CTX_CU_CHROMA_QP_OFFSET_FLAG, kCtxCuChromaQpOffsetFlag, kCtxCuChromaQpOffsetIdx)

// cu_chroma_qp_offset_idx -- range extensions (v2+); 1 context per initType.
// Spec ctxIdx per initType 0 | 1 | 2: 0 | 1 | 2.
#define CTX_CU_CHROMA_QP_OFFSET_IDX_IT0 154
#define CTX_CU_CHROMA_QP_OFFSET_IDX_IT1 154
#define CTX_CU_CHROMA_QP_OFFSET_IDX_IT2 154
CODECTOK_CHECK_CTX(CTX_CU_CHROMA_QP_OFFSET_IDX, kCtxCuChromaQpOffsetIdx, kNumCabacContexts)

#define CODECTOK_CABAC_ROW(IT) \
  { \
    CTX_SAO_MERGE_FLAG_##IT, \
    CTX_SAO_TYPE_IDX_##IT, \
    CTX_SPLIT_CU_FLAG_##IT, \
    CTX_CU_TRANSQUANT_BYPASS_FLAG_##IT, \
    CTX_CU_SKIP_FLAG_##IT, \
    CTX_PRED_MODE_FLAG_##IT, \
    CTX_PART_MODE_##IT, \
    CTX_PREV_INTRA_LUMA_PRED_FLAG_##IT, \
    CTX_INTRA_CHROMA_PRED_MODE_##IT, \
    CTX_RQT_ROOT_CBF_##IT, \
    CTX_MERGE_FLAG_##IT, \
    CTX_MERGE_IDX_##IT, \
    CTX_INTER_PRED_IDC_##IT, \
    CTX_REF_IDX_##IT, \
    CTX_MVP_FLAG_##IT, \
    CTX_SPLIT_TRANSFORM_FLAG_##IT, \
    CTX_CBF_LUMA_##IT, \
    CTX_CBF_CHROMA_##IT, \
    CTX_ABS_MVD_GREATER0_##IT, \
    CTX_ABS_MVD_GREATER1_##IT, \
    CTX_CU_QP_DELTA_ABS_##IT, \
    CTX_TRANSFORM_SKIP_FLAG_##IT, \
    CTX_LAST_SIG_COEFF_X_PREFIX_##IT, \
    CTX_LAST_SIG_COEFF_Y_PREFIX_##IT, \
    CTX_CODED_SUB_BLOCK_FLAG_##IT, \
    CTX_SIG_COEFF_FLAG_##IT, \
    CTX_COEFF_ABS_LEVEL_GREATER1_##IT, \
    CTX_COEFF_ABS_LEVEL_GREATER2_##IT, \
    CTX_EXPLICIT_RDPCM_FLAG_##IT, \
    CTX_EXPLICIT_RDPCM_DIR_FLAG_##IT, \
    CTX_LOG2_RES_SCALE_ABS_PLUS1_##IT, \
    CTX_RES_SCALE_SIGN_FLAG_##IT, \
    CTX_CU_CHROMA_QP_OFFSET_FLAG_##IT, \
    CTX_CU_CHROMA_QP_OFFSET_IDX_##IT \
  }


}  // namespace

// Elements are listed in the order of cabac_contexts.h; together with the
// per-block count checks above this places every block at its offset.
constexpr uint8_t kCabacInitValues[3][kNumCabacContexts] = {
    CODECTOK_CABAC_ROW(IT0),
    CODECTOK_CABAC_ROW(IT1),
    CODECTOK_CABAC_ROW(IT2),
};

namespace {

// Every initValue is non-zero, so a zero entry would mean a row is shorter
// than kNumCabacContexts (zero-filled by aggregate initialisation).
constexpr bool NoZeroEntries() {
  for (int t = 0; t < 3; ++t) {
    for (int i = 0; i < kNumCabacContexts; ++i) {
      if (kCabacInitValues[t][i] == 0) return false;
    }
  }
  return true;
}
static_assert(NoZeroEntries(), "kCabacInitValues has an unfilled entry");

}  // namespace

#undef CODECTOK_CABAC_ROW
#undef CODECTOK_CHECK_CTX

}  // namespace codectok
