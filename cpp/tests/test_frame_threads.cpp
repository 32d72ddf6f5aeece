// HEVC pictures decoded on several threads at once (DecodeOptions::threads, frame threads,
// stream/hevc_picture_pipeline.h) give what one thread gives, exactly: every picture's fields,
// slices and arrays (motion, CU map, bits, residual, transform rows), in the same order, and the
// same error (code, message, byte offset, picture) after the same pictures (those taken and those
// left in the output queue when the error is thrown: which call throws it may differ).
//
//   test_frame_threads [FILE...]
//
// Without FILE: every stream of the HEVC corpus (test/fixtures/hevc-corpus) and of
// test/fixtures/segments, whole and cut or damaged at a few places (errors in slice data, in
// headers, pictures left incomplete), with 1, 2 and 3 threads, pushed in small chunks with a few
// pictures per call. With FILEs (the bench streams): each decoded with 1 and 2 threads, the
// outputs compared and their FNV-1a hash printed.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "analysis/picture_result.h"
#include "bitstream/parse_error.h"
#include "stream/stream_decoder.h"
#include "support/check.h"
#include "support/corpus.h"

using namespace codectok;
using codectok::test::check;

namespace {

struct Outcome {
  std::vector<PictureResult> pictures;
  bool failed = false;
  ErrorCode code = ErrorCode::kTruncated;
  std::string message;
  int64_t byte_offset = -1;
  int32_t picture = -1;
};

Outcome decode(const std::vector<uint8_t>& data, int threads, size_t chunk, int per_call, bool residual = true) {
  DecodeOptions o;
  o.motion = o.cu = o.bits = o.tu_stats = true;
  o.residual = residual;
  o.threads = threads;
  o.max_pictures_per_call = per_call;
  Outcome out;
  StreamDecoder dec(o);
  PictureResult r;
  auto take = [&] {
    int n = 0;
    while (dec.next(r)) out.pictures.push_back(std::move(r)), ++n;
    return n;
  };
  try {
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
      dec.push(data.data() + pos, std::min(chunk, data.size() - pos));
      while (per_call > 0 && take() >= per_call) dec.push(nullptr, 0);
      take();
    }
    while (!dec.finish()) take();
    take();
  } catch (const ParseError& e) {
    out.failed = true;
    out.code = e.code();
    out.message = e.what();
    out.byte_offset = e.byte_offset;
    out.picture = e.picture;
    take();  // the pictures before the error, handed out before it was thrown
  }
  return out;
}

template <typename T>
bool same_array(const std::shared_ptr<HugePageVector<T>>& a, const std::shared_ptr<HugePageVector<T>>& b) {
  if (!a || !b) return !a && !b;
  return a->size() == b->size() && std::memcmp(a->data(), b->data(), a->size() * sizeof(T)) == 0;
}

bool same_slices(const std::vector<SliceInfo>& a, const std::vector<SliceInfo>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].type != b[i].type || a[i].address != b[i].address || a[i].dependent != b[i].dependent ||
        a[i].qp_delta != b[i].qp_delta || a[i].ref_l0 != b[i].ref_l0 || a[i].ref_l1 != b[i].ref_l1 ||
        a[i].byte_offset != b[i].byte_offset || a[i].byte_size != b[i].byte_size)
      return false;
  return true;
}

// The first difference between two pictures, or "" when they are the same.
std::string difference(const PictureResult& a, const PictureResult& b) {
  if (a.codec != b.codec || a.poc != b.poc || a.decode_index != b.decode_index || a.nal_type != b.nal_type ||
      a.temporal_id != b.temporal_id || a.disposable != b.disposable || a.max_poc_lsb != b.max_poc_lsb ||
      a.irap != b.irap || a.new_sequence != b.new_sequence || a.rasl != b.rasl || a.poc_anchor != b.poc_anchor ||
      a.width != b.width || a.height != b.height || a.bit_depth != b.bit_depth || a.crop_left != b.crop_left ||
      a.crop_right != b.crop_right || a.crop_top != b.crop_top || a.crop_bottom != b.crop_bottom)
    return "header fields";
  if (!same_slices(a.slices, b.slices)) return "slices";
  if (std::memcmp(&a.total_bits, &b.total_bits, sizeof(double)) != 0) return "total_bits";
  if (!same_array(a.motion, b.motion)) return "motion";
  if (!same_array(a.cu, b.cu)) return "cu";
  if (!same_array(a.bits, b.bits)) return "bits";
  if (!same_array(a.residual, b.residual)) return "residual";
  if (!same_array(a.tu, b.tu)) return "tu";
  return "";
}

// Checks that `b` is `a` exactly; `what` names the case. Returns whether it is.
bool same_outcome(const Outcome& a, const Outcome& b, const std::string& what) {
  bool ok = true;
  auto expect = [&](bool cond, const std::string& detail) {
    check(cond, what + ": " + detail);
    ok = ok && cond;
  };
  expect(a.pictures.size() == b.pictures.size(),
         std::to_string(a.pictures.size()) + " vs " + std::to_string(b.pictures.size()) + " pictures");
  for (size_t i = 0; i < std::min(a.pictures.size(), b.pictures.size()) && ok; ++i) {
    const std::string d = difference(a.pictures[i], b.pictures[i]);
    expect(d.empty(), "picture " + std::to_string(i) + " (decode index " +
                          std::to_string(a.pictures[i].decode_index) + ") differs in " + d);
  }
  expect(a.failed == b.failed, std::string("error ") + (a.failed ? "thrown" : "not thrown") + " with one thread, " +
                                   (b.failed ? "thrown" : "not thrown") + " with several");
  if (a.failed && b.failed)
    expect(a.code == b.code && a.message == b.message && a.byte_offset == b.byte_offset && a.picture == b.picture,
           "error '" + a.message + "' at " + std::to_string(a.byte_offset) + " picture " + std::to_string(a.picture) +
               " vs '" + b.message + "' at " + std::to_string(b.byte_offset) + " picture " +
               std::to_string(b.picture));
  return ok;
}

