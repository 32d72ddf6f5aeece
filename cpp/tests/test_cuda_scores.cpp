// GPU scoring and selection (cpp/cuda/score_kernels.cu, select_kernels.cu) against the CPU
// (score/frame_scores.cpp FrameScorer::score, score/select_top_k.cpp) on every stream of the
// golden corpus: levels, raw and normalised per-signal patch scores and fused scores identical
// (no tolerance), for two geometries (14 x 14 and 36 x 36 patches), residual as |residual|
// counts and as the raw int16 plane, with and without bits; then the codec policy's selection
// of every stream's fused volume identical for several budgets and options, all streams in one
// batch; and random volumes with heavy ties. Exits 77 (ctest: skipped) without a CUDA device.
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/gpu_residual.h"
#include "cuda/gpu_scores.h"
#include "cuda/gpu_select.h"
#include "score/frame_scores.h"
#include "score/picture_scores.h"
#include "score/select_top_k.h"
#include "support/check.h"
#include "support/cuda_device.h"
#include "support/corpus_scores.h"

using namespace codectok;
using codectok::test::check;

namespace {

template <typename T>
size_t first_difference(const T* a, const T* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!(a[i] == b[i])) return i;
  return n;
}

struct ClipData {
  std::string name;
  PatchGeometry g;
  CodedFrame frame;
  std::vector<SignalMaps> maps;
  std::vector<cuda::FrameMaps> views;
  std::vector<uint8_t> intra, content;
};

// Scores every stream on the CPU and the GPU (one batch) and compares; fills `fused` (per clip,
// the GPU's fused volume, which equals the CPU's when this passes).
void test_scores(const std::vector<test::DecodedStream>& streams, const ScoringOptions& o, int size, bool raw_plane,
                 const std::string& label, std::vector<ClipData>* keep, std::vector<float>* fused_out) {
  std::vector<ClipData> clips;
  for (const test::DecodedStream& s : streams) {
    if (s.pictures.empty()) continue;
    ClipData c;
    c.name = s.name;
    c.frame = test::coded_frame(s.pictures[0]);
    c.g = test::letterbox_geometry(c.frame.display_width(), c.frame.display_height(), size, 16);
    c.content = test::content_mask(c.g);
    bool uniform = true;
    for (const PictureResult& p : s.pictures) {
      const CodedFrame f = test::coded_frame(p);
      uniform = uniform && f.width == c.frame.width && f.height == c.frame.height && f.crop_left == c.frame.crop_left &&
                f.crop_top == c.frame.crop_top && f.crop_right == c.frame.crop_right && f.crop_bottom == c.frame.crop_bottom;
    }
    if (!uniform) continue;
    c.maps.resize(s.pictures.size());
    for (size_t i = 0; i < s.pictures.size(); ++i) {
      signal_maps(arrays_of(s.pictures[i]), o, c.maps[i]);
      c.intra.push_back(test::is_intra(s.pictures[i]));
    }
    clips.push_back(std::move(c));
  }
  std::vector<cuda::ScoreClip> batch;
  for (size_t ci = 0; ci < clips.size(); ++ci) {
    ClipData& c = clips[ci];
    c.views.resize(c.maps.size());
    for (size_t i = 0; i < c.maps.size(); ++i)
      for (int k = 0; k < kSignalCount; ++k) {
        c.views[i].maps[k] = cuda::view_of(c.maps[i].maps[k]);
        if (raw_plane && k == kSignalResidual && c.views[i].maps[k].kind == cuda::MapKind::kCounts) {
          c.views[i].maps[k].kind = cuda::MapKind::kResidual;
          c.views[i].maps[k].data = nullptr;  // the plane, set below
        }
      }
    batch.push_back({c.g, c.frame, c.views.data(), static_cast<int32_t>(c.views.size())});
  }
  if (raw_plane) {
    // The int16 planes themselves (the GPU takes |x| as abs_residual_map does).
    size_t ci = 0;
    for (const test::DecodedStream& s : streams) {
      if (ci >= clips.size() || s.name != clips[ci].name) continue;
      for (size_t i = 0; i < s.pictures.size(); ++i)
        if (clips[ci].views[i].maps[kSignalResidual].kind == cuda::MapKind::kResidual)
          clips[ci].views[i].maps[kSignalResidual].data = s.pictures[i].residual->data();
      ++ci;
    }
  }
  cuda::GpuScorer gpu;
  gpu.score(o, batch.data(), batch.size(), false);
  cuda::BatchScores got;
  gpu.download(got);
  size_t f = 0, frames = 0, failures = 0;
  for (ClipData& c : clips) {
    FrameScorer cpu(o, c.g, c.frame);
    for (size_t i = 0; i < c.maps.size(); ++i, ++f) {
      FrameScores want;
      cpu.score(c.maps[i], want);
      const size_t S = want.fused.size(), at = got.offset[f];
      bool same = first_difference(want.fused.data(), got.fused.data() + at, S) == S;
      for (int k = 0; k < kSignalCount; ++k) {
        same = same && (want.has[k] == (got.has[k][f] != 0));
        if (!want.has[k]) continue;
        same = same && want.level[k] == got.level[k][f] &&
               first_difference(want.raw[k].data(), got.raw[k].data() + at, S) == S &&
               first_difference(want.norm[k].data(), got.norm[k].data() + at, S) == S;
      }
      ++frames;
      if (!same && failures++ < 5)
        check(false, label + ": " + c.name + " frame " + std::to_string(i) + ": GPU scores differ from the CPU's");
    }
    if (fused_out) fused_out->insert(fused_out->end(), got.fused.begin() + static_cast<std::ptrdiff_t>(got.offset[f - c.maps.size()]),
                                     got.fused.begin() + static_cast<std::ptrdiff_t>(got.offset[f - c.maps.size()] + c.maps.size() * c.g.grid_h * c.g.grid_w));
  }
  check(failures == 0, label + ": " + std::to_string(frames) + " frames of " + std::to_string(clips.size()) +
                           " streams identical (" + std::to_string(failures) + " differ)");
  std::printf("%s: %zu frames of %zu streams compared, %zu differ\n", label.c_str(), frames, clips.size(), failures);
  if (keep) *keep = std::move(clips);
}

