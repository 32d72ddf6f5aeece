#include "support/corpus_scores.h"

#include <algorithm>
#include <cmath>

#include "stream/stream_decoder.h"
#include "support/corpus.h"

namespace codectok::test {

std::vector<DecodedStream> decode_corpus_for_scores() {
  std::vector<DecodedStream> out;
  const std::string dir = corpus_dir();
  for (const StreamEntry& e : list_streams(dir)) {
    const std::vector<uint8_t> bytes = read_file(stream_path(dir, e.name, ".hevc"));
    DecodeOptions opt;
    opt.motion = true;
    opt.bits = true;
    opt.cu = false;
    opt.residual = true;
    StreamDecoder dec(opt);
    DecodedStream s;
    s.name = e.name;
    dec.push(bytes.data(), bytes.size());
    dec.finish();
    PictureResult p;
    while (dec.next(p)) {
      s.pictures.push_back(std::move(p));
      p = PictureResult();
    }
    out.push_back(std::move(s));
  }
  return out;
}

PatchGeometry letterbox_geometry(int w, int h, int size, int patch) {
  PatchGeometry g;
  const int grid = size / patch;
  const int S = grid * patch;
  const double scale = static_cast<double>(S) / std::max(w, h);
  g.src_width = w;
  g.src_height = h;
  g.scaled_width = std::min(S, static_cast<int>(std::lround(w * scale)));
  g.scaled_height = std::min(S, static_cast<int>(std::lround(h * scale)));
  g.pad_left = (S - g.scaled_width) / 2;
  g.pad_top = (S - g.scaled_height) / 2;
  g.patch = patch;
  g.grid_h = g.grid_w = grid;
  return g;
}

std::vector<uint8_t> content_mask(const PatchGeometry& g) {
  std::vector<uint8_t> m(static_cast<size_t>(g.grid_h) * g.grid_w);
  for (int y = 0; y < g.grid_h; ++y)
    for (int x = 0; x < g.grid_w; ++x) {
      const bool in_x = x * g.patch >= g.pad_left && (x + 1) * g.patch <= g.pad_left + g.scaled_width;
      const bool in_y = y * g.patch >= g.pad_top && (y + 1) * g.patch <= g.pad_top + g.scaled_height;
      m[static_cast<size_t>(y) * g.grid_w + x] = in_x && in_y ? 1 : 0;
    }
  return m;
}

uint8_t is_intra(const PictureResult& p) {
  for (const SliceInfo& s : p.slices)
    if (s.type != 'I') return 0;
  return 1;
}

CodedFrame coded_frame(const PictureResult& p) {
  CodedFrame f;
  f.width = p.width;
  f.height = p.height;
  f.crop_left = p.crop_left;
  f.crop_right = p.crop_right;
  f.crop_top = p.crop_top;
  f.crop_bottom = p.crop_bottom;
  return f;
}

}  // namespace codectok::test
