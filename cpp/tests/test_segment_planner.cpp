// SegmentPlanner (stream/segment_planner.h): cutting a stream at the planner's cut points and
// decoding each segment with a fresh decoder (DecodeOptions::start, the cut's parameter sets)
// gives exactly the pictures of one decoder over the whole stream, in the same order (and, on
// corrupt copies, the same error after at least the same pictures): POC, decode
// index, NAL type, slices with their reference POCs, bit totals and every map. Checked on every
// stream of the HEVC and H.264 corpora and the libx264 fixtures, with the expected cut points
// read from the NAL unit headers by this test (IRAP pictures; CRA pictures with RASL pictures are
// not cut points), and on the streams of test/fixtures/segments made for it.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "bitstream/parse_error.h"
#include "stream/segment_planner.h"
#include "stream/stream_decoder.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::check;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

DecodeOptions all_maps() {
  DecodeOptions o;
  o.motion = o.cu = o.bits = o.tu_stats = o.residual = true;
  return o;
}

std::vector<PictureResult> decode(const uint8_t* data, size_t size, Codec codec, const DecodeOptions& options) {
  StreamDecoder d(options, codec);
  std::vector<PictureResult> out;
  PictureResult p;
  for (size_t at = 0; at < size; at += 65536) {
    d.push(data + at, std::min<size_t>(65536, size - at));
    while (d.next(p)) out.push_back(std::move(p));
  }
  d.finish();
  while (d.next(p)) out.push_back(std::move(p));
  return out;
}

template <typename T>
bool same_array(const std::shared_ptr<HugePageVector<T>>& a, const std::shared_ptr<HugePageVector<T>>& b) {
  if (!a || !b) return !a && !b;
  return a->size() == b->size() && std::memcmp(a->data(), b->data(), a->size() * sizeof(T)) == 0;
}

bool same_picture(const PictureResult& a, const PictureResult& b, std::string& why) {
  auto field = [&](bool ok, const char* name) {
    if (!ok && why.empty()) why = name;
    return ok;
  };
  bool ok = field(a.poc == b.poc, "poc") && field(a.decode_index == b.decode_index, "decode_index") &&
            field(a.nal_type == b.nal_type, "nal_type") && field(a.width == b.width && a.height == b.height, "size") &&
            field(a.total_bits == b.total_bits, "total_bits") && field(a.slices.size() == b.slices.size(), "slices");
  for (size_t i = 0; ok && i < a.slices.size(); ++i)
    ok = field(a.slices[i].type == b.slices[i].type && a.slices[i].address == b.slices[i].address &&
                   a.slices[i].ref_l0 == b.slices[i].ref_l0 && a.slices[i].ref_l1 == b.slices[i].ref_l1,
               "slice");
  return ok && field(same_array(a.motion, b.motion), "motion") && field(same_array(a.cu, b.cu), "cu") &&
         field(same_array(a.bits, b.bits), "bits") && field(same_array(a.tu, b.tu), "tu") &&
         field(same_array(a.residual, b.residual), "residual");
}

// Decode indices of the pictures that begin at an IRAP picture which is a cut point, from the NAL
// unit headers alone: HEVC IDR/BLA, and CRA unless a RASL picture follows it before the next
// trailing picture; H.264 IDR. The first picture is never a cut point.
std::vector<int> expected_cuts(const std::vector<uint8_t>& d, Codec codec) {
  std::vector<int> types;  // nal type of each picture's first slice, decoding order
  for (size_t i = 0; i + 5 < d.size(); ++i) {
    if (!(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)) continue;
    if (codec == Codec::kH264) {
      const int t = d[i + 3] & 31;
      if ((t == 1 || t == 5) && (d[i + 4] & 0x80)) types.push_back(t);  // first_mb_in_slice == 0
    } else {
      const int t = (d[i + 3] >> 1) & 63;
      if (t < 32 && (d[i + 5] & 0x80)) types.push_back(t);  // first_slice_segment_in_pic_flag
    }
    i += 2;
  }
  std::vector<int> cuts;
  for (size_t k = 1; k < types.size(); ++k) {
    const int t = types[k];
    if (codec == Codec::kH264) {
      if (t == 5) cuts.push_back(static_cast<int>(k));
      continue;
    }
    if (t < 16 || t > 21) continue;
    bool rasl = false;
    if (t == 21)
      for (size_t j = k + 1; j < types.size() && (types[j] >= 6 && types[j] <= 9); ++j) rasl = rasl || types[j] >= 8;
    if (!rasl) cuts.push_back(static_cast<int>(k));
  }
  return cuts;
}