void compare_selection(const std::vector<float>& scores, const std::vector<TopKVolume>& vols, const TopKOptions& o,
                       const std::string& label) {
  std::vector<cuda::SelectClip> sc;
  size_t offset = 0;
  for (const TopKVolume& v : vols) {
    cuda::SelectClip c;
    c.T = v.T;
    c.grid_h = v.grid_h;
    c.grid_w = v.grid_w;
    c.score_offset = offset;
    c.intra = v.intra;
    c.content = v.content;
    c.is_static = v.is_static;
    sc.push_back(c);
    offset += static_cast<size_t>(v.T) * v.grid_h * v.grid_w;
  }
  cuda::GpuSelector gpu;
  std::vector<std::vector<int32_t>> flat;
  gpu.select(scores.data(), false, scores.size(), sc.data(), sc.size(), o, flat);
  size_t differ = 0;
  for (size_t i = 0; i < vols.size(); ++i) {
    const TopKSelection want = select_top_k(vols[i], o);
    if (want.flat != flat[i] && differ++ < 3)
      check(false, label + ": clip " + std::to_string(i) + " selection differs (" + std::to_string(want.flat.size()) +
                       " CPU rows, " + std::to_string(flat[i].size()) + " GPU rows)");
  }
  check(differ == 0, label + ": " + std::to_string(vols.size()) + " selections identical");
}

