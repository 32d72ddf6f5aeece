// H.264 golden corpus test: decodes every stream of test/fixtures/h264-corpus
// with StreamDecoder (Codec::kH264) and compares, exactly, with what FFmpeg's decoder
// exported (the corpus README defines the files and the comparison rules):
//  * every 4x4 block has the prediction mode its macroblock type implies
//    (0 intra, 1 inter, 2 P_Skip / B_Skip);
//  * at the top-left 4x4 block of every exported partition, inter_dir equals
//    the exported lists and each vector is equal;
//  * QPY + 6 * (bit_depth - 8) equals the golden QP of every non-PCM macroblock;
//  * the interlaced stream is refused with ErrorCode::kUnsupported naming it.
//
//   test_h264_corpus [NAME...]
//
// FFmpeg's export quirk: it exports the lists of the whole macroblock for
// every partition, so in a partitioned macroblock that uses both lists ('X'
// with '+', '-' or '|') a partition predicted from one list also has a row for
// the other, with vector (0,0). The README states this for B_8x8 ('X+') only,
// but FFmpeg does the same for B 16x8 / 8x16 macroblocks whose two partitions
// use different lists (B_L0_L1_16x8, ...): there, as for 'X+', the parser's
// list set must be a non-empty subset of the exported lists, an exported list
// it does not use must carry (0,0), and a list it uses must match exactly.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analysis/picture_result.h"
#include "bitstream/parse_error.h"
#include "stream/stream_decoder.h"
#include "support/corpus.h"
#include "support/npy.h"

using namespace codectok;
using namespace codectok::test;

