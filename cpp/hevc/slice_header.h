// Slice segment header (clause 7.3.6) and what it refers to.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "bitstream/bit_reader.h"
#include "hevc/parameter_sets.h"

namespace codectok {

enum SliceType : int { kSliceB = 0, kSliceP = 1, kSliceI = 2 };

struct SliceHeader {
  bool first_slice_segment_in_pic = false;
  bool no_output_of_prior_pics = false;
  int pps_id = 0;
  bool dependent_slice_segment = false;
  int segment_address = 0;  // slice_segment_address
  // Fields below are copied from the owning independent segment for dependent ones.
  int slice_type = kSliceI;
  bool pic_output_flag = true;
  int poc_lsb = 0;
  bool short_term_ref_pic_set_sps_flag = false;
  ShortTermRps st_rps;  // the RPS in use
  int st_rps_bits = 0;  // bits of st_ref_pic_set() in the header
  // Long-term entries of the slice header.
  int num_long_term_sps = 0, num_long_term_pics = 0;
  int32_t poc_lsb_lt[32] = {};
  bool used_by_curr_pic_lt[32] = {};
  bool delta_poc_msb_present[32] = {};
  int32_t delta_poc_msb_cycle_lt[32] = {};  // cumulative DeltaPocMsbCycleLt
  bool temporal_mvp_enabled = false;
  bool sao_luma = false, sao_chroma = false;
  int num_ref_idx_active[2] = {0, 0};
  bool ref_pic_list_modification_flag[2] = {false, false};
  int list_entry[2][16] = {};
  bool mvd_l1_zero = false;
  bool cabac_init_flag = false;
  bool collocated_from_l0 = true;
  int collocated_ref_idx = 0;
  int max_num_merge_cand = 5;
  int qp_delta = 0;
  int slice_qp_y = 26;
  int cb_qp_offset = 0, cr_qp_offset = 0;
  bool cu_chroma_qp_offset_enabled = false;
  bool deblocking_filter_disabled = false;
  bool loop_filter_across_slices = false;
  std::vector<uint32_t> entry_point_offsets;
  size_t slice_data_byte_offset = 0;  // in the RBSP
  int slice_addr_rs = 0;  // SliceAddrRs: address of the owning independent segment

  int num_pic_total_curr = 0;
};

// Parses the header of a slice segment NAL unit. `prev` is the header of the
// previous slice segment of the same picture (for dependent segments).
// Throws kMissingParameterSet when the PPS/SPS is unknown.
void parse_slice_header(BitReader& br, int nal_type, const std::shared_ptr<Pps>* pps_table,
                        const std::shared_ptr<Sps>* sps_table, const SliceHeader* prev, SliceHeader& out);

}  // namespace codectok
