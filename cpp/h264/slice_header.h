// H.264 slice header (clause 7.3.3), with ref_pic_list_modification,
// pred_weight_table and dec_ref_pic_marking.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bitstream/bit_reader.h"
#include "h264/parameter_sets.h"

namespace codectok {
namespace h264 {

enum SliceType : int { kSliceP = 0, kSliceB = 1, kSliceI = 2, kSliceSP = 3, kSliceSI = 4 };

// NAL unit types (Table 7-1) that matter here.
enum NalType : int {
  kNalSlice = 1, kNalSliceA = 2, kNalSliceB = 3, kNalSliceC = 4, kNalIdr = 5, kNalSei = 6, kNalSps = 7,
  kNalPps = 8, kNalAud = 9, kNalEndOfSequence = 10, kNalEndOfStream = 11, kNalFiller = 12, kNalSpsExt = 13,
  kNalPrefix = 14, kNalSubsetSps = 15, kNalAuxSlice = 19, kNalSliceExt = 20, kNalSliceExtDepth = 21,
};

struct RefPicListModification {
  int idc;       // modification_of_pic_nums_idc (0, 1, 2)
  uint32_t value;  // abs_diff_pic_num_minus1 or long_term_pic_num
};

struct Mmco {
  int op;  // memory_management_control_operation 1..6
  uint32_t difference_of_pic_nums_minus1 = 0;
  uint32_t long_term_pic_num = 0;
  uint32_t long_term_frame_idx = 0;
  uint32_t max_long_term_frame_idx_plus1 = 0;
};

struct SliceHeader {
  int nal_type = 0;
  int nal_ref_idc = 0;
  uint32_t first_mb = 0;
  int slice_type = kSliceI;  // 0..4 (slice_type % 5)
  int pps_id = 0;
  std::shared_ptr<const Pps> pps;
  std::shared_ptr<const Sps> sps;
  uint32_t frame_num = 0;
  uint32_t idr_pic_id = 0;
  uint32_t poc_lsb = 0;
  int32_t delta_poc_bottom = 0;
  int32_t delta_poc[2] = {0, 0};
  bool direct_spatial_mv_pred = false;
  int num_ref_idx_active[2] = {0, 0};
  std::vector<RefPicListModification> modification[2];
  bool no_output_of_prior_pics = false;
  bool long_term_reference = false;
  bool adaptive_ref_pic_marking = false;
  std::vector<Mmco> mmco;
  int cabac_init_idc = 0;
  int slice_qp_delta = 0;
  int qp = 26;  // SliceQPY
  int disable_deblocking_filter_idc = 0;
  size_t header_bits = 0;  // position of slice_data() in the RBSP, in bits

  bool is_b() const { return slice_type == kSliceB; }
  bool is_intra() const { return slice_type == kSliceI || slice_type == kSliceSI; }
  bool is_idr() const { return nal_type == kNalIdr; }
  bool has_mmco5() const {
    for (const Mmco& m : mmco)
      if (m.op == 5) return true;
    return false;
  }
};

// Parses slice_header(); pps_table / sps_table are the parameter sets seen so far.
void parse_slice_header(BitReader& br, int nal_type, int nal_ref_idc, const std::shared_ptr<Pps> pps_table[256],
                        const std::shared_ptr<Sps> sps_table[32], SliceHeader& sh);

}  // namespace h264
}  // namespace codectok