void check_stream(const std::string& path, Codec codec) {
  const std::vector<uint8_t> d = read_file(path);
  check(!d.empty(), path + ": read");
  const DecodeOptions options = all_maps();
  const std::vector<PictureResult> whole = decode(d.data(), d.size(), codec, options);

  SegmentPlanner planner(codec, options.limits);
  std::vector<CutPoint> cuts;
  int64_t planned = 0;
  bool monotonic = true;
  auto take = [&] {
    CutPoint c;
    while (planner.next(c)) {
      monotonic = monotonic && c.byte_offset >= planned;  // never behind what was said to be planned
      cuts.push_back(std::move(c));
    }
    const int64_t p = planner.planned_offset();
    monotonic = monotonic && p >= planned;
    planned = p;
  };
  for (size_t at = 0; at < d.size(); at += 4096) {
    planner.push(d.data() + at, std::min<size_t>(4096, d.size() - at));
    take();
  }
  planner.finish();
  take();
  check(monotonic, path + ": cut points are never before the offset planned earlier");
  check(!planner.failed(), path + ": planning did not fail");

  std::vector<int> found;
  for (const CutPoint& c : cuts) found.push_back(c.start.decode_index);
  const std::vector<int> expected = expected_cuts(d, codec);
  check(found == expected, path + ": cut points at the IRAP pictures without RASL pictures (" +
                               std::to_string(found.size()) + " found, " + std::to_string(expected.size()) + " expected)");

  // Each segment with a fresh decoder, and all of them with one decoder restarted at each cut
  // (StreamDecoder::restart keeps its memory).
  for (bool restarted : {false, true}) {
    DecodeOptions o = options;
    StreamDecoder reused(o, codec);
    std::vector<PictureResult> joined;
    for (size_t k = 0; k <= cuts.size(); ++k) {
      const size_t from = k == 0 ? 0 : static_cast<size_t>(cuts[k - 1].byte_offset);
      const size_t to = k < cuts.size() ? static_cast<size_t>(cuts[k].byte_offset) : d.size();
      std::vector<uint8_t> segment = k == 0 ? std::vector<uint8_t>() : cuts[k - 1].parameter_sets;
      segment.insert(segment.end(), d.begin() + static_cast<std::ptrdiff_t>(from), d.begin() + static_cast<std::ptrdiff_t>(to));
      if (k > 0) o.start = cuts[k - 1].start;
      std::vector<PictureResult> pictures;
      if (restarted) {
        if (k > 0) reused.restart(o.start);
        PictureResult p;
        reused.push(segment.data(), segment.size());
        reused.finish();
        while (reused.next(p)) pictures.push_back(std::move(p));
      } else {
        pictures = decode(segment.data(), segment.size(), codec, o);
      }
      for (PictureResult& p : pictures) joined.push_back(std::move(p));
    }
    bool same = joined.size() == whole.size();
    std::string why = same ? "" : "picture count " + std::to_string(joined.size()) + " vs " + std::to_string(whole.size());
    for (size_t i = 0; same && i < whole.size(); ++i) {
      same = same_picture(joined[i], whole[i], why);
      if (!same) why = "output picture " + std::to_string(i) + ": " + why;
    }
    check(same, path + ": " + std::to_string(cuts.size() + 1) + " segments decode as the whole stream" +
                    (restarted ? " (one decoder, restarted)" : "") + (why.empty() ? "" : " (" + why + ")"));
  }
}

