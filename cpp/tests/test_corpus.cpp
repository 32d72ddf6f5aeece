// Golden corpus test: decodes every stream of test/fixtures/hevc-corpus with
// StreamDecoder and compares, exactly, what it reports with what the reference
// decoder saw (README.md of the corpus defines every file).
//
//   test_corpus [--max-report N] [--no-residual] [--list] [NAME...]
//
// NAME...        only these streams (default: every stream of manifest.json)
// --max-report N detail lines per array per stream (default 10); totals are
//                always counted. Per-frame count lines are always printed.
// --no-residual  do not ask for / compare the luma residual planes
// --list         list the corpus streams and exit
// CODECTOK_CORPUS=dir overrides the corpus directory (default
// test/fixtures/hevc-corpus, relative to the repository root where ctest runs).
//
// Mismatch report conventions:
//  * a frame is named "out=O poc=P dec=D" with the GOLDEN output index, POC and
//    decode index; frames are examined in decoding order, so the first detail
//    line of an array is in the earliest-decoded wrong picture (usually the
//    root cause: later pictures inherit wrong references / motion);
//  * motion positions are 4x4 block indices "blk4 y= x=", cu positions 8x8
//    block indices "blk8 y= x=", both with the luma sample position; residual
//    is reported per 8x8 block (first sample, count, max |diff|), and the first
//    wrong block is dumped as two 8x8 matrices;
//  * tu rows are grouped by picture (decode index) and compared in order; the
//    first differing row of each picture is printed with column names.
// The last line is "N passed, N failed"; the exit status is 1 if any failed.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/picture_result.h"
#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "support/corpus.h"
#include "support/npy.h"

using codectok::DecodeOptions;
using codectok::ParseError;
using codectok::PictureResult;
using codectok::StreamDecoder;
using namespace codectok::test;

namespace {

struct Args {
  std::vector<std::string> names;
  size_t max_report = 10;
  bool residual = true;
  bool list = false;
};

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof(buf), f, ap);
  va_end(ap);
  return buf;
}

// "[0-3,5,7-9]"
std::string ranges(const std::set<int>& s) {
  std::string out = "[";
  auto it = s.begin();
  bool first = true;
  while (it != s.end()) {
    int a = *it, b = a;
    auto next = std::next(it);
    while (next != s.end() && *next == b + 1) {
      b = *next;
      ++next;
    }
    if (!first) out += ",";
    first = false;
    out += (a == b) ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
    it = next;
  }
  return out + "]";
}

template <typename T>
std::string list_str(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(v[i]);
  }
  return out + "]";
}

// Caps the number of detail lines of one array of one stream.
class Limiter {
 public:
  Limiter(const char* what, size_t max) : what_(what), max_(max) {}
  bool take() {
    if (shown_ < max_) {
      ++shown_;
      return true;
    }
    if (!announced_) {
      announced_ = true;
      std::printf("    ... (more %s mismatch details not shown; --max-report N)\n", what_);
    }
    return false;
  }

 private:
  const char* what_;
  size_t max_;
  size_t shown_ = 0;
  bool announced_ = false;
};

struct Tally {
  uint64_t count = 0;     // mismatching values / rows
  std::set<int> frames;   // golden out indices
  std::string extra;      // e.g. "not produced for 3 frames"
};

const char* const kMotionFields[8] = {"pred_mode", "inter_dir", "mv0x", "mv0y",
                                      "mv1x", "mv1y", "ref_poc0", "ref_poc1"};
const char* const kCuFields[4] = {"log2_cb_size", "part_mode", "qp_y", "pred_mode"};
const char* const kTuColumns[13] = {"decode_index", "poc", "cIdx", "x0", "y0", "log2_size", "pred_mode",
                                    "nnz", "sum_abs", "sum_sq", "hash", "qp", "flags"};

struct Pair {
  int g;  // golden index (= out index)
  int p;  // index in the decoder's output
};

class StreamTest {
 public:
  StreamTest(const Args& args, const std::string& dir, const StreamEntry& entry)
      : args_(args), dir_(dir), e_(entry) {}

  bool run() {
    std::printf("== %s", e_.name.c_str());
    if (e_.from_manifest)
      std::printf(" (%dx%d %s, %d frames, %" PRId64 " bytes)", e_.width, e_.height, e_.pix_fmt.c_str(), e_.frames,
                  e_.bytes);
    if (!e_.note.empty()) std::printf(": %s", e_.note.c_str());
    std::printf("\n");
    try {
      if (load_golden()) {
        decode();
        make_pairs();
        check_frames();
        compare_blocks("motion", motion_, motion_v_, 4, kMotionFields, &PictureResult::motion, motion_t_);
        compare_blocks("cu", cu_, cu_v_, 8, kCuFields, &PictureResult::cu, cu_t_);
        compare_tu();
        if (have_residual_) compare_residual();
      }
    } catch (const std::exception& ex) {
      std::printf("  HARNESS ERROR: %s\n", ex.what());
      problems_.push_back(std::string("harness error: ") + ex.what());
    }
    summarize();
    std::fflush(stdout);
    return problems_.empty();
  }

