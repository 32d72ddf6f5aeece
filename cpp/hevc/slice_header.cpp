#include "hevc/slice_header.h"

#include <string>

#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"

namespace codectok {

namespace {

void check(bool ok, const char* what) {
  if (!ok) fail(ErrorCode::kInvalidSyntax, std::string("invalid slice header: ") + what);
}

int ceil_log2(int v) {
  int r = 0;
  while ((1 << r) < v) ++r;
  return r;
}

void parse_pred_weight_table(BitReader& br, const Sps& sps, const SliceHeader& sh) {
  uint32_t denom = br.ue();
  check(denom <= 7, "luma_log2_weight_denom");
  if (sps.chroma_format_idc != 0) {
    int32_t d = br.se();
    check(static_cast<int>(denom) + d >= 0 && static_cast<int>(denom) + d <= 7, "delta_chroma_log2_weight_denom");
  }
  int lists = sh.slice_type == kSliceB ? 2 : 1;
  for (int l = 0; l < lists; ++l) {
    int n = sh.num_ref_idx_active[l];
    bool luma[16] = {}, chroma[16] = {};
    for (int i = 0; i < n; ++i) luma[i] = br.flag();
    if (sps.chroma_format_idc != 0)
      for (int i = 0; i < n; ++i) chroma[i] = br.flag();
    for (int i = 0; i < n; ++i) {
      if (luma[i]) {
        br.se();
        br.se();
      }
      if (chroma[i])
        for (int j = 0; j < 2; ++j) {
          br.se();
          br.se();
        }
    }
  }
}

}  // namespace

void parse_slice_header(BitReader& br, int nal_type, const std::shared_ptr<Pps>* pps_table,
                        const std::shared_ptr<Sps>* sps_table, const SliceHeader* prev, SliceHeader& sh) {
  SliceHeader h;
  h.first_slice_segment_in_pic = br.flag();
  if (is_irap(nal_type)) h.no_output_of_prior_pics = br.flag();
  uint32_t pps_id = br.ue();
  if (pps_id > 63 || !pps_table[pps_id])
    fail(ErrorCode::kMissingParameterSet, "slice refers to PPS " + std::to_string(pps_id) + ", which was not received");
  const Pps& pps = *pps_table[pps_id];
  if (!sps_table[pps.sps_id])
    fail(ErrorCode::kMissingParameterSet, "PPS refers to SPS " + std::to_string(pps.sps_id) + ", which was not received");
  const Sps& sps = *sps_table[pps.sps_id];
  h.pps_id = static_cast<int>(pps_id);
  if (!h.first_slice_segment_in_pic) {
    if (pps.dependent_slice_segments_enabled) h.dependent_slice_segment = br.flag();
    uint32_t addr = br.u(ceil_log2(sps.pic_size_in_ctbs));
    check(addr < static_cast<uint32_t>(sps.pic_size_in_ctbs) && addr > 0, "slice_segment_address");
    h.segment_address = static_cast<int>(addr);
  }
  if (h.dependent_slice_segment) {
    if (!prev || prev->pps_id != h.pps_id)
      fail(ErrorCode::kInvalidSyntax, "dependent slice segment without a preceding slice segment");
    // Copy everything from the owning independent segment, then the fields below.
    bool first = h.first_slice_segment_in_pic;
    int address = h.segment_address;
    bool no_out = h.no_output_of_prior_pics;
    h = *prev;
    h.first_slice_segment_in_pic = first;
    h.segment_address = address;
    h.no_output_of_prior_pics = no_out;
    h.dependent_slice_segment = true;
    h.entry_point_offsets.clear();
  } else {
    h.slice_addr_rs = h.segment_address;
    br.skip(pps.num_extra_slice_header_bits);
    uint32_t st = br.ue();
    check(st <= 2, "slice_type");
    h.slice_type = static_cast<int>(st);
    if (is_irap(nal_type) && h.slice_type != kSliceI)
      fail(ErrorCode::kInvalidSyntax, "an IRAP picture has a P or B slice");
    if (pps.output_flag_present) h.pic_output_flag = br.flag();
    if (!is_idr(nal_type)) {
      h.poc_lsb = static_cast<int>(br.u(sps.log2_max_poc_lsb));
      h.short_term_ref_pic_set_sps_flag = br.flag();
      int nsets = static_cast<int>(sps.st_rps.size());
      if (!h.short_term_ref_pic_set_sps_flag) {
        size_t before = br.bit_position();
        parse_short_term_rps(br, nsets, nsets, sps.st_rps, h.st_rps);
        h.st_rps_bits = static_cast<int>(br.bit_position() - before);
      } else {
        check(nsets > 0, "short_term_ref_pic_set_sps_flag without SPS sets");
        int idx = 0;
        if (nsets > 1) idx = static_cast<int>(br.u(ceil_log2(nsets)));
        check(idx < nsets, "short_term_ref_pic_set_idx");
        h.st_rps = sps.st_rps[idx];
      }
      if (sps.long_term_ref_pics_present) {
        if (sps.num_long_term_ref_pics_sps > 0) {
          uint32_t n = br.ue();
          check(n <= static_cast<uint32_t>(sps.num_long_term_ref_pics_sps), "num_long_term_sps");
          h.num_long_term_sps = static_cast<int>(n);
        }
        uint32_t np = br.ue();
        check(h.num_long_term_sps + np <= 32, "num_long_term_pics");
        h.num_long_term_pics = static_cast<int>(np);
        int total = h.num_long_term_sps + h.num_long_term_pics;
        for (int i = 0; i < total; ++i) {
          if (i < h.num_long_term_sps) {
            int idx = 0;
            if (sps.num_long_term_ref_pics_sps > 1) idx = static_cast<int>(br.u(ceil_log2(sps.num_long_term_ref_pics_sps)));
            check(idx < sps.num_long_term_ref_pics_sps, "lt_idx_sps");
            h.poc_lsb_lt[i] = static_cast<int32_t>(sps.lt_ref_pic_poc_lsb_sps[idx]);
            h.used_by_curr_pic_lt[i] = sps.used_by_curr_pic_lt_sps[idx];
          } else {
            h.poc_lsb_lt[i] = static_cast<int32_t>(br.u(sps.log2_max_poc_lsb));
            h.used_by_curr_pic_lt[i] = br.flag();
          }
          h.delta_poc_msb_present[i] = br.flag();
          int32_t cycle = 0;
          if (h.delta_poc_msb_present[i]) {
            uint32_t c = br.ue();
            check(c < (1u << 24), "delta_poc_msb_cycle_lt");
            cycle = static_cast<int32_t>(c);
          }
          if (i != 0 && i != h.num_long_term_sps) cycle += h.delta_poc_msb_cycle_lt[i - 1];
          h.delta_poc_msb_cycle_lt[i] = cycle;
        }
      }
      if (sps.temporal_mvp_enabled) h.temporal_mvp_enabled = br.flag();
    }
    if (sps.sao_enabled) {
      h.sao_luma = br.flag();
      if (sps.chroma_format_idc != 0) h.sao_chroma = br.flag();
    }
    int total_curr = 0;
    for (int i = 0; i < h.st_rps.num_negative; ++i) total_curr += h.st_rps.used_s0[i];
    for (int i = 0; i < h.st_rps.num_positive; ++i) total_curr += h.st_rps.used_s1[i];
    for (int i = 0; i < h.num_long_term_sps + h.num_long_term_pics; ++i) total_curr += h.used_by_curr_pic_lt[i];
    h.num_pic_total_curr = total_curr;
    if (h.slice_type != kSliceI) {
      h.num_ref_idx_active[0] = pps.num_ref_idx_l0_default_active;
      h.num_ref_idx_active[1] = h.slice_type == kSliceB ? pps.num_ref_idx_l1_default_active : 0;
      if (br.flag()) {
        uint32_t a = br.ue();
        check(a <= 14, "num_ref_idx_l0_active_minus1");
        h.num_ref_idx_active[0] = static_cast<int>(a) + 1;
        if (h.slice_type == kSliceB) {
          uint32_t b = br.ue();
          check(b <= 14, "num_ref_idx_l1_active_minus1");
          h.num_ref_idx_active[1] = static_cast<int>(b) + 1;
        }
      }
      if (total_curr == 0)
        fail(ErrorCode::kMissingReference, "P or B slice whose reference picture set has no picture for the current picture");
      if (pps.lists_modification_present && total_curr > 1) {
        int bits = ceil_log2(total_curr);
        for (int l = 0; l < (h.slice_type == kSliceB ? 2 : 1); ++l) {
          h.ref_pic_list_modification_flag[l] = br.flag();
          if (h.ref_pic_list_modification_flag[l])
            for (int i = 0; i < h.num_ref_idx_active[l]; ++i) {
              h.list_entry[l][i] = static_cast<int>(br.u(bits));
              check(h.list_entry[l][i] < total_curr, "list_entry");
            }
        }
      }
      if (h.slice_type == kSliceB) h.mvd_l1_zero = br.flag();
      if (pps.cabac_init_present) h.cabac_init_flag = br.flag();
      if (h.temporal_mvp_enabled) {
        if (h.slice_type == kSliceB) h.collocated_from_l0 = br.flag();
        if ((h.collocated_from_l0 && h.num_ref_idx_active[0] > 1) ||
            (!h.collocated_from_l0 && h.num_ref_idx_active[1] > 1)) {
          uint32_t c = br.ue();
          check(static_cast<int>(c) < h.num_ref_idx_active[h.collocated_from_l0 ? 0 : 1], "collocated_ref_idx");
          h.collocated_ref_idx = static_cast<int>(c);
        }
      }
      if ((pps.weighted_pred && h.slice_type == kSliceP) || (pps.weighted_bipred && h.slice_type == kSliceB))
        parse_pred_weight_table(br, sps, h);
      uint32_t m = br.ue();
      check(m <= 4, "five_minus_max_num_merge_cand");
      h.max_num_merge_cand = 5 - static_cast<int>(m);
    }
    h.qp_delta = br.se();
    h.slice_qp_y = pps.init_qp + h.qp_delta;
    check(h.slice_qp_y >= -sps.qp_bd_offset_y && h.slice_qp_y <= 51, "slice_qp_delta");
    if (pps.slice_chroma_qp_offsets_present) {
      h.cb_qp_offset = br.se();
      h.cr_qp_offset = br.se();
      check(h.cb_qp_offset >= -12 && h.cb_qp_offset <= 12 && h.cr_qp_offset >= -12 && h.cr_qp_offset <= 12,
            "slice_cb/cr_qp_offset");
    }
    bool override_flag = false;
    if (pps.deblocking_filter_override_enabled) override_flag = br.flag();
    h.deblocking_filter_disabled = pps.pps_deblocking_filter_disabled;
    if (override_flag) {
      h.deblocking_filter_disabled = br.flag();
      if (!h.deblocking_filter_disabled) {
        br.se();
        br.se();
      }
    }
    h.loop_filter_across_slices = pps.loop_filter_across_slices;
    if (pps.loop_filter_across_slices && (h.sao_luma || h.sao_chroma || !h.deblocking_filter_disabled))
      h.loop_filter_across_slices = br.flag();
  }
  if (pps.tiles_enabled || pps.entropy_coding_sync_enabled) {
    uint32_t n = br.ue();
    check(n <= static_cast<uint32_t>(sps.pic_size_in_ctbs), "num_entry_point_offsets");
    if (n > 0) {
      uint32_t len = br.ue();
      check(len <= 31, "offset_len_minus1");
      h.entry_point_offsets.resize(n);
      for (uint32_t i = 0; i < n; ++i) h.entry_point_offsets[i] = br.u(static_cast<int>(len) + 1) + 1;
    }
  }
  if (pps.slice_segment_header_extension_present) {
    uint32_t len = br.ue();
    check(len <= 256, "slice_segment_header_extension_length");
    br.skip(8 * len);
  }
  // byte_alignment(): alignment_bit_equal_to_one then zero bits.
  if (br.u(1) != 1) fail(ErrorCode::kInvalidSyntax, "invalid slice header: byte_alignment()");
  br.byte_align();
  h.slice_data_byte_offset = br.bit_position() / 8;
  sh = std::move(h);
}

}  // namespace codectok