void test_corpus_selection(std::vector<ClipData>& clips, const std::vector<float>& fused) {
  std::vector<TopKVolume> vols;
  size_t offset = 0;
  for (ClipData& c : clips) {
    TopKVolume v;
    v.T = static_cast<int>(c.maps.size());
    v.grid_h = c.g.grid_h;
    v.grid_w = c.g.grid_w;
    v.scores = fused.data() + offset;
    v.intra = c.intra.data();
    v.content = c.content.data();
    vols.push_back(v);
    offset += static_cast<size_t>(v.T) * v.grid_h * v.grid_w;
  }
  int cases = 0;
  for (int64_t budget : {1, 37, 196, 500, 2048, 100000})
    for (IFramePolicy ip : {IFramePolicy::kZero, IFramePolicy::kDense, IFramePolicy::kScore})
      for (bool keep_first : {true, false})
        for (bool pad : {true, false})
          for (bool stat : {false, true}) {
            TopKOptions o;
            o.budget = budget;
            o.iframes = ip;
            o.keep_first = keep_first;
            o.padding_exclude = pad;
            for (TopKVolume& v : vols) v.is_static = stat;
            compare_selection(fused, vols, o, "corpus selection budget " + std::to_string(budget) + " case " + std::to_string(cases++));
          }
  std::printf("corpus selection: %d option sets x %zu streams compared\n", cases, vols.size());
}

void test_random_selection() {
  std::mt19937 rng(7);
  std::vector<float> scores;
  std::vector<std::vector<uint8_t>> intra, content;
  std::vector<TopKVolume> vols;
  const int shapes[][3] = {{64, 36, 36}, {16, 14, 14}, {3, 5, 7}, {1, 2, 2}, {40, 20, 30}};
  for (int rep = 0; rep < 4; ++rep)
    for (const auto& sh : shapes) {
      const int T = sh[0], S = sh[1] * sh[2];
      const int levels = rep == 0 ? 3 : rep == 1 ? 50 : 1 << 20;  // many ties, some, few
      std::uniform_int_distribution<int> q(0, levels - 1);
      for (int i = 0; i < T * S; ++i) scores.push_back(static_cast<float>(q(rng)) / static_cast<float>(levels - 1 > 0 ? levels - 1 : 1));
      std::vector<uint8_t> in(T), co(S);
      for (auto& x : in) x = rng() % 5 == 0;
      for (auto& x : co) x = rng() % 6 != 0;
      intra.push_back(in);
      content.push_back(co);
      TopKVolume v;
      v.T = T;
      v.grid_h = sh[1];
      v.grid_w = sh[2];
      vols.push_back(v);
    }
  size_t offset = 0;
  for (size_t i = 0; i < vols.size(); ++i) {
    vols[i].scores = scores.data() + offset;
    vols[i].intra = intra[i].data();
    vols[i].content = content[i].data();
    offset += static_cast<size_t>(vols[i].T) * vols[i].grid_h * vols[i].grid_w;
  }
  for (int64_t budget : {1, 5, 1296, 4000, 20736}) {
    TopKOptions o;
    o.budget = budget;
    compare_selection(scores, vols, o, "random volumes budget " + std::to_string(budget));
    o.iframes = IFramePolicy::kScore;
    o.padding_exclude = false;
    compare_selection(scores, vols, o, "random volumes, iframes score, padding include, budget " + std::to_string(budget));
  }
}

}  // namespace

int main() {
  if (!test::cuda_device_present()) return 77;
  try {
    const std::vector<test::DecodedStream> streams = test::decode_corpus_for_scores();
    ScoringOptions o;  // motion (median compensation) + |residual|
    std::vector<ClipData> clips;
    std::vector<float> fused;
    test_scores(streams, o, 576, false, "scores 36x36, motion + |residual|", &clips, &fused);
    test_scores(streams, o, 576, true, "scores 36x36, residual from int16 planes", nullptr, nullptr);
    ScoringOptions ob = o;
    ob.weights[kSignalBits] = 0.5;
    ob.compensation = Compensation::kAffine;
    ob.percentile = 90;
    test_scores(streams, ob, 224, false, "scores 14x14, motion (affine) + |residual| + bits, p90", nullptr, nullptr);
    test_corpus_selection(clips, fused);
    test_random_selection();
  } catch (const std::exception& e) {
    check(false, std::string("unexpected exception: ") + e.what());
  }
  return codectok::test::report();
}