 private:
  // ------------------------------------------------------------ golden data
  bool load_golden() {
    const auto t0 = Clock::now();
    try {
      stream_ = read_file(stream_path(dir_, e_.name, ".hevc"));
      frames_ = load_frames_json(stream_path(dir_, e_.name, ".frames.json"));
      motion_ = load_npy_gz(stream_path(dir_, e_.name, ".motion.npy.gz"));
      cu_ = load_npy_gz(stream_path(dir_, e_.name, ".cu.npy.gz"));
      tu_ = load_npy_gz(stream_path(dir_, e_.name, ".tu.npy.gz"));
      const std::string rpath = stream_path(dir_, e_.name, ".residual.npy.gz");
      if (args_.residual && file_exists(rpath)) {
        residual_ = load_npy_gz(rpath);
        have_residual_ = true;
      } else if (args_.residual && e_.residual_given) {
        throw std::runtime_error("manifest says residual_given but " + rpath + " is missing");
      }
      const int64_t F = static_cast<int64_t>(frames_.size());
      auto check = [&](const NpyArray& a, const char* what, const char* dtype, size_t rank, int64_t last) {
        if (a.dtype != dtype || a.shape.size() != rank || (rank > 2 && a.shape[0] != F) ||
            (last > 0 && a.shape.back() != last))
          throw std::runtime_error(std::string("golden ") + what + " has dtype " + a.dtype + " shape " +
                                   a.shape_string() + " (frames.json lists " + std::to_string(F) + " frames)");
      };
      check(motion_, "motion", "<i2", 4, 8);
      check(cu_, "cu", "<i2", 4, 4);
      check(tu_, "tu", "<i8", 2, 13);
      if (have_residual_) check(residual_, "residual", "<i2", 3, 0);
      if (e_.from_manifest && F != e_.frames)
        throw std::runtime_error("frames.json has " + std::to_string(F) + " entries, manifest says " +
                                 std::to_string(e_.frames));
      motion_v_ = motion_.as<int16_t>();
      cu_v_ = cu_.as<int16_t>();
      tu_v_ = tu_.as<int64_t>();
      if (have_residual_) residual_v_ = residual_.as<int16_t>();
    } catch (const std::exception& ex) {
      std::printf("  cannot load golden data: %s\n", ex.what());
      problems_.push_back(std::string("golden data: ") + ex.what());
      return false;
    }
    golden_ms_ = ms_since(t0);
    return true;
  }

  // ------------------------------------------------------------ decoding
  void decode() {
    DecodeOptions opt;
    opt.motion = true;
    opt.cu = true;
    opt.tu_stats = true;
    opt.residual = args_.residual;
    // Odd chunk sizes, including 1-byte pushes, so that start codes and NAL
    // units straddle push() boundaries. Each chunk lives in a scratch buffer
    // that is scribbled over after push(): the decoder must copy what it keeps.
    static const size_t kChunks[] = {1, 3, 7, 4093, 2, 65537, 13, 1021, 5, 16411, 1, 131071};
    const size_t limit = frames_.size() * 2 + 64;
    std::vector<uint8_t> scratch;
    size_t off = 0, k = 0;
    const char* stage = "constructor";
    const auto t0 = Clock::now();
    try {
      StreamDecoder dec(opt);
      auto drain = [&]() {
        PictureResult pic;
        while (dec.next(pic)) {
          pics_.push_back(std::move(pic));
          pic = PictureResult();
          if (pics_.size() > limit)
            throw std::runtime_error("decoder returned more than " + std::to_string(limit) + " pictures; stopped");
        }
      };
      while (off < stream_.size()) {
        const size_t n = std::min(kChunks[k++ % (sizeof(kChunks) / sizeof(kChunks[0]))], stream_.size() - off);
        scratch.assign(stream_.begin() + static_cast<std::ptrdiff_t>(off),
                       stream_.begin() + static_cast<std::ptrdiff_t>(off + n));
        stage = "push";
        dec.push(scratch.data(), n);
        std::fill(scratch.begin(), scratch.end(), uint8_t(0xA5));
        off += n;
        stage = "next (after push)";
        drain();
      }
      stage = "finish";
      dec.finish();
      stage = "next (after finish)";
      drain();
    } catch (const ParseError& pe) {
      const std::string what =
          fmt("%s at byte_offset %" PRId64 " picture %d", codectok::error_code_name(pe.code()), pe.byte_offset,
              pe.picture);
      std::printf("  ERROR: ParseError %s: %s\n", what.c_str(), pe.what());
      std::printf("         thrown by %s; bytes pushed so far [0, %zu) of %zu; %zu pictures output before it\n",
                  stage, off, stream_.size(), pics_.size());
      problems_.push_back("error: " + what + " (" + pe.what() + ")");
    } catch (const std::exception& ex) {
      std::printf("  ERROR: exception from %s: %s (bytes pushed [0, %zu) of %zu; %zu pictures output)\n", stage,
                  ex.what(), off, stream_.size(), pics_.size());
      problems_.push_back(std::string("error: exception from ") + stage + ": " + ex.what());
    }
    decode_ms_ = ms_since(t0);
    std::printf("  decoded %zu of %zu pictures in %.1f ms (%zu bytes, %zu chunks); golden data loaded in %.1f ms\n",
                pics_.size(), frames_.size(), decode_ms_, stream_.size(), k, golden_ms_);
  }