namespace {

const char* const kDir = "test/fixtures/h264-corpus";

struct Result {
  bool exact = false;
  std::string detail;
};

Result check_stream(const std::string& name, const JsonValue& entry) {
  Result res;
  const std::string base = std::string(kDir) + "/" + name;
  const int bit_depth = static_cast<int>(entry.at("bit_depth").as_int());
  std::vector<uint8_t> bytes = read_file(base + ".h264");
  DecodeOptions opt;
  opt.motion = true;
  opt.cu = true;
  opt.bits = true;
  std::vector<PictureResult> pics;
  try {
    StreamDecoder dec(opt, Codec::kH264);
    // Feed in uneven chunks: the decoder must not depend on how bytes arrive.
    size_t pos = 0, chunk = 977;
    while (pos < bytes.size()) {
      size_t n = std::min(chunk, bytes.size() - pos);
      dec.push(bytes.data() + pos, n);
      pos += n;
      chunk = chunk * 3 % 4093 + 1;
      PictureResult p;
      while (dec.next(p)) pics.push_back(std::move(p));
    }
    dec.finish();
    PictureResult p;
    while (dec.next(p)) pics.push_back(std::move(p));
  } catch (const ParseError& e) {
    res.detail = std::string("ParseError ") + error_code_name(e.code()) + ": " + e.what() + " (picture " +
                 std::to_string(e.picture) + ", byte " + std::to_string(e.byte_offset) + ")";
    return res;
  }
  std::string frames_text = read_text_file(base + ".frames.json");
  JsonValue frames = parse_json(frames_text);
  const size_t F = frames.as_array().size();
  if (pics.size() != F) {
    res.detail = std::to_string(pics.size()) + " pictures, golden " + std::to_string(F);
    return res;
  }
  NpyArray qp_a = load_npy_gz(base + ".qp.npy.gz");
  NpyArray type_a = load_npy_gz(base + ".mbtype.npy.gz");
  NpyArray mv_a = load_npy_gz(base + ".mv.npy.gz");
  const int mbh = static_cast<int>(qp_a.shape[1]), mbw = static_cast<int>(qp_a.shape[2]);
  std::vector<int16_t> gqp = qp_a.as<int16_t>();
  std::vector<uint8_t> gt = type_a.as<uint8_t>();
  std::vector<int32_t> gmv = mv_a.as<int32_t>();
  const int w4 = mbw * 4;
  std::vector<std::string> errs;
  size_t bad_mode = 0, bad_mv = 0, bad_qp = 0;
  for (size_t f = 0; f < F; ++f) {
    const PictureResult& p = pics[f];
    if (p.width != mbw * 16 || p.height != mbh * 16 || !p.motion || !p.cu) {
      res.detail = "picture " + std::to_string(f) + " has size " + std::to_string(p.width) + "x" +
                   std::to_string(p.height) + " or lacks arrays";
      return res;
    }
    for (int y = 0; y < mbh; ++y) {
      for (int x = 0; x < mbw; ++x) {
        const uint8_t t = gt[((f * mbh + y) * mbw + x) * 2];
        const int want = (t == 'i' || t == 'I' || t == 'P' || t == 'A') ? 0 : (t == 'S' || t == 'd') ? 2 : 1;
        bool ok = true;
        for (int by = 0; by < 4; ++by)
          for (int bx = 0; bx < 4; ++bx)
            if ((*p.motion)[((static_cast<size_t>(y * 4 + by) * w4) + x * 4 + bx) * 8] != want) ok = false;
        if (!ok && ++bad_mode <= 3)
          errs.push_back("frame " + std::to_string(f) + " MB (" + std::to_string(x) + "," + std::to_string(y) +
                         ") type '" + static_cast<char>(t) + "': wrong pred_mode");
        const int q = (*p.cu)[((static_cast<size_t>(y * 2) * mbw * 2) + x * 2) * 4 + 2] + 6 * (bit_depth - 8);
        if (t != 'P' && q != gqp[(f * mbh + y) * mbw + x] && ++bad_qp <= 3)
          errs.push_back("frame " + std::to_string(f) + " MB (" + std::to_string(x) + "," + std::to_string(y) +
                         "): QP " + std::to_string(q) + ", golden " + std::to_string(gqp[(f * mbh + y) * mbw + x]));
      }
    }
  }
  // Motion vectors at each exported partition's top-left 4x4 block.
  std::map<std::tuple<int, int, int>, int> lists;
  std::set<std::tuple<int, int, int>> loose;
  const size_t n = mv_a.shape[0];
  for (size_t r = 0; r < n; ++r) {
    const int32_t* row = &gmv[r * 9];
    const int f = row[0], l = row[1], w = row[2], h = row[3], dx = row[4], dy = row[5], mx = row[6], my = row[7];
    const int y0 = (dy - h / 2) / 4, x0 = (dx - w / 2) / 4;
    auto key = std::make_tuple(f, y0, x0);
    lists[key] |= 1 << l;
    const uint8_t* mbt = &gt[((static_cast<size_t>(f) * mbh + y0 / 4) * mbw + x0 / 4) * 2];
    const bool is_loose = mbt[0] == 'X' && mbt[1] != ' ';
    if (is_loose) loose.insert(key);
    const int16_t* o = &(*pics[f].motion)[(static_cast<size_t>(y0) * w4 + x0) * 8];
    const bool used = (o[1] >> l) & 1;
    const bool ok = (used && o[2 + 2 * l] == mx && o[3 + 2 * l] == my) || (is_loose && !used && mx == 0 && my == 0);
    if (!ok && ++bad_mv <= 5)
      errs.push_back("frame " + std::to_string(f) + " block " + std::to_string(w) + "x" + std::to_string(h) + " at (" +
                     std::to_string(x0 * 4) + "," + std::to_string(y0 * 4) + ") list " + std::to_string(l) +
                     ": inter_dir " + std::to_string(o[1]) + " mv (" + std::to_string(o[2 + 2 * l]) + "," +
                     std::to_string(o[3 + 2 * l]) + "), golden (" + std::to_string(mx) + "," + std::to_string(my) + ")");
  }
  for (const auto& kv : lists) {
    const auto& [f, y0, x0] = kv.first;
    const int d = (*pics[f].motion)[(static_cast<size_t>(y0) * w4 + x0) * 8 + 1];
    const bool bad = loose.count(kv.first) ? (d == 0 || (d & ~kv.second)) : d != kv.second;
    if (bad && ++bad_mv <= 5)
      errs.push_back("frame " + std::to_string(f) + " at (" + std::to_string(x0 * 4) + "," + std::to_string(y0 * 4) +
                     "): inter_dir " + std::to_string(d) + ", golden lists " + std::to_string(kv.second));
  }
  res.exact = bad_mode == 0 && bad_mv == 0 && bad_qp == 0;
  res.detail = std::to_string(F) + " pictures, " + std::to_string(n) + " motion vectors: " + std::to_string(bad_mode) +
               " prediction mode, " + std::to_string(bad_mv) + " motion, " + std::to_string(bad_qp) + " QP mismatches";
  for (const std::string& e : errs) res.detail += "\n    " + e;
  return res;
}

// Residual plane and transform block rows: decoding with them must not change
// the motion field, an intra picture has coded blocks and a non-zero residual,
// and every row is well-formed (luma / chroma, 4x4 or 8x8, levels counted).
bool check_residual_outputs(const std::string& name) {
  std::vector<uint8_t> bytes = read_file(std::string(kDir) + "/" + name + ".h264");
  auto decode = [&](bool extras) {
    DecodeOptions opt;
    opt.residual = opt.tu_stats = extras;
    StreamDecoder dec(opt, Codec::kH264);
    dec.push(bytes.data(), bytes.size());
    dec.finish();
    std::vector<PictureResult> out;
    PictureResult p;
    while (dec.next(p)) out.push_back(std::move(p));
    return out;
  };
  std::vector<PictureResult> plain = decode(false), full = decode(true);
  bool ok = plain.size() == full.size() && !full.empty();
  for (size_t i = 0; ok && i < full.size(); ++i) {
    const PictureResult& p = full[i];
    ok = *p.motion == *plain[i].motion && p.residual && p.tu &&
         p.residual->size() == static_cast<size_t>(p.width) * p.height && p.tu->size() % 13 == 0;
    for (size_t r = 0; ok && r < p.tu->size(); r += 13) {
      const int64_t* row = &(*p.tu)[r];
      ok = row[0] == p.decode_index && row[2] >= 0 && row[2] <= 2 && (row[5] == 2 || row[5] == 3) && row[7] > 0 &&
           row[8] >= row[7] && row[9] >= row[8];
    }
    if (ok && p.slices[0].type == 'I') {
      size_t nonzero = 0;
      for (int16_t v : *p.residual) nonzero += v != 0;
      ok = !p.tu->empty() && nonzero > 0;
    }
  }
  std::printf("%s %s: residual plane and transform block rows (%zu pictures)\n", ok ? "OK" : "FAIL", name.c_str(),
              full.size());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::set<std::string> only(argv + 1, argv + argc);
  JsonValue manifest = parse_json(read_text_file(std::string(kDir) + "/manifest.json"));
  int failed = 0, exact = 0;
  for (const auto& kv : manifest.object) {
    const std::string& name = kv.first;
    if (!only.empty() && !only.count(name)) continue;
    if (name == "interlaced_mbaff") {
      std::vector<uint8_t> bytes = read_file(std::string(kDir) + "/" + name + ".h264");
      std::string msg;
      bool refused = false;
      try {
        StreamDecoder dec(DecodeOptions{}, Codec::kH264);
        dec.push(bytes.data(), bytes.size());
        dec.finish();
      } catch (const ParseError& e) {
        refused = e.code() == ErrorCode::kUnsupported && std::string(e.what()).find("interlaced") != std::string::npos;
        msg = e.what();
      }
      std::printf("%s %s: %s\n", refused ? "REFUSED (ok)" : "FAIL", name.c_str(),
                  refused ? msg.c_str() : "not refused with an 'interlaced' kUnsupported error");
      if (!refused) ++failed;
      continue;
    }
    Result r = check_stream(name, kv.second);
    std::printf("%s %s: %s\n", r.exact ? "EXACT" : "FAIL", name.c_str(), r.detail.c_str());
    if (r.exact) ++exact;
    else ++failed;
  }
  if (only.empty())
    for (const char* name : {"intra_only", "main_cabac_b", "slices_cavlc_b", "cqm_jvt", "high10"})
      if (!check_residual_outputs(name)) ++failed;
  std::printf("%d exact, %d failed\n", exact, failed);
  return failed ? 1 : 0;
}
