// bench_parse FILE [motion|coef|sums|residual] [MAX_BYTES] [hevc|h264] [THREADS]: parses an
// Annex-B HEVC or H.264 file with one StreamDecoder (single thread; HEVC on THREADS frame threads
// when given, DecodeOptions::threads; MAX_BYTES 0: the whole file) and prints
// the picture count and the seconds taken. The codec defaults to H.264 for
// .h264 / .264 / .avc / .jsv files, HEVC otherwise. The workloads are those of `npm run bench:parse`:
//   motion    motion field only
//   coef      motion + CU map + bits + transform-block statistics
//   sums      coef without the levels' hash (tu_hash false: what the addon's scoring asks)
//   residual  motion + CU map + bits + luma residual planes
// MAX_BYTES parses only the start of the file (a short run for
// `valgrind --tool=callgrind`, whose instruction counts are the A/B measure
// of parser changes on a loaded machine).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <strings.h>
#include <fstream>
#include <vector>

#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_parse FILE [motion|coef|sums|residual] [MAX_BYTES] [hevc|h264] [THREADS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 2;
  }
  in.seekg(0, std::ios::end);
  std::vector<uint8_t> data(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  const char* workload = argc > 2 ? argv[2] : "motion";
  if (argc > 3 && std::strtoull(argv[3], nullptr, 10) > 0 && std::strtoull(argv[3], nullptr, 10) < data.size()) {
    // Whole NAL units only: cut at the last start code before MAX_BYTES.
    size_t end = std::strtoull(argv[3], nullptr, 10);
    while (end >= 3 && !(data[end - 3] == 0 && data[end - 2] == 0 && data[end - 1] == 1)) --end;
    data.resize(end >= 3 ? end - 3 : 0);
  }
  codectok::Codec codec = codectok::Codec::kHevc;
  if (argc > 4) {
    if (std::strcmp(argv[4], "h264") == 0) {
      codec = codectok::Codec::kH264;
    } else if (std::strcmp(argv[4], "hevc") != 0) {
      std::fprintf(stderr, "unknown codec %s\n", argv[4]);
      return 2;
    }
  } else {
    const char* dot = std::strrchr(argv[1], '.');
    for (const char* ext : {".h264", ".264", ".avc", ".jsv"}) {
      if (dot && strcasecmp(dot, ext) == 0) codec = codectok::Codec::kH264;
    }
  }
  codectok::DecodeOptions o;
  if (argc > 5) o.threads = std::max(1, std::atoi(argv[5]));
  o.motion = true;
  o.cu = o.bits = o.tu_stats = o.residual = false;
  if (std::strcmp(workload, "coef") == 0 || std::strcmp(workload, "sums") == 0) {
    o.cu = o.bits = o.tu_stats = true;
    o.tu_hash = std::strcmp(workload, "coef") == 0;
  } else if (std::strcmp(workload, "residual") == 0) {
    o.cu = o.bits = o.residual = true;
  } else if (std::strcmp(workload, "motion") != 0) {
    std::fprintf(stderr, "unknown workload %s\n", workload);
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  int pictures = 0;
  try {
    // As the Node addon drives it: at most 8 pictures per call, each released before the next
    // is taken (so the decoder's array pools recycle them).
    o.max_pictures_per_call = 8;
    codectok::StreamDecoder dec(o, codec);
    codectok::PictureResult pic;
    constexpr size_t kChunk = size_t{64} << 10;
    for (size_t pos = 0; pos < data.size(); pos += kChunk) {
      dec.push(data.data() + pos, std::min(kChunk, data.size() - pos));
      for (;;) {
        int taken = 0;
        while (dec.next(pic)) ++taken, pic = codectok::PictureResult();
        pictures += taken;
        if (taken < o.max_pictures_per_call) break;
        dec.push(nullptr, 0);
      }
    }
    for (bool done = false; !done;) {
      done = dec.finish();
      while (dec.next(pic)) ++pictures, pic = codectok::PictureResult();
    }
  } catch (const codectok::ParseError& e) {
    std::fprintf(stderr, "parse error: %s\n", e.what());
    return 1;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s %s: %d pictures in %.3f s (%.1f pictures/s)\n", argv[1], workload, pictures, s, pictures / s);
  return 0;
}