  // Golden frame <-> decoded picture. By decode_index when every decoded
  // picture names a distinct golden decode_index, else by position.
  void make_pairs() {
    std::map<int, int> by_dec;
    for (size_t g = 0; g < frames_.size(); ++g) by_dec[frames_[g].decode_index] = static_cast<int>(g);
    std::vector<Pair> pairs;
    std::set<int> used;
    bool bijective = true;
    for (size_t p = 0; p < pics_.size(); ++p) {
      auto it = by_dec.find(pics_[p].decode_index);
      if (it == by_dec.end() || used.count(it->second)) {
        bijective = false;
        continue;
      }
      used.insert(it->second);
      pairs.push_back({it->second, static_cast<int>(p)});
    }
    if (bijective) {
      positional_ = false;
    } else if (pics_.size() == frames_.size()) {
      positional_ = true;
      pairs.clear();
      for (size_t i = 0; i < pics_.size(); ++i) pairs.push_back({static_cast<int>(i), static_cast<int>(i)});
      std::printf("  note: decode_index values do not match the golden ones; pictures paired by output position\n");
    } else {
      positional_ = false;
      std::printf("  note: pictures paired by decode_index where it matches (%zu of %zu decoded pictures)\n",
                  pairs.size(), pics_.size());
    }
    // Examine in decoding order.
    std::sort(pairs.begin(), pairs.end(),
              [&](const Pair& a, const Pair& b) { return frames_[a.g].decode_index < frames_[b.g].decode_index; });
    pairs_ = pairs;
  }

  std::string label(int g) const {
    const FrameInfo& f = frames_[g];
    return fmt("out=%d poc=%d dec=%d", g, f.poc, f.decode_index);
  }

