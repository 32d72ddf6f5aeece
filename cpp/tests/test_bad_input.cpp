// Robustness: 400 corrupted versions (bit flips, truncation, overwritten runs,
// dropped ranges, garbage with start codes) of 10 corpus streams, 40 each
// (`test_bad_input N` for N each), must either decode or throw
// codectok::ParseError: never crash or throw anything else. Deterministic
// (fixed seed). CI also runs it under AddressSanitizer + UBSan
// (npm run test:sanitize). Then 64 MiB without a start code must be dropped
// as it comes: the largest single allocation stays under 4 MiB.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "support/largest_allocation.h"

using namespace codectok;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

// Returns "ok", "error:<code>" or "other:<what>".
std::string decode(const std::vector<uint8_t>& data, size_t chunk) {
  DecodeOptions o;
  o.tu_stats = true;
  o.residual = true;
  try {
    StreamDecoder dec(o);
    PictureResult r;
    for (size_t i = 0; i < data.size(); i += chunk) {
      dec.push(data.data() + i, std::min(chunk, data.size() - i));
      while (dec.next(r)) {
      }
    }
    dec.finish();
    while (dec.next(r)) {
    }
    return "ok";
  } catch (const ParseError& e) {
    return std::string("error:") + error_code_name(e.code());
  } catch (const std::exception& e) {
    return std::string("other:") + e.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir_env = std::getenv("CODECTOK_CORPUS");
  std::string dir = dir_env ? dir_env : "test/fixtures/hevc-corpus";
  int iterations = argc > 1 ? std::atoi(argv[1]) : 40;
  const char* streams[] = {"tiny_ipb", "ctu16_amp", "kvz_tiles", "kvz_wpp_dslices", "lossless_cu",
                           "tskip_scaling", "open_gop", "custom_lists", "main10", "odd_size"};
  std::mt19937 rng(12345);
  int passed = 0, failed = 0;
  for (const char* name : streams) {
    std::vector<uint8_t> base = read_file(dir + "/" + name + ".hevc");
    if (base.empty()) {
      std::printf("FAIL %s: cannot read\n", name);
      ++failed;
      continue;
    }
    int others = 0;
    for (int it = 0; it < iterations; ++it) {
      std::vector<uint8_t> d = base;
      switch (it % 5) {
        case 0: {  // flip random bits
          int flips = 1 + static_cast<int>(rng() % 8);
          for (int k = 0; k < flips; ++k) d[rng() % d.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        }
        case 1:  // truncate
          d.resize(rng() % d.size());
          break;
        case 2: {  // overwrite a run with random bytes
          size_t at = rng() % d.size(), len = std::min<size_t>(1 + rng() % 64, d.size() - at);
          for (size_t k = 0; k < len; ++k) d[at + k] = static_cast<uint8_t>(rng());
          break;
        }
        case 3: {  // drop a range (loses NAL units or parts of them)
          size_t at = rng() % d.size(), len = std::min<size_t>(1 + rng() % 4096, d.size() - at);
          d.erase(d.begin() + static_cast<std::ptrdiff_t>(at), d.begin() + static_cast<std::ptrdiff_t>(at + len));
          break;
        }
        default: {  // pure garbage with start codes
          d.assign(1 + rng() % 20000, 0);
          for (auto& b : d) b = static_cast<uint8_t>(rng());
          for (int k = 0; k < 20; ++k) {
            size_t at = rng() % d.size();
            if (at + 3 < d.size()) d[at] = 0, d[at + 1] = 0, d[at + 2] = 1;
          }
          break;
        }
      }
      std::string r = decode(d, 1 + rng() % 70000);
      if (r.rfind("other:", 0) == 0) {
        std::printf("  %s iteration %d: unexpected exception %s\n", name, it, r.c_str());
        ++others;
      }
    }
    if (others) {
      std::printf("FAIL %s (%d non-ParseError exceptions)\n", name, others);
      ++failed;
    } else {
      std::printf("PASS %s (%d corrupted variants)\n", name, iterations);
      ++passed;
    }
  }
  {
    // 64 MiB without a single start code, in 1 MiB chunks: dropped as it
    // comes, so nothing near its size is ever allocated; no picture, no crash.
    std::vector<uint8_t> junk(size_t{64} << 20);
    for (auto& b : junk) b = static_cast<uint8_t>(1 + rng() % 255);
    codectok::test::reset_largest_allocation();
    std::string r = decode(junk, size_t{1} << 20);
    const size_t largest = codectok::test::largest_allocation();
    if (r.rfind("other:", 0) == 0 || largest >= (size_t{4} << 20)) {
      std::printf("FAIL garbage without start codes: %s, largest allocation %zu bytes\n", r.c_str(), largest);
      ++failed;
    } else {
      std::printf("PASS garbage without start codes (%s, largest allocation %zu bytes)\n", r.c_str(), largest);
      ++passed;
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
