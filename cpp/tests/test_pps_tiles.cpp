// Tile sizes of a PPS (clause 7.4.3.3.1): column_width_minus1[i] and
// row_height_minus1[i] are ue(v) values up to 2^32 - 2 in the bitstream, but
// must fit the picture. A hostile PPS with a huge width (int overflow when
// converted and summed) is refused with kInvalidSyntax; widths whose sum does
// not fit this SPS's picture are refused when the layout is derived; valid
// non-uniform tiles give the boundaries written. The PPS is written bit by bit
// here (support/bit_writer.h), independently of the reader.
#include <cstdint>
#include <string>
#include <vector>

#include "bitstream/bit_reader.h"
#include "bitstream/parse_error.h"
#include "hevc/parameter_sets.h"
#include "support/bit_writer.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::BitWriter;
using codectok::test::check;

namespace {

// pic_parameter_set_rbsp() with tiles: `widths` / `heights` are the
// column_width_minus1 / row_height_minus1 values (non-uniform spacing).
std::vector<uint8_t> pps_with_tiles(const std::vector<uint32_t>& widths, const std::vector<uint32_t>& heights) {
  BitWriter w;
  w.ue(0);      // pps_pic_parameter_set_id
  w.ue(0);      // pps_seq_parameter_set_id
  w.put(0, 1);  // dependent_slice_segments_enabled_flag
  w.put(0, 1);  // output_flag_present_flag
  w.put(0, 3);  // num_extra_slice_header_bits
  w.put(0, 1);  // sign_data_hiding_enabled_flag
  w.put(0, 1);  // cabac_init_present_flag
  w.ue(0);      // num_ref_idx_l0_default_active_minus1
  w.ue(0);      // num_ref_idx_l1_default_active_minus1
  w.se(0);      // init_qp_minus26
  w.put(0, 1);  // constrained_intra_pred_flag
  w.put(0, 1);  // transform_skip_enabled_flag
  w.put(0, 1);  // cu_qp_delta_enabled_flag
  w.se(0);      // pps_cb_qp_offset
  w.se(0);      // pps_cr_qp_offset
  w.put(0, 1);  // pps_slice_chroma_qp_offsets_present_flag
  w.put(0, 1);  // weighted_pred_flag
  w.put(0, 1);  // weighted_bipred_flag
  w.put(0, 1);  // transquant_bypass_enabled_flag
  w.put(1, 1);  // tiles_enabled_flag
  w.put(0, 1);  // entropy_coding_sync_enabled_flag
  w.ue(static_cast<uint32_t>(widths.size()));   // num_tile_columns_minus1
  w.ue(static_cast<uint32_t>(heights.size()));  // num_tile_rows_minus1
  w.put(0, 1);  // uniform_spacing_flag
  for (uint32_t v : widths) w.ue(v);
  for (uint32_t v : heights) w.ue(v);
  w.put(1, 1);  // loop_filter_across_tiles_enabled_flag
  w.put(1, 1);  // pps_loop_filter_across_slices_enabled_flag
  w.put(0, 1);  // deblocking_filter_control_present_flag
  w.put(0, 1);  // pps_scaling_list_data_present_flag
  w.put(0, 1);  // lists_modification_present_flag
  w.ue(0);      // log2_parallel_merge_level_minus2
  w.put(0, 1);  // slice_segment_header_extension_present_flag
  w.put(0, 1);  // pps_extension_present_flag
  w.trailing();
  return w.bytes;
}

struct Result {
  bool ok = false;
  ErrorCode code = ErrorCode::kTruncated;
  std::string message;
  std::shared_ptr<Pps> pps;
};

// Parses the PPS and, when that succeeds, derives its layout for a picture of
// width_ctbs x height_ctbs CTBs.
Result parse_and_layout(const std::vector<uint8_t>& rbsp, int width_ctbs, int height_ctbs) {
  Result r;
  try {
    BitReader br(rbsp.data(), rbsp.size());
    r.pps = parse_pps(br);
    Sps sps;
    sps.pic_width_in_ctbs = width_ctbs;
    sps.pic_height_in_ctbs = height_ctbs;
    sps.pic_size_in_ctbs = width_ctbs * height_ctbs;
    derive_pps_layout(*r.pps, sps);
    r.ok = true;
  } catch (const ParseError& e) {
    r.code = e.code();
    r.message = e.what();
  }
  return r;
}

void expect_invalid(const Result& r, const std::string& name, const std::string& what) {
  check(!r.ok && r.code == ErrorCode::kInvalidSyntax && r.message.find(name) != std::string::npos,
        what + ": kInvalidSyntax naming " + name + (r.ok ? " (accepted)" : " (got: " + r.message + ")"));
}

}  // namespace

int main() {
  // Valid: 10x6 CTBs in columns 3 + 7 and rows 2 + 1 + 3.
  {
    const Result r = parse_and_layout(pps_with_tiles({2}, {1, 0}), 10, 6);
    check(r.ok, "non-uniform 2x3 tiles in 10x6 CTBs parse" + (r.ok ? std::string() : ": " + r.message));
    if (r.ok) {
      check(r.pps->col_bd == std::vector<int>({0, 3, 10}), "column boundaries 0, 3, 10");
      check(r.pps->row_bd == std::vector<int>({0, 2, 3, 6}), "row boundaries 0, 2, 3, 6");
    }
  }
  // Hostile values: the largest ue(v) and the values that overflow int when
  // converted (2^31 - 1 + 1) or summed (two times 2^30).
  for (uint32_t v : {0xFFFFFFFEu, 0x7FFFFFFFu, 0x80000000u, 0x40000000u, 1056u}) {
    expect_invalid(parse_and_layout(pps_with_tiles({v}, {0}), 10, 6), "column_width_minus1",
                   "column_width_minus1 " + std::to_string(v));
    expect_invalid(parse_and_layout(pps_with_tiles({0}, {v}), 10, 6), "row_height_minus1",
                   "row_height_minus1 " + std::to_string(v));
  }
  expect_invalid(parse_and_layout(pps_with_tiles({0x40000000u, 0x40000000u}, {0}), 10, 6), "column_width_minus1",
                 "two columns of 2^30 + 1 CTBs");
  // The largest value any picture allows passes the PPS but not a picture it does not fit.
  expect_invalid(parse_and_layout(pps_with_tiles({1055}, {0}), 10, 6), "tile columns wider than the picture",
                 "column_width_minus1 1055 in a 10-CTB-wide picture");
  // 1056 CTBs for the first column and at least one for the last.
  check(parse_and_layout(pps_with_tiles({1055}, {0}), 1057, 6).ok, "column_width_minus1 1055 in a 1057-CTB-wide picture");
  // Columns that fill the picture leave none for the last one.
  expect_invalid(parse_and_layout(pps_with_tiles({4, 4}, {0}), 10, 6), "tile columns wider than the picture",
                 "columns 5 + 5 + (nothing) in 10 CTBs");
  expect_invalid(parse_and_layout(pps_with_tiles({0}, {2, 2}), 10, 6), "tile rows taller than the picture",
                 "rows 3 + 3 + (nothing) in 6 CTBs");
  return codectok::test::report();
}