  // ------------------------------------------------------------ frames.json
  void check_frames() {
    Limiter lim("frames", args_.max_report);
    Tally t;
    std::string count_note, order_note;
    if (pics_.size() != frames_.size()) {
      count_note = fmt("%zu pictures, expected %zu", pics_.size(), frames_.size());
      std::printf("  frames: %s\n", count_note.c_str());
      std::set<int> missing;
      std::set<int> paired;
      for (const Pair& pr : pairs_) paired.insert(pr.g);
      for (size_t g = 0; g < frames_.size(); ++g)
        if (!paired.count(static_cast<int>(g))) missing.insert(static_cast<int>(g));
      if (!missing.empty() && !pics_.empty())
        std::printf("  frames: golden pictures with no decoded counterpart (out index): %s\n", ranges(missing).c_str());
    }
    // Output order: compare the sequence position by position.
    const size_t n = std::min(pics_.size(), frames_.size());
    for (size_t i = 0; i < n; ++i) {
      if (pics_[i].poc != frames_[i].poc || pics_[i].decode_index != frames_[i].decode_index) {
        order_note = fmt("output order differs from out index %zu", i);
        std::vector<int> exp_seq, got_seq;
        for (size_t k = 0; k < frames_.size(); ++k) exp_seq.push_back(frames_[k].poc);
        for (size_t k = 0; k < pics_.size(); ++k) got_seq.push_back(pics_[k].poc);
        if (lim.take())
          std::printf("  frames: output order differs at out index %zu: expected poc %d (dec %d), got poc %d (dec %d)\n"
                      "          expected POCs %s\n          got POCs      %s\n",
                      i, frames_[i].poc, frames_[i].decode_index, pics_[i].poc, pics_[i].decode_index,
                      list_str(exp_seq).c_str(), list_str(got_seq).c_str());
        break;
      }
    }
    const int want_depth = e_.pix_fmt.find("10") != std::string::npos ? 10 : 8;
    for (const Pair& pr : pairs_) {
      const FrameInfo& f = frames_[pr.g];
      const PictureResult& p = pics_[pr.p];
      const std::string where = label(pr.g);
      auto diff = [&](const std::string& field, const std::string& exp, const std::string& got) {
        ++t.count;
        t.frames.insert(pr.g);
        if (lim.take())
          std::printf("  frames %s: %s expected %s got %s\n", where.c_str(), field.c_str(), exp.c_str(), got.c_str());
      };
      auto diff_i = [&](const std::string& field, int64_t exp, int64_t got) {
        if (exp != got) diff(field, std::to_string(exp), std::to_string(got));
      };
      diff_i("poc", f.poc, p.poc);
      if (positional_) diff_i("decode_index", f.decode_index, p.decode_index);
      diff_i("nal_type", f.nal_type, p.nal_type);
      // Geometry, from the golden array shapes and the manifest.
      if (have_residual_) {
        diff_i("height (coded)", residual_.shape[1], p.height);
        diff_i("width (coded)", residual_.shape[2], p.width);
      } else {
        diff_i("ceil(height/4) (coded)", motion_.shape[1], (p.height + 3) / 4);
        diff_i("ceil(width/4) (coded)", motion_.shape[2], (p.width + 3) / 4);
      }
      if (e_.from_manifest) {
        diff_i("displayed width (width-crop_left-crop_right)", e_.width, p.width - p.crop_left - p.crop_right);
        diff_i("displayed height (height-crop_top-crop_bottom)", e_.height, p.height - p.crop_top - p.crop_bottom);
        diff_i("bit_depth", want_depth, p.bit_depth);
      }
      if (p.slices.size() != f.slices.size())
        diff("slice segment count", std::to_string(f.slices.size()), std::to_string(p.slices.size()));
      const size_t ns = std::min(p.slices.size(), f.slices.size());
      for (size_t s = 0; s < ns; ++s) {
        const FrameSliceInfo& es = f.slices[s];
        const codectok::SliceInfo& gs = p.slices[s];
        const std::string pre = fmt("slice[%zu].", s);
        if (es.type != gs.type) diff(pre + "type", std::string(1, es.type), std::string(1, gs.type));
        diff_i(pre + "address", es.address, gs.address);
        diff_i(pre + "dependent", es.dependent, gs.dependent);
        diff_i(pre + "qp_delta", es.qp_delta, gs.qp_delta);
        const std::vector<int32_t> l0(gs.ref_l0.begin(), gs.ref_l0.end()), l1(gs.ref_l1.begin(), gs.ref_l1.end());
        const std::vector<int32_t> e0(es.ref_l0.begin(), es.ref_l0.end()), e1(es.ref_l1.begin(), es.ref_l1.end());
        if (l0 != e0) diff(pre + "ref_l0", list_str(e0), list_str(l0));
        if (l1 != e1) diff(pre + "ref_l1", list_str(e1), list_str(l1));
      }
    }
    std::string s = count_note;
    if (!order_note.empty()) s += (s.empty() ? "" : "; ") + order_note;
    if (t.count) {
      if (!s.empty()) s += "; ";
      s += fmt("%" PRIu64 " field mismatches in frames %s", t.count, ranges(t.frames).c_str());
    }
    frames_summary_ = s;
  }

