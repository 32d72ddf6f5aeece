// Resource limits (DecodeLimits in analysis/picture_result.h): each one, at
// its default against a hostile stream and configured below what a real
// stream needs, fails with kLimitExceeded naming the limit, and a stream
// exactly at the limit still decodes. A 16384x16384 SPS is refused before
// anything of that size is allocated (the largest single allocation is
// measured: support/largest_allocation).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "support/bit_writer.h"
#include "support/corpus.h"
#include "support/largest_allocation.h"

using namespace codectok;
using codectok::test::BitWriter;
using codectok::test::corpus_dir;
using codectok::test::read_file;
using codectok::test::largest_allocation;
using codectok::test::reset_largest_allocation;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::kTruncated;
  std::string message;
  int pictures = 0;
};

template <typename Decoder = StreamDecoder>
Outcome decode(const std::vector<uint8_t>& data, const DecodeOptions& o, size_t chunk = 4096) {
  Outcome out;
  try {
    Decoder dec(o);
    PictureResult r;
    for (size_t i = 0; i < data.size(); i += chunk) {
      dec.push(data.data() + i, std::min(chunk, data.size() - i));
      while (dec.next(r)) ++out.pictures;
    }
    while (!dec.finish())
      while (dec.next(r)) ++out.pictures;
    while (dec.next(r)) ++out.pictures;
    out.ok = true;
  } catch (const ParseError& e) {
    out.code = e.code();
    out.message = e.what();
  }
  return out;
}

// The stream must fail with kLimitExceeded and a message naming `limit`.
void expect_limit(const Outcome& r, const char* limit, const std::string& what) {
  expect(!r.ok && r.code == ErrorCode::kLimitExceeded && r.message.find(limit) != std::string::npos,
         what + ": ERR_LIMIT_EXCEEDED naming " + limit + (r.ok ? " (decoded)" : " (got: " + r.message + ")"));
}

// ---- Annex-B surgery, independent of the decoder ----
struct Nal {
  size_t begin, end;  // payload (header included) without the start code
  int type;
};

std::vector<Nal> split(const std::vector<uint8_t>& d) {
  std::vector<size_t> starts;
  for (size_t i = 0; i + 2 < d.size(); ++i)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) starts.push_back(i + 3), i += 2;
  std::vector<Nal> nals;
  for (size_t k = 0; k < starts.size(); ++k) {
    size_t end = k + 1 < starts.size() ? starts[k + 1] - 3 : d.size();
    while (end > starts[k] && d[end - 1] == 0) --end;
    nals.push_back({starts[k], end, (d[starts[k]] >> 1) & 63});
  }
  return nals;
}

struct BitCursor {
  const std::vector<uint8_t>& d;
  size_t pos = 0;
  uint32_t u(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos) v = (v << 1) | ((d[pos / 8] >> (7 - pos % 8)) & 1);
    return v;
  }
  uint32_t ue() {
    int zeros = 0;
    while (u(1) == 0) ++zeros;
    return (1u << zeros) - 1 + u(zeros);
  }
};

// The SPS NAL unit (header + escaped payload) with pic_width/height_in_luma_samples
// replaced (clause 7.3.2.2; sps_max_sub_layers_minus1 must be 0 so that
// profile_tier_level is 96 bits).
std::vector<uint8_t> sps_with_size(const std::vector<uint8_t>& nal, uint32_t width, uint32_t height) {
  std::vector<uint8_t> rbsp;
  int zeros = 0;
  for (size_t i = 2; i < nal.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    rbsp.push_back(nal[i]);
    zeros = nal[i] == 0 ? zeros + 1 : 0;
  }
  BitCursor c{rbsp};
  BitWriter w;
  w.put(c.u(4), 4);                                // sps_video_parameter_set_id
  const uint32_t sub_layers = c.u(3);              // sps_max_sub_layers_minus1
  if (sub_layers != 0) std::abort();
  w.put(sub_layers, 3);
  w.put(c.u(1), 1);                                // sps_temporal_id_nesting_flag
  for (int i = 0; i < 96; i += 16) w.put(c.u(16), 16);  // profile_tier_level(1, 0)
  w.ue(c.ue());                                    // sps_seq_parameter_set_id
  const uint32_t chroma = c.ue();
  w.ue(chroma);
  if (chroma == 3) w.put(c.u(1), 1);
  c.ue();
  c.ue();
  w.ue(width);
  w.ue(height);
  while (c.pos < rbsp.size() * 8) w.put(c.u(1), 1);  // the rest, rbsp trailing bits included
  std::vector<uint8_t> out(nal.begin(), nal.begin() + 2);
  zeros = 0;
  for (uint8_t b : w.bytes) {
    if (zeros >= 2 && b <= 3) out.push_back(3), zeros = 0;
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

// `data` with its first SPS replaced by `sps`.
std::vector<uint8_t> replace_sps(const std::vector<uint8_t>& data, const std::vector<uint8_t>& sps) {
  for (const Nal& n : split(data))
    if (n.type == 33) {
      std::vector<uint8_t> out(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n.begin));
      out.insert(out.end(), sps.begin(), sps.end());
      out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(n.end), data.end());
      return out;
    }
  std::abort();
}

