// The state of the H.264 picture being decoded: per-macroblock syntax the
// neighbours' contexts need, the 4x4 motion field (kept afterwards as the
// co-located motion of a reference picture) and the output maps.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "analysis/picture_result.h"
#include "core/buffer_pool.h"
#include "core/transform_block_sink.h"
#include "h264/parameter_sets.h"

namespace codectok {
namespace h264 {

// The motion of one 4x4 block, laid out like an entry of the motion output
// (PictureState::motion_out), which has pred_mode and inter_dir in place of
// the two reference indices.
struct BlockMotion {
  int8_t ref_idx[2];  // -1: list not used (or intra)
  int16_t unused;
  int16_t mv[2][2];   // zero when the list is not used
  int16_t poc[2];     // POC of the reference picture, clamped to +-32767; -32768 when the list is not used
};
static_assert(sizeof(BlockMotion) == 16, "BlockMotion has the size of an output block");

struct RefLists;  // h264/dpb.h

// Entries of a reference picture list a slice's tables keep (ref_idx 0..31).
constexpr int kMaxRefIdx = 32;

// What a reference picture keeps for temporal and spatial direct prediction.
// The picture a block refers to is found through its macroblock's slice: a
// table per slice instead of an identity stored with every 4x4 block.
struct ColocatedMotion {
  int w4 = 0, h4 = 0, w_mbs = 0;
  HugePageVector<BlockMotion> blocks;   // [h4][w4], every block written by its macroblock
  std::vector<int32_t> mb_slice;     // [h_mbs][w_mbs]: slice index of each macroblock
  std::vector<int32_t> slice_ref_id;  // [slice][2][kMaxRefIdx]: DPB id of each list entry, -1 none

  // DPB id of the picture that list `list` of block (x4, y4) refers to (ref_idx >= 0).
  int32_t ref_id(int x4, int y4, int list, int ref_idx) const {
    const int s = mb_slice[static_cast<size_t>(y4 >> 2) * w_mbs + (x4 >> 2)];
    return slice_ref_id[(static_cast<size_t>(s) * 2 + list) * kMaxRefIdx + ref_idx];
  }
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
  // int16 [h4][w4][8] in the HEVC layout (options.motion), written by MotionPredictor::store.
  std::shared_ptr<HugePageVector<int16_t>> motion_out;
  DecodeOptions options;
  std::shared_ptr<HugePageVector<int16_t>> cu;  // [2*h_mbs][2*w_mbs][4]
  std::shared_ptr<HugePageVector<float>> bits;  // [2*h_mbs][2*w_mbs]
  std::shared_ptr<HugePageVector<int16_t>> residual;  // [H][W] luma residual (options.residual)
  TransformBlockSink* block_sink = nullptr;       // transform block statistics (options.tu_stats)
  double total_bits = 0;
  int decoded_mbs = 0;

  // Per-block arrays are sized, not cleared: each macroblock writes its own blocks before any
  // neighbour reads them (availability goes through mb[].slice, which is cleared).
  void allocate(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const DecodeOptions& o,
                TransformBlockSink* sink);
  // Records the reference lists of slice `slice_index` (before its macroblocks are decoded).
  void add_slice(int slice_index, const RefLists& refs);
  // The motion output of the decoded picture (motion_out, handed over).
  std::shared_ptr<HugePageVector<int16_t>> motion_output() { return std::move(motion_out); }

 private:
  // Arrays handed out with each picture and co-located motion kept by the DPB, recycled once
  // released (steady-state decoding allocates and faults in no fresh pages).
  VectorPool<int16_t> pool_motion_{24};
  VectorPool<int16_t> pool_cu_{24};
  VectorPool<float> pool_bits_{24};
  VectorPool<int16_t> pool_residual_{12};
  std::vector<std::shared_ptr<ColocatedMotion>> colocated_pool_;
};

}  // namespace h264
}  // namespace codectok
