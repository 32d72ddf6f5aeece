// Per-picture working state of the slice decoder: prediction data at 4x4
// granularity, the maps handed out, and what later pictures keep of it
// (the collocated motion for temporal MV prediction).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "hevc/cabac_decoder.h"
#include "hevc/motion_field.h"
#include "hevc/parameter_sets.h"
#include "core/transform_block_sink.h"

namespace codectok {

// The output maps the slice decoder writes as it decodes (each only when asked for).
struct PictureMaps {
  bool motion = true;     // 4x4 motion field (the output layout, written as prediction units are decoded)
  bool cu = true;         // 8x8 coding-unit map
  bool bits = true;       // 8x8 bit cost
  bool residual = false;  // luma residual plane
  TransformBlockSink* block_sink = nullptr;  // receives every parsed transform block, when set
};

// The 4x4 prediction state a picture needs while its slices decode, and not once it is complete
// (its collocated motion written): the frame threads' pipeline lends one to each picture it
// decodes (PictureState::swap_prediction_state), so that as many exist as pictures decode at once
// rather than as pictures are in flight.
struct PredictionState {
  HugePageVector<PredInfo> pred;
  std::vector<uint8_t> pred_mode, ct_depth, intra_mode;
  std::vector<int8_t> qp_y;
  std::vector<int32_t> ctb_slice_addr;
};

struct PictureState {
  std::shared_ptr<const Sps> sps;
  std::shared_ptr<const Pps> pps;
  int poc = 0;
  int decode_index = 0;
  int nal_type = 0;
  int width = 0, height = 0, w4 = 0, h4 = 0, w8 = 0, h8 = 0;

  HugePageVector<PredInfo> pred;       // [h4][w4], of inter blocks: written where it is read (store_pu)
  std::vector<uint8_t> pred_mode;   // [h4][w4] PredMode
  std::vector<uint8_t> ct_depth;    // [h4][w4]
  std::vector<uint8_t> intra_mode;  // [h4][w4] IntraPredModeY (DC for PCM / inter)
  std::vector<int8_t> qp_y;         // [h4][w4]
  std::vector<int32_t> ctb_slice_addr;  // [ctb rs] SliceAddrRs, -1 before decoding

  // Outputs (null when not asked for). Each is written whole by the slice decoders of a
  // picture whose coding tree blocks are all decoded; only such a picture is handed out.
  // [h4][w4][8]: pred_mode, inter_dir, mv0x, mv0y, mv1x, mv1y, refpoc0, refpoc1 (-32768 when unused),
  // written by each prediction unit and each intra coding unit.
  std::shared_ptr<HugePageVector<int16_t>> motion;
  std::shared_ptr<HugePageVector<int16_t>> cu_map;    // [h8][w8][4], written by each coding unit
  std::shared_ptr<HugePageVector<float>> bits;        // [h8][w8]
  std::shared_ptr<HugePageVector<int16_t>> residual;  // [H][W]
  TransformBlockSink* block_sink = nullptr;
  double total_bits = 0;

  // Entropy state carried between slice segments.
  ContextSet wpp_ctx;
  bool wpp_ctx_valid = false;
  ContextSet ds_ctx;
  int ds_last_qp_y = 0;

  // Pools for the arrays handed out with each picture.
  // One pool per kind of array, so recycled vectors already have the right size.
  VectorPool<int16_t> pool_motion{24};
  VectorPool<int16_t> pool_cu{24};
  VectorPool<int16_t> pool_residual{12};
  VectorPool<float> pool_bits{24};
  VectorPool<PredInfo> pool_col{24};

  // What later pictures keep of this one for temporal prediction, made by start() and written
  // row by row as the slice decoders finish coding tree block rows (collocated_rows_decoded), so
  // that a picture decoded at the same time on another thread can read the rows that are final
  // (CollocatedMotion::progress).
  std::shared_ptr<CollocatedMotion> collocated;

  PictureMaps maps;  // what the picture writes (set by start)

  // A picture starts (on the thread that reads the headers): its parameter sets, sizes and maps,
  // and its collocated motion, which the DPB holds from then on (poc set before).
  void start(std::shared_ptr<const Sps> s, std::shared_ptr<const Pps> p, const PictureMaps& m);
  // The arrays its slice decoders write (on the thread that decodes it, before the first slice:
  // fresh pages of a new array cost more than decoding a picture).
  void allocate();
  // The coding tree block rows [0, ctb_rows) are decoded: their collocated motion is final.
  void collocated_rows_decoded(int ctb_rows);
  // Exchanges the prediction state (pred ... ctb_slice_addr) with `other` (no copy).
  void swap_prediction_state(PredictionState& other);
  // Every coding tree block is decoded: the rest of the collocated motion is final.
  void collocated_complete();
  // Decoding failed: the collocated rows not written yet read as intra (no motion), so that the
  // pictures waiting for them go on (their results are dropped with the error).
  void collocated_abandon();

 private:
  void write_collocated_rows(int end16);  // rows [collocated_rows_, end16) of 16x16 blocks
  int collocated_rows_ = 0;
};

}  // namespace codectok