std::vector<uint8_t> first_sps(const std::vector<uint8_t>& data) {
  for (const Nal& n : split(data))
    if (n.type == 33) return {data.begin() + static_cast<std::ptrdiff_t>(n.begin), data.begin() + static_cast<std::ptrdiff_t>(n.end)};
  std::abort();
}

// Most slice segments in one picture: VCL NAL units counted from the bytes
// (first_slice_segment_in_pic_flag, the first payload bit, starts a picture).
int max_segments_per_picture(const std::vector<uint8_t>& data) {
  int best = 0, run = 0;
  for (const Nal& n : split(data)) {
    if (n.type >= 32) continue;
    run = (data[n.begin + 2] & 0x80) ? 1 : run + 1;
    best = std::max(best, run);
  }
  return best;
}

size_t largest_nal(const std::vector<uint8_t>& data) {
  size_t best = 0;
  for (const Nal& n : split(data)) best = std::max(best, n.end - n.begin);
  return best;
}

}  // namespace

int main() {
  const std::string dir = corpus_dir();
  const auto tiny_i = read_file(dir + "/tiny_i.hevc");
  const auto tiny_ipb = read_file(dir + "/tiny_ipb.hevc");
  DecodeOptions all;
  all.tu_stats = all.residual = true;

  // The SPS patch is exact: the same size gives back the same bytes.
  const auto sps = first_sps(tiny_i);
  expect(sps_with_size(sps, 64, 64) == sps, "SPS rewrite with the original 64x64 is byte-exact");
  expect(decode(tiny_i, all).ok, "tiny_i decodes with the default limits");

  // Picture size, defaults: a 16384x16384 SPS allocates nothing that size.
  {
    const auto hostile = replace_sps(tiny_i, sps_with_size(sps, 16384, 16384));
    reset_largest_allocation();
    const Outcome r = decode(hostile, all);
    expect_limit(r, "maxLumaPictureSize", "16384x16384 SPS");
    const size_t largest = largest_allocation();
    expect(largest < (size_t{16} << 20), "16384x16384 SPS: largest allocation " + std::to_string(largest) +
                                             " bytes (< 16 MiB; one luma plane would be 256 MiB)");
    expect_limit(decode(replace_sps(tiny_i, sps_with_size(sps, 16896, 64)), all), "maxPictureDimension",
                 "16896x64 SPS");
  }
  // Picture size, configured: 64x64 = 4096 luma samples.
  {
    DecodeOptions o = all;
    o.limits.max_luma_picture_size = 4095;
    expect_limit(decode(tiny_i, o), "maxLumaPictureSize", "tiny_i (64x64) with maxLumaPictureSize 4095");
    o.limits.max_luma_picture_size = 4096;
    expect(decode(tiny_i, o).ok, "tiny_i (64x64) with maxLumaPictureSize 4096 decodes");
    o = all;
    o.limits.max_picture_dimension = 63;
    expect_limit(decode(tiny_i, o), "maxPictureDimension", "tiny_i (64x64) with maxPictureDimension 63");
    o.limits.max_picture_dimension = 64;
    expect(decode(tiny_i, o).ok, "tiny_i (64x64) with maxPictureDimension 64 decodes");
  }
  // DPB size: tiny_ipb's P and B pictures keep references, so one picture (the
  // current one) is not enough.
  {
    DecodeOptions o = all;
    o.limits.max_dpb_size = 1;
    expect_limit(decode(tiny_ipb, o), "maxDpbSize", "tiny_ipb with maxDpbSize 1");
    expect(decode(tiny_ipb, all).ok, "tiny_ipb decodes with the default maxDpbSize");
  }
  // Slice segments per picture, counted from the bytes.
  {
    const auto wpp = read_file(dir + "/kvz_wpp_dslices.hevc");
    const int segments = max_segments_per_picture(wpp);
    expect(segments > 1, "kvz_wpp_dslices has " + std::to_string(segments) + " slice segments in a picture");
    DecodeOptions o = all;
    o.limits.max_slice_segments_per_picture = segments - 1;
    expect_limit(decode(wpp, o), "maxSliceSegmentsPerPicture",
                 "kvz_wpp_dslices with maxSliceSegmentsPerPicture " + std::to_string(segments - 1));
    o.limits.max_slice_segments_per_picture = segments;
    expect(decode(wpp, o).ok, "kvz_wpp_dslices with maxSliceSegmentsPerPicture " + std::to_string(segments) + " decodes");
    o.headers_only = true;
    o.limits.max_slice_segments_per_picture = segments - 1;
    expect_limit(decode(wpp, o), "maxSliceSegmentsPerPicture", "kvz_wpp_dslices, headers only");
  }
  // Tiles per picture.
  {
    const auto tiles = read_file(dir + "/kvz_tiles.hevc");
    DecodeOptions o = all;
    o.limits.max_tiles_per_picture = 1;
    expect_limit(decode(tiles, o), "maxTilesPerPicture", "kvz_tiles with maxTilesPerPicture 1");
    expect(decode(tiles, all).ok, "kvz_tiles decodes with the default maxTilesPerPicture");
    expect(decode(tiny_i, o).ok, "tiny_i (one tile) decodes with maxTilesPerPicture 1");
  }
  // NAL unit size: the largest NAL unit of tiny_i, measured from the bytes.
  {
    const size_t largest = largest_nal(tiny_i);
    DecodeOptions o = all;
    o.limits.max_nal_unit_size = static_cast<int64_t>(largest) - 1;
    expect_limit(decode(tiny_i, o), "maxNalUnitSize", "tiny_i with maxNalUnitSize " + std::to_string(largest - 1));
    expect_limit(decode(tiny_i, o, tiny_i.size()), "maxNalUnitSize", "tiny_i in one push, maxNalUnitSize " +
                                                                         std::to_string(largest - 1));
    o.limits.max_nal_unit_size = static_cast<int64_t>(largest);
    expect(decode(tiny_i, o).ok, "tiny_i with maxNalUnitSize " + std::to_string(largest) + " decodes");
    // A start code followed by 1 MiB without another: refused while buffering.
    std::vector<uint8_t> endless(size_t{1} << 20, 0x55);
    endless[0] = 0, endless[1] = 0, endless[2] = 1, endless[3] = 0x40, endless[4] = 0x01;
    o.limits.max_nal_unit_size = 65536;
    expect_limit(decode(endless, o), "maxNalUnitSize", "1 MiB without a second start code, maxNalUnitSize 65536");
  }
  // The H.264 decoder applies the same limits.
  {
    struct H264 : StreamDecoder {
      explicit H264(const DecodeOptions& o) : StreamDecoder(o, Codec::kH264) {}
    };
    const std::string h264_dir = dir + "/../h264-corpus";
    const auto ipb = read_file(h264_dir + "/tiny_ipb.h264");  // 64x64, I B B P
    expect(decode<H264>(ipb, all).ok, "H.264 tiny_ipb decodes with the default limits");
    DecodeOptions o = all;
    o.limits.max_luma_picture_size = 4095;
    expect_limit(decode<H264>(ipb, o), "maxLumaPictureSize", "H.264 tiny_ipb (64x64) with maxLumaPictureSize 4095");
    o.limits.max_luma_picture_size = 4096;
    expect(decode<H264>(ipb, o).ok, "H.264 tiny_ipb (64x64) with maxLumaPictureSize 4096 decodes");
    o = all;
    o.limits.max_picture_dimension = 63;
    expect_limit(decode<H264>(ipb, o), "maxPictureDimension", "H.264 tiny_ipb with maxPictureDimension 63");
    // high_partitions_refs: max_num_ref_frames 4 (x264 ref=4).
    const auto refs = read_file(h264_dir + "/high_partitions_refs.h264");
    o = all;
    o.limits.max_dpb_size = 3;
    expect_limit(decode<H264>(refs, o), "maxDpbSize", "H.264 high_partitions_refs (ref=4) with maxDpbSize 3");
    o.limits.max_dpb_size = 4;
    expect(decode<H264>(refs, o).ok, "H.264 high_partitions_refs (ref=4) with maxDpbSize 4 decodes");
    // slices_cabac: 4 slices per picture (x264 slices=4).
    const auto sliced = read_file(h264_dir + "/slices_cabac.h264");
    o = all;
    o.limits.max_slice_segments_per_picture = 3;
    expect_limit(decode<H264>(sliced, o), "maxSliceSegmentsPerPicture", "H.264 slices_cabac (4 slices) with maxSliceSegmentsPerPicture 3");
    o.limits.max_slice_segments_per_picture = 4;
    expect(decode<H264>(sliced, o).ok, "H.264 slices_cabac with maxSliceSegmentsPerPicture 4 decodes");
    const size_t largest = largest_nal(ipb);
    o = all;
    o.limits.max_nal_unit_size = static_cast<int64_t>(largest) - 1;
    expect_limit(decode<H264>(ipb, o), "maxNalUnitSize", "H.264 tiny_ipb with maxNalUnitSize " + std::to_string(largest - 1));
    o.limits.max_nal_unit_size = static_cast<int64_t>(largest);
    expect(decode<H264>(ipb, o).ok, "H.264 tiny_ipb with maxNalUnitSize " + std::to_string(largest) + " decodes");
  }
  std::printf("%s\n", failures ? "FAILED" : "all limits ok");
  return failures ? 1 : 0;
}
