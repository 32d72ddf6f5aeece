// Test support for the GPU scoring and selection parity tests: the corpus streams decoded with
// motion, bits and residual, their signal maps (score/signal_maps.cpp) and letterbox geometries
// (src/geometry/output_geometry.ts), and score volumes for the codec policy.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/picture_result.h"
#include "score/score_options.h"
#include "score/signal_maps.h"

namespace codectok::test {

struct DecodedStream {
  std::string name;
  std::vector<PictureResult> pictures;  // output order
};

// Every stream of the corpus (corpus_dir()) decoded with motion, bits and residual planes.
std::vector<DecodedStream> decode_corpus_for_scores();

// letterboxGeometry: the displayed w x h scaled by its longer side onto size x size, centred.
PatchGeometry letterbox_geometry(int w, int h, int size, int patch);

// 1 where the patch lies entirely inside the scaled picture, 0 where it touches padding.
std::vector<uint8_t> content_mask(const PatchGeometry& g);

// 1 for a picture whose slices are all I.
uint8_t is_intra(const PictureResult& p);

CodedFrame coded_frame(const PictureResult& p);

}  // namespace codectok::test