  // ------------------------------------------------------------ motion / cu
  void compare_blocks(const char* what, const NpyArray& gold_arr, const std::vector<int16_t>& gold, int block_px,
                      const char* const* fields, std::shared_ptr<codectok::HugePageVector<int16_t>> PictureResult::*member,
                      Tally& t) {
    const int BH = static_cast<int>(gold_arr.shape[1]);
    const int BW = static_cast<int>(gold_arr.shape[2]);
    const int C = static_cast<int>(gold_arr.shape[3]);
    const size_t per_frame = size_t(BH) * BW * C;
    Limiter lim(what, args_.max_report);
    int not_produced = 0, wrong_size = 0;
    for (const Pair& pr : pairs_) {
      const std::string where = label(pr.g);
      const int16_t* exp = gold.data() + size_t(pr.g) * per_frame;
      const auto& ptr = pics_[pr.p].*member;
      if (!ptr) {
        ++not_produced;
        t.frames.insert(pr.g);
        t.count += per_frame;
        if (lim.take()) std::printf("  %-6s %s: array not produced (null)\n", what, where.c_str());
        continue;
      }
      if (ptr->size() != per_frame) {
        ++wrong_size;
        t.frames.insert(pr.g);
        t.count += per_frame;
        if (lim.take())
          std::printf("  %-6s %s: %zu values, expected %zu = %d x %d x %d (picture says %dx%d)\n", what,
                      where.c_str(), ptr->size(), per_frame, BH, BW, C, pics_[pr.p].width, pics_[pr.p].height);
        continue;
      }
      const int16_t* got = ptr->data();
      if (std::memcmp(exp, got, per_frame * sizeof(int16_t)) == 0) continue;
      std::vector<uint64_t> per_field(C, 0);
      uint64_t bad_blocks = 0;
      int y0 = BH, y1 = -1, x0 = BW, x1 = -1;
      for (int by = 0; by < BH; ++by) {
        for (int bx = 0; bx < BW; ++bx) {
          const int16_t* e = exp + (size_t(by) * BW + bx) * C;
          const int16_t* g = got + (size_t(by) * BW + bx) * C;
          if (std::memcmp(e, g, C * sizeof(int16_t)) == 0) continue;
          ++bad_blocks;
          y0 = std::min(y0, by), y1 = std::max(y1, by), x0 = std::min(x0, bx), x1 = std::max(x1, bx);
          std::string fields_s, exp_s, got_s;
          for (int c = 0; c < C; ++c) {
            if (c) exp_s += " ", got_s += " ";
            exp_s += std::to_string(e[c]);
            got_s += std::to_string(g[c]);
            if (e[c] != g[c]) {
              ++per_field[c];
              if (!fields_s.empty()) fields_s += ", ";
              fields_s += fmt("%s exp %d got %d", fields[c], e[c], g[c]);
            }
          }
          if (lim.take())
            std::printf("  %-6s %s blk%d y=%d x=%d (luma y=%d x=%d): %s  | exp [%s] got [%s]\n", what, where.c_str(),
                        block_px, by, bx, by * block_px, bx * block_px, fields_s.c_str(), exp_s.c_str(),
                        got_s.c_str());
        }
      }
      uint64_t values = 0;
      std::string counts;
      for (int c = 0; c < C; ++c) {
        values += per_field[c];
        if (per_field[c]) counts += fmt("%s%s %" PRIu64, counts.empty() ? "" : ", ", fields[c], per_field[c]);
      }
      t.count += values;
      t.frames.insert(pr.g);
      std::printf("  %-6s %s: %" PRIu64 " of %d blocks differ, %" PRIu64
                  " values {%s}; luma bbox y %d..%d x %d..%d\n",
                  what, where.c_str(), bad_blocks, BH * BW, values, counts.c_str(), y0 * block_px,
                  (y1 + 1) * block_px - 1, x0 * block_px, (x1 + 1) * block_px - 1);
    }
    std::string extra;
    if (not_produced) extra += fmt("; not produced for %d frames", not_produced);
    if (wrong_size) extra += fmt("; wrong size for %d frames", wrong_size);
    t.extra = extra;
  }