// Offsets of the NAL unit headers (after each 00 00 01).
std::vector<size_t> nal_offsets(const std::vector<uint8_t>& d) {
  std::vector<size_t> out;
  for (size_t i = 0; i + 3 < d.size(); ++i)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) out.push_back(i + 3);
  return out;
}

// The stream and some damaged copies of it: cut in the middle of a NAL unit, a NAL unit dropped
// (a picture left incomplete, or a slice whose reference or parameter set is missing), bytes
// flipped in slice data and in a slice header. Deterministic.
std::vector<std::pair<std::string, std::vector<uint8_t>>> variants(const std::vector<uint8_t>& d) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  out.emplace_back("whole", d);
  const std::vector<size_t> nals = nal_offsets(d);
  if (nals.size() < 4) return out;
  for (int k = 1; k <= 3; ++k) {
    const size_t n = nals.size() * k / 4;
    const size_t start = nals[n], end = n + 1 < nals.size() ? nals[n + 1] - 3 : d.size();
    // Cut in the middle of the NAL unit.
    out.emplace_back("cut at " + std::to_string((start + end) / 2),
                     std::vector<uint8_t>(d.begin(), d.begin() + static_cast<std::ptrdiff_t>((start + end) / 2)));
    // The NAL unit dropped.
    std::vector<uint8_t> dropped(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(start - 3));
    dropped.insert(dropped.end(), d.begin() + static_cast<std::ptrdiff_t>(end), d.end());
    out.emplace_back("NAL unit at " + std::to_string(start) + " dropped", std::move(dropped));
    // Bytes flipped in its payload (slice data, mostly) and just after its header (slice header).
    for (size_t at : {start + 2 + (end - start) * 2 / 3, start + 3}) {
      if (at + 1 >= end) continue;
      std::vector<uint8_t> flipped = d;
      flipped[at] ^= 0x5a;
      flipped[at + 1] ^= 0xc3;
      out.emplace_back("bytes at " + std::to_string(at) + " flipped", std::move(flipped));
    }
  }
  return out;
}

uint64_t fnv1a(uint64_t h, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

template <typename T>
uint64_t hash_array(uint64_t h, const std::shared_ptr<HugePageVector<T>>& a) {
  return a ? fnv1a(h, a->data(), a->size() * sizeof(T)) : h;
}

uint64_t hash_outcome(const Outcome& o) {
  uint64_t h = 1469598103934665603ull;
  for (const PictureResult& p : o.pictures) {
    h = fnv1a(h, &p.poc, sizeof p.poc);
    h = fnv1a(h, &p.decode_index, sizeof p.decode_index);
    h = fnv1a(h, &p.total_bits, sizeof p.total_bits);
    h = hash_array(h, p.motion);
    h = hash_array(h, p.cu);
    h = hash_array(h, p.bits);
    h = hash_array(h, p.residual);
    h = hash_array(h, p.tu);
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) {
      const std::vector<uint8_t> data = test::read_file(argv[i]);
      const Outcome one = decode(data, 1, size_t{64} << 10, 8, false);
      const Outcome two = decode(data, 2, size_t{64} << 10, 8, false);
      same_outcome(one, two, argv[i]);
      std::printf("%s: %zu pictures, hash %016" PRIx64 " (1 thread), %016" PRIx64 " (2 threads)\n", argv[i],
                  one.pictures.size(), hash_outcome(one), hash_outcome(two));
    }
    return test::report();
  }
  std::vector<std::string> files;
  const std::string corpus = test::corpus_dir();
  for (const test::StreamEntry& s : test::list_streams(corpus)) files.push_back(corpus + "/" + s.name + ".hevc");
  for (const char* name : {"cra_poc_wrap", "cra_rasl", "idr_radl"}) files.push_back(std::string("test/fixtures/segments/") + name + ".hevc");
  int cases = 0, failing = 0;
  for (const std::string& file : files) {
    const std::vector<uint8_t> data = test::read_file(file);
    for (const auto& [name, bytes] : variants(data)) {
      const Outcome one = decode(bytes, 1, 4096, 3);
      if (one.failed) ++failing;
      for (int threads : {2, 3}) {
        same_outcome(one, decode(bytes, threads, 4096, 3), file + " " + name + ", " + std::to_string(threads) + " threads");
        ++cases;
      }
    }
    // Multi-picture streams have pictures decoded at the same time that read each other's motion.
    const Outcome whole = decode(data, 1, 4096, 0);
    check(whole.pictures.size() >= 2 || file.find("tiny_i.") != std::string::npos, file + ": several pictures");
  }
  std::printf("%d cases compared over %zu streams, %d of the damaged streams end in an error\n", cases, files.size(),
              failing);
  check(failing >= static_cast<int>(files.size()), "the damaged streams exercise errors");
  return test::report();
}
