// Availability of a neighbouring block in z-scan order (clause 6.4.1): the
// neighbour must lie inside the picture, in the same slice and tile, and
// precede the current block in decoding order. An explicit context, so the
// derivations that use it (CABAC context selection, intra mode and motion
// vector prediction) can be run on hand-built inputs.
#pragma once
#include <cstdint>

namespace codectok {

// Morton (z-scan) index of a 4x4 block inside a CTB of up to 64x64, from its
// 4x4 coordinates (0..15): the bits of x and y interleaved (clause 6.5.2).
struct ZscanTable {
  uint8_t z[16][16];
};
constexpr ZscanTable make_zscan_table() {
  ZscanTable t{};
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      int v = 0;
      for (int b = 0; b < 4; ++b) v |= (((x >> b) & 1) << (2 * b)) | (((y >> b) & 1) << (2 * b + 1));
      t.z[y][x] = static_cast<uint8_t>(v);
    }
  return t;
}
inline constexpr ZscanTable kZscan = make_zscan_table();

// What clause 6.4.1 reads of the picture being decoded.
struct AvailabilityContext {
  int width = 0, height = 0;  // pic_width/height_in_luma_samples
  int ctb_log2 = 4;           // CtbLog2SizeY
  int width_in_ctbs = 0;      // PicWidthInCtbsY
  const int32_t* ctb_slice_addr = nullptr;  // [ctb rs] SliceAddrRs of the slice that coded it, -1 before
  int32_t slice_addr_rs = 0;               // SliceAddrRs of the current slice
  const int* ctb_addr_rs_to_ts = nullptr;   // CtbAddrRsToTs
  const int* tile_id = nullptr;             // TileId, indexed by tile-scan address
};

// availableN of clause 6.4.1 for the neighbour (xn, yn) of the current
// block (xc, yc), both in luma samples.
inline bool available_zscan(const AvailabilityContext& a, int xc, int yc, int xn, int yn) {
  // xn, yn < 0 wrap to large unsigned values: one comparison per coordinate.
  if (static_cast<unsigned>(xn) >= static_cast<unsigned>(a.width) ||
      static_cast<unsigned>(yn) >= static_cast<unsigned>(a.height))
    return false;
  const int mask = (1 << a.ctb_log2) - 1;
  if ((((xn ^ xc) | (yn ^ yc)) >> a.ctb_log2) == 0)  // same CTB: z-scan order decides
    return kZscan.z[(yn & mask) >> 2][(xn & mask) >> 2] <= kZscan.z[(yc & mask) >> 2][(xc & mask) >> 2];
  const int ctb_n = (yn >> a.ctb_log2) * a.width_in_ctbs + (xn >> a.ctb_log2);
  if (a.ctb_slice_addr[ctb_n] != a.slice_addr_rs) return false;
  const int ctb_c = (yc >> a.ctb_log2) * a.width_in_ctbs + (xc >> a.ctb_log2);
  const int ts_n = a.ctb_addr_rs_to_ts[ctb_n], ts_c = a.ctb_addr_rs_to_ts[ctb_c];
  if (ts_n > ts_c) return false;
  return a.tile_id[ts_n] == a.tile_id[ts_c];
}

}  // namespace codectok