  // ------------------------------------------------------------ residual
  void compare_residual() {
    Tally& t = residual_t_;
    const int H = static_cast<int>(residual_.shape[1]);
    const int W = static_cast<int>(residual_.shape[2]);
    const size_t per_frame = size_t(H) * W;
    Limiter lim("residual", args_.max_report);
    bool dumped = false;
    int not_produced = 0, wrong_size = 0;
    for (const Pair& pr : pairs_) {
      const std::string where = label(pr.g);
      const int16_t* exp = residual_v_.data() + size_t(pr.g) * per_frame;
      const auto& ptr = pics_[pr.p].residual;
      if (!ptr || ptr->size() != per_frame) {
        (!ptr ? not_produced : wrong_size)++;
        t.frames.insert(pr.g);
        t.count += per_frame;
        if (lim.take()) {
          if (!ptr)
            std::printf("  residual %s: array not produced (null)\n", where.c_str());
          else
            std::printf("  residual %s: %zu values, expected %zu = %d x %d\n", where.c_str(), ptr->size(), per_frame,
                        H, W);
        }
        continue;
      }
      const int16_t* got = ptr->data();
      if (std::memcmp(exp, got, per_frame * sizeof(int16_t)) == 0) continue;
      uint64_t bad = 0, bad_blocks = 0;
      int max_diff = 0, y0 = H, y1 = -1, x0 = W, x1 = -1;
      for (int by = 0; by * 8 < H; ++by) {
        for (int bx = 0; bx * 8 < W; ++bx) {
          int n = 0, bmax = 0, fy = -1, fx = -1;
          const int ye = std::min(H, by * 8 + 8), xe = std::min(W, bx * 8 + 8);
          for (int y = by * 8; y < ye; ++y)
            for (int x = bx * 8; x < xe; ++x) {
              const int e = exp[size_t(y) * W + x], g = got[size_t(y) * W + x];
              if (e == g) continue;
              if (n++ == 0) fy = y, fx = x;
              bmax = std::max(bmax, std::abs(e - g));
              y0 = std::min(y0, y), y1 = std::max(y1, y), x0 = std::min(x0, x), x1 = std::max(x1, x);
            }
          if (!n) continue;
          bad += n;
          ++bad_blocks;
          max_diff = std::max(max_diff, bmax);
          if (lim.take()) {
            std::printf("  residual %s blk8 y=%d x=%d (luma y=%d x=%d): %d of %d samples differ, first (y=%d x=%d) "
                        "exp %d got %d, max |diff| %d\n",
                        where.c_str(), by, bx, by * 8, bx * 8, n, (ye - by * 8) * (xe - bx * 8), fy, fx,
                        exp[size_t(fy) * W + fx], got[size_t(fy) * W + fx], bmax);
            if (!dumped) {
              dumped = true;
              std::printf("    expected%*s| got\n", 8 * 7 - 8, "");
              for (int y = by * 8; y < ye; ++y) {
                std::string l = "    ", r;
                for (int x = bx * 8; x < bx * 8 + 8; ++x) l += x < xe ? fmt("%6d ", exp[size_t(y) * W + x]) : "       ";
                for (int x = bx * 8; x < xe; ++x) {
                  const int e = exp[size_t(y) * W + x], g = got[size_t(y) * W + x];
                  r += fmt("%6d%c", g, e == g ? ' ' : '*');
                }
                std::printf("%s| %s\n", l.c_str(), r.c_str());
              }
              std::printf("    (* = differs)\n");
            }
          }
        }
      }
      t.count += bad;
      t.frames.insert(pr.g);
      std::printf("  residual %s: %" PRIu64 " of %zu samples differ in %" PRIu64
                  " 8x8 blocks, max |diff| %d; luma bbox y %d..%d x %d..%d\n",
                  where.c_str(), bad, per_frame, bad_blocks, max_diff, y0, y1, x0, x1);
    }
    std::string extra;
    if (not_produced) extra += fmt("; not produced for %d frames", not_produced);
    if (wrong_size) extra += fmt("; wrong size for %d frames", wrong_size);
    t.extra = extra;
  }

  // ------------------------------------------------------------ tu
  static void print_rows(const int64_t* exp, const int64_t* got) {
    std::string h = "      col:", e = "      exp:", g = "      got:", m = "          ";
    for (int c = 0; c < 13; ++c) {
      const std::string es = exp ? std::to_string(exp[c]) : "-";
      const std::string gs = got ? std::to_string(got[c]) : "-";
      const size_t w = std::max({std::strlen(kTuColumns[c]), es.size(), gs.size()});
      const bool differs = !exp || !got || exp[c] != got[c];
      h += fmt(" %*s", int(w), kTuColumns[c]);
      e += fmt(" %*s", int(w), es.c_str());
      g += fmt(" %*s", int(w), gs.c_str());
      m += " " + std::string(w, differs ? '^' : ' ');
    }
    std::printf("%s\n%s\n%s\n", h.c_str(), e.c_str(), g.c_str());
    if (m.find('^') != std::string::npos) std::printf("%s\n", m.c_str());
  }

