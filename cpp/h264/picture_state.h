// The state of the H.264 picture being decoded: per-macroblock syntax the
// neighbours' contexts need, the 4x4 motion field (kept afterwards as the
// co-located motion of a reference picture) and the output maps.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/picture_result.h"
#include "h264/parameter_sets.h"
#include "core/transform_block_sink.h"

namespace codectok {
namespace h264 {

struct BlockMotion {
  int16_t mv[2][2];
  int8_t ref_idx[2];  // -1: list not used (or intra)
};

// What a reference picture keeps for temporal and spatial direct prediction.
struct ColocatedMotion {
  int w4 = 0, h4 = 0;
  std::vector<BlockMotion> blocks;  // [h4][w4]
  std::vector<int32_t> ref_id;      // [h4][w4][2]: DPB id of the picture each list refers to, -1 none
};

enum MbKind : uint8_t { kMbI4x4, kMbI8x8, kMbI16x16, kMbIPCM, kMbPSkip, kMbBSkip, kMbBDirect16x16, kMbInter };
inline bool is_intra(uint8_t kind) { return kind <= kMbIPCM; }
inline bool is_skip(uint8_t kind) { return kind == kMbPSkip || kind == kMbBSkip; }

// coded_block_flag bits of MbInfo::cbf.
constexpr uint32_t kCbfLumaDc = 1u << 16;
constexpr uint32_t kCbfCbDc = 1u << 17;
constexpr uint32_t kCbfCrDc = 1u << 18;
constexpr int kCbfCbAcShift = 19;  // 4 bits
constexpr int kCbfCrAcShift = 23;  // 4 bits

struct MbInfo {
  int32_t slice = -1;  // slice index in the picture; -1: not decoded yet
  uint8_t kind = kMbI4x4;
  uint8_t partitioning = 0;
  int8_t qp = 0;  // QPY
  uint8_t cbp = 0;  // luma bits 0..3, chroma (0..2) << 4
  uint8_t transform8x8 = 0;
  uint8_t chroma_pred_mode = 0;
  uint8_t direct_mask = 0;  // 8x8 quadrants predicted in direct mode
  uint32_t cbf = 0;         // CABAC coded_block_flag of each block (bits 0..15: luma 4x4 in blkIdx order)
};

struct PictureState {
  std::shared_ptr<const Sps> sps;
  std::shared_ptr<const Pps> pps;
  int w_mbs = 0, h_mbs = 0, w4 = 0, h4 = 0;
  std::vector<MbInfo> mb;
  std::vector<uint8_t> nnz;       // [h4][w4] total_coeff of each luma 4x4 block (CAVLC nC)
  std::vector<uint8_t> nnz_chroma;  // [mb][2][4]
  std::vector<uint8_t> mvd;       // [h4][w4][2 lists][2 components], |mvd| clipped to 127 (CABAC)
  std::shared_ptr<ColocatedMotion> motion;
  std::vector<int32_t> ref_poc;   // [h4][w4][2]
  DecodeOptions options;
  std::shared_ptr<std::vector<int16_t>> cu;  // [2*h_mbs][2*w_mbs][4]
  std::shared_ptr<std::vector<float>> bits;  // [2*h_mbs][2*w_mbs]
  std::shared_ptr<std::vector<int16_t>> residual;  // [H][W] luma residual (options.residual)
  TransformBlockSink* block_sink = nullptr;       // transform block statistics (options.tu_stats)
  double total_bits = 0;
  int decoded_mbs = 0;

  void allocate(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const DecodeOptions& o,
                TransformBlockSink* sink);
  // int16 [h4][w4][8] in the HEVC layout.
  std::shared_ptr<std::vector<int16_t>> motion_output() const;
};

}  // namespace h264
}  // namespace codectok