// One pass or segment by segment over possibly corrupt bytes: the pictures until the first error,
// and that error (code, byte offset in the whole stream, picture).
struct Outcome {
  std::vector<PictureResult> pictures;
  bool failed = false;
  ErrorCode code = ErrorCode::kTruncated;  // read only when failed
  int64_t byte_offset = -1;
  int picture = -1;
};

void record(const ParseError& e, int64_t shift, Outcome& out) {
  out.failed = true;
  out.code = e.code();
  out.byte_offset = e.byte_offset < 0 ? -1 : e.byte_offset + shift;
  out.picture = e.picture;
}

Outcome one_pass(const std::vector<uint8_t>& d, Codec codec, const DecodeOptions& options) {
  Outcome out;
  try {
    out.pictures = decode(d.data(), d.size(), codec, options);
  } catch (const ParseError& e) {
    record(e, 0, out);
  }
  return out;
}

Outcome in_segments(const std::vector<uint8_t>& d, Codec codec, const DecodeOptions& options) {
  SegmentPlanner planner(codec, options.limits);
  for (size_t at = 0; at < d.size(); at += 4096) planner.push(d.data() + at, std::min<size_t>(4096, d.size() - at));
  planner.finish();
  std::vector<CutPoint> cuts;
  CutPoint c;
  while (planner.next(c)) cuts.push_back(std::move(c));
  Outcome out;
  StreamDecoder decoder(options, codec);
  for (size_t k = 0; k <= cuts.size() && !out.failed; ++k) {
    const size_t from = k == 0 ? 0 : static_cast<size_t>(cuts[k - 1].byte_offset);
    const size_t to = k < cuts.size() ? static_cast<size_t>(cuts[k].byte_offset) : d.size();
    std::vector<uint8_t> segment = k == 0 ? std::vector<uint8_t>() : cuts[k - 1].parameter_sets;
    const int64_t prefix = static_cast<int64_t>(segment.size());
    segment.insert(segment.end(), d.begin() + static_cast<std::ptrdiff_t>(from), d.begin() + static_cast<std::ptrdiff_t>(to));
    if (k > 0) decoder.restart(cuts[k - 1].start);
    PictureResult p;
    try {
      for (size_t at = 0; at < segment.size(); at += 65536) {
        decoder.push(segment.data() + at, std::min<size_t>(65536, segment.size() - at));
        while (decoder.next(p)) out.pictures.push_back(std::move(p));
      }
      decoder.finish();
      while (decoder.next(p)) out.pictures.push_back(std::move(p));
    } catch (const ParseError& e) {
      record(e, static_cast<int64_t>(from) - prefix, out);
      // Found at the segment's end (no NAL unit at hand): where one pass finds it, the next
      // picture's first slice.
      if (e.byte_offset < 0 && k < cuts.size()) out.byte_offset = cuts[k].first_slice_offset;
    }
  }
  return out;
}