  void compare_tu() {
    Tally& t = tu_t_;
    Limiter lim("tu", args_.max_report);
    // Golden rows, grouped by decode index (column 0), in file order.
    std::map<int, std::vector<const int64_t*>> gold;
    const size_t rows = static_cast<size_t>(tu_.shape[0]);
    for (size_t r = 0; r < rows; ++r) gold[static_cast<int>(tu_v_[r * 13])].push_back(&tu_v_[r * 13]);
    std::map<int, size_t> gold_first;  // global row index of each picture's first row
    for (size_t r = rows; r-- > 0;) gold_first[static_cast<int>(tu_v_[r * 13])] = r;
    size_t got_total = 0;
    int not_produced = 0;
    for (const Pair& pr : pairs_) {
      const int dec = frames_[pr.g].decode_index;
      const std::string where = label(pr.g);
      const auto& ptr = pics_[pr.p].tu;
      static const std::vector<const int64_t*> kNone;
      const auto git = gold.find(dec);
      const std::vector<const int64_t*>& exp = git == gold.end() ? kNone : git->second;
      if (!ptr) {
        ++not_produced;
        t.frames.insert(pr.g);
        t.count += exp.size();
        if (lim.take()) std::printf("  tu     %s: rows not produced (null), expected %zu\n", where.c_str(), exp.size());
        continue;
      }
      if (ptr->size() % 13 != 0) {
        t.frames.insert(pr.g);
        t.count += exp.size();
        if (lim.take())
          std::printf("  tu     %s: %zu values, not a multiple of 13 columns\n", where.c_str(), ptr->size());
        continue;
      }
      const size_t n = ptr->size() / 13;
      got_total += n;
      const int64_t* got = ptr->data();
      // 1) First positional difference, printed in full.
      const size_t common = std::min(n, exp.size());
      size_t r = 0;
      while (r < common && std::memcmp(exp[r], got + r * 13, 13 * sizeof(int64_t)) == 0) ++r;
      if (r == common && n == exp.size()) continue;  // identical
      t.frames.insert(pr.g);
      if (lim.take()) {
        const int64_t* e = r < exp.size() ? exp[r] : nullptr;
        const int64_t* g = r < n ? got + r * 13 : nullptr;
        std::string cols;
        if (e && g)
          for (int c = 0; c < 13; ++c)
            if (e[c] != g[c]) cols += fmt("%s%s", cols.empty() ? "" : ", ", kTuColumns[c]);
        const size_t global = (gold_first.count(dec) ? gold_first[dec] : 0) + r;
        std::printf("  tu     %s: first differing row %zu of the picture (golden row %zu of the stream)%s%s\n",
                    where.c_str(), r, global,
                    cols.empty() ? (e ? ": golden row missing from the output" : ": extra row in the output") : ": ",
                    cols.c_str());
        if (r > 0) {
          std::printf("      previous (matching) row:\n");
          print_rows(exp[r - 1], got + (r - 1) * 13);
        }
        print_rows(e, g);
        if (e && g && r + 1 < exp.size() && std::memcmp(exp[r + 1], g, 13 * sizeof(int64_t)) == 0)
          std::printf("      hint: this output row equals golden row %zu: golden row %zu seems MISSING from the output\n",
                      r + 1, r);
        if (e && g && r + 1 < n && std::memcmp(e, got + (r + 1) * 13, 13 * sizeof(int64_t)) == 0)
          std::printf("      hint: this golden row equals output row %zu: output row %zu seems EXTRA\n", r + 1, r);
      }
      // 2) Counts, resynchronising greedily after missing / extra rows
      //    (look-ahead of kWindow rows), so one missing row does not turn
      //    every following row into a mismatch.
      constexpr size_t kWindow = 32;
      auto same = [&](size_t i, size_t j) { return std::memcmp(exp[i], got + j * 13, 13 * sizeof(int64_t)) == 0; };
      uint64_t changed = 0, missing = 0, extra = 0;
      std::vector<uint64_t> per_col(13, 0);
      size_t i = r, j = r;
      while (i < exp.size() || j < n) {
        if (i < exp.size() && j < n && same(i, j)) {
          ++i, ++j;
          continue;
        }
        if (i >= exp.size()) { ++extra, ++j; continue; }
        if (j >= n) { ++missing, ++i; continue; }
        size_t skip_got = 0, skip_exp = 0;  // 0: not found
        for (size_t k = 1; k <= kWindow && j + k < n && !skip_got; ++k)
          if (same(i, j + k)) skip_got = k;
        for (size_t k = 1; k <= kWindow && i + k < exp.size() && !skip_exp; ++k)
          if (same(i + k, j)) skip_exp = k;
        if (skip_got && (!skip_exp || skip_got <= skip_exp)) {
          extra += skip_got, j += skip_got;
        } else if (skip_exp) {
          missing += skip_exp, i += skip_exp;
        } else {
          ++changed;
          for (int c = 0; c < 13; ++c) per_col[c] += exp[i][c] != got[j * 13 + c];
          ++i, ++j;
        }
      }
      t.count += changed + missing + extra;
      std::string cols;
      for (int c = 0; c < 13; ++c)
        if (per_col[c]) cols += fmt("%s%s %" PRIu64, cols.empty() ? "" : ", ", kTuColumns[c], per_col[c]);
      std::printf("  tu     %s: got %zu rows, expected %zu: %" PRIu64 " changed {%s}, %" PRIu64 " missing, %" PRIu64
                  " extra\n",
                  where.c_str(), n, exp.size(), changed, cols.c_str(), missing, extra);
    }
    // Global row totals (informative: includes pictures not decoded).
    if (got_total != rows || !t.frames.empty())
      std::printf("  tu: %zu rows from the decoded pictures, %zu golden rows in the whole stream\n", got_total, rows);
    if (not_produced) t.extra = fmt("; not produced for %d frames", not_produced);
  }

  // ------------------------------------------------------------ summary
  void summarize() {
    auto add = [&](const char* what, const Tally& t, const char* unit) {
      if (!t.count && t.frames.empty() && t.extra.empty()) return;
      problems_.push_back(fmt("%s: %" PRIu64 " %s in frames %s%s", what, t.count, unit, ranges(t.frames).c_str(),
                              t.extra.c_str()));
    };
    add("motion", motion_t_, "mismatches");
    add("cu", cu_t_, "mismatches");
    add("tu", tu_t_, "mismatching rows");
    add("residual", residual_t_, "mismatching samples");
    if (!frames_summary_.empty()) problems_.push_back("frames: " + frames_summary_);
    if (problems_.empty()) {
      std::printf("PASS %s\n", e_.name.c_str());
      return;
    }
    std::string s;
    for (const std::string& p : problems_) s += (s.empty() ? "" : ", ") + p;
    std::printf("FAIL %s (%s)\n", e_.name.c_str(), s.c_str());
  }

  const Args& args_;
  std::string dir_;
  StreamEntry e_;
  std::vector<uint8_t> stream_;
  std::vector<FrameInfo> frames_;
  NpyArray motion_, cu_, tu_, residual_;
  std::vector<int16_t> motion_v_, cu_v_, residual_v_;
  std::vector<int64_t> tu_v_;
  bool have_residual_ = false;
  std::vector<PictureResult> pics_;
  std::vector<Pair> pairs_;
  bool positional_ = false;
  Tally motion_t_, cu_t_, tu_t_, residual_t_;
  std::string frames_summary_;
  std::vector<std::string> problems_;
  double golden_ms_ = 0, decode_ms_ = 0;
};

void usage() {
  std::fprintf(stderr,
               "usage: test_corpus [--max-report N] [--no-residual] [--list] [NAME...]\n"
               "  corpus directory: $CODECTOK_CORPUS or test/fixtures/hevc-corpus\n");
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--max-report" || a.rfind("--max-report=", 0) == 0) {
      std::string v;
      if (a == "--max-report") {
        if (i + 1 >= argc) return usage(), 2;
        v = argv[++i];
      } else {
        v = a.substr(std::strlen("--max-report="));
      }
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0) return usage(), 2;
      args.max_report = static_cast<size_t>(n);
    } else if (a == "--no-residual") {
      args.residual = false;
    } else if (a == "--list") {
      args.list = true;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      usage();
      return 2;
    } else {
      args.names.push_back(a);
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::string dir = corpus_dir();
  std::vector<StreamEntry> all;
  try {
    all = list_streams(dir);
  } catch (const std::exception& ex) {
    std::printf("cannot list the corpus in %s: %s\n0 passed, 1 failed\n", dir.c_str(), ex.what());
    return 1;
  }
  if (all.empty()) {
    std::printf("no streams found in %s (run from the repository root or set CODECTOK_CORPUS)\n0 passed, 1 failed\n",
                dir.c_str());
    return 1;
  }
  if (args.list) {
    for (const StreamEntry& e : all) std::printf("%-18s %s\n", e.name.c_str(), e.note.c_str());
    return 0;
  }
  std::vector<StreamEntry> selected;
  if (args.names.empty()) {
    selected = all;
  } else {
    for (const std::string& n : args.names) {
      auto it = std::find_if(all.begin(), all.end(), [&](const StreamEntry& e) { return e.name == n; });
      if (it == all.end()) {
        std::fprintf(stderr, "unknown stream '%s'; known:", n.c_str());
        for (const StreamEntry& e : all) std::fprintf(stderr, " %s", e.name.c_str());
        std::fprintf(stderr, "\n");
        return 2;
      }
      selected.push_back(*it);
    }
  }
  std::printf("corpus %s: %zu streams%s, --max-report %zu\n", dir.c_str(), selected.size(),
              args.residual ? "" : " (residual not compared)", args.max_report);
  const auto t0 = Clock::now();
  int passed = 0, failed = 0;
  std::vector<std::string> failed_names;
  for (const StreamEntry& e : selected) {
    if (StreamTest(args, dir, e).run()) {
      ++passed;
    } else {
      ++failed;
      failed_names.push_back(e.name);
    }
  }
  std::printf("\ntotal %.2f s", ms_since(t0) / 1000.0);
  if (!failed_names.empty()) {
    std::printf("; failed:");
    for (const std::string& n : failed_names) std::printf(" %s", n.c_str());
  }
  std::printf("\n%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