// Corrupt copies of a stream (bytes overwritten, a run zeroed, the end cut off): segments give the
// one-pass error (same code, byte offset and picture) after at least the one-pass pictures, those
// identical; without an error, the same pictures.
void check_corrupt(const std::string& path, Codec codec) {
  const std::vector<uint8_t> clean = read_file(path);
  DecodeOptions options;
  options.motion = options.bits = true;
  uint32_t seed = 2463534242u;
  auto rnd = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
  };
  int agreed = 0, errors = 0;
  const int kCopies = 24;
  for (int n = 0; n < kCopies; ++n) {
    std::vector<uint8_t> d = clean;
    const size_t at = 64 + rnd() % (d.size() - 64);
    switch (n % 3) {
      case 0:
        for (int i = 0; i < 4 && at + i < d.size(); ++i) d[at + i] = static_cast<uint8_t>(rnd());
        break;
      case 1:
        for (size_t i = at; i < std::min(d.size(), at + 48); ++i) d[i] = 0;
        break;
      default:
        d.resize(at);
    }
    const Outcome a = one_pass(d, codec, options);
    const Outcome b = in_segments(d, codec, options);
    bool same = a.failed == b.failed && b.pictures.size() >= a.pictures.size() &&
                (a.failed || b.pictures.size() == a.pictures.size());
    if (a.failed && b.failed) same = same && a.code == b.code && a.byte_offset == b.byte_offset && a.picture == b.picture;
    std::string why;
    for (size_t i = 0; same && i < a.pictures.size(); ++i) same = same_picture(b.pictures[i], a.pictures[i], why);
    if (!same)
      check(false, path + ": corrupt copy " + std::to_string(n) + " (at " + std::to_string(at) + "): one pass " +
                       (a.failed ? std::string(error_code_name(a.code)) + " at " + std::to_string(a.byte_offset) + " picture " + std::to_string(a.picture) : "ok") +
                       " after " + std::to_string(a.pictures.size()) + " pictures; segments " +
                       (b.failed ? std::string(error_code_name(b.code)) + " at " + std::to_string(b.byte_offset) + " picture " + std::to_string(b.picture) : "ok") +
                       " after " + std::to_string(b.pictures.size()) + (why.empty() ? "" : " (" + why + ")"));
    agreed += same;
    errors += a.failed;
  }
  check(agreed == kCopies, path + ": " + std::to_string(agreed) + " of " + std::to_string(kCopies) + " corrupt copies agree (" +
                               std::to_string(errors) + " with an error)");
}

}  // namespace

int main() {
  const char* hevc[] = {"ctu16_amp", "ctu32_bframes", "custom_lists", "deltaqp_aq", "intra_only", "kvz_tiles",
                        "kvz_wpp_dslices", "lossless_cu", "main10", "merge5_life", "notmvp_weightp", "odd_size",
                        "open_gop", "pan_known", "seed_gop16_224", "seed_gop16_576", "static_bars", "tiny_i",
                        "tiny_ip", "tiny_ipb", "tskip_scaling", "wpp_slices"};
  for (const char* n : hevc) check_stream(std::string("test/fixtures/hevc-corpus/") + n + ".hevc", Codec::kHevc);
  const char* h264[] = {"aq_qp", "baseline_cavlc", "cqm_jvt", "direct_temporal", "high10", "high_partitions_refs",
                        "intra_only", "life", "main_cabac_b", "odd_size", "open_gop_pyramid", "pan_known",
                        "slices_cabac", "slices_cavlc_b", "static", "tiny_ipb", "weightp_fade"};
  for (const char* n : h264) check_stream(std::string("test/fixtures/h264-corpus/") + n + ".h264", Codec::kH264);
  const char* x264[] = {"cavlc_8x8_b", "gray10", "gray_400", "pcm_noise", "poc2_p_only", "slices_pyramid_mmco", "weighted_fade"};
  for (const char* n : x264) check_stream(std::string("test/fixtures/h264-x264/") + n + ".h264", Codec::kH264);
  // Several random-access points (test/fixtures/segments/make.sh): IDR_W_RADL with RADL pictures,
  // CRA with RASL pictures (no cut), CRA pictures continuing a POC past the LSB wrap, H.264 IDR + B.
  for (const char* n : {"idr_radl", "cra_rasl", "cra_poc_wrap"})
    check_stream(std::string("test/fixtures/segments/") + n + ".hevc", Codec::kHevc);
  check_stream("test/fixtures/segments/idr_bframes.h264", Codec::kH264);
  for (const char* n : {"test/fixtures/segments/idr_radl.hevc", "test/fixtures/segments/cra_poc_wrap.hevc",
                        "test/fixtures/hevc-corpus/seed_gop16_224.hevc", "test/fixtures/hevc-corpus/intra_only.hevc"})
    check_corrupt(n, Codec::kHevc);
  for (const char* n : {"test/fixtures/segments/idr_bframes.h264", "test/fixtures/h264-corpus/intra_only.h264"})
    check_corrupt(n, Codec::kH264);
  return codectok::test::report();
}
