// The stream decoder's verdict on streams that yield no picture: NAL units
// without the parameter sets they need end in kMissingParameterSet (with the
// byte offset of the first unusable NAL unit); bytes without a start code,
// an empty stream and parameter sets alone are not that error.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"
#include "support/check.h"

using namespace codectok;
using codectok::test::check;

namespace {

struct Nal {
  size_t start;  // of the start code
  size_t end;
  int type;
};

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

// NAL units of an Annex-B stream (3-byte start codes; a 4-byte one counts its zero as the previous unit's).
std::vector<Nal> split(const std::vector<uint8_t>& d) {
  std::vector<Nal> out;
  for (size_t i = 0; i + 3 < d.size(); ++i)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
      if (!out.empty()) out.back().end = i;
      out.push_back({i, d.size(), (d[i + 3] >> 1) & 0x3f});
      i += 2;
    }
  return out;
}

std::vector<uint8_t> keep(const std::vector<uint8_t>& d, const std::vector<Nal>& nals, bool (*pred)(int type)) {
  std::vector<uint8_t> out;
  for (const Nal& n : nals)
    if (pred(n.type)) out.insert(out.end(), d.begin() + static_cast<std::ptrdiff_t>(n.start),
                                 d.begin() + static_cast<std::ptrdiff_t>(n.end));
  return out;
}

struct Outcome {
  int pictures = 0;
  bool failed = false;
  ErrorCode code = ErrorCode::kTruncated;
  int64_t byte_offset = -1;
  std::string message;
};

Outcome decode(const std::vector<uint8_t>& d, bool headers_only = false) {
  DecodeOptions o;
  o.headers_only = headers_only;
  Outcome r;
  try {
    StreamDecoder dec(o);
    PictureResult p;
    dec.push(d.data(), d.size());
    while (dec.next(p)) ++r.pictures;
    dec.finish();
    while (dec.next(p)) ++r.pictures;
  } catch (const ParseError& e) {
    r.failed = true;
    r.code = e.code();
    r.byte_offset = e.byte_offset;
    r.message = e.what();
  }
  return r;
}

bool missing_parameter_set(const Outcome& r) { return r.failed && r.code == ErrorCode::kMissingParameterSet; }

}  // namespace

int main() {
  const std::vector<uint8_t> stream = read_file("test/fixtures/hevc-corpus/tiny_ipb.hevc");
  check(!stream.empty(), "read test/fixtures/hevc-corpus/tiny_ipb.hevc");
  if (stream.empty()) return codectok::test::report();
  const std::vector<Nal> nals = split(stream);

  {
    const Outcome r = decode(stream);
    check(!r.failed && r.pictures > 0, "the whole stream decodes");
  }
  {
    // Slices, SEI... but no VPS/SPS/PPS: the slices refer to a PPS that is not there.
    const std::vector<uint8_t> d = keep(stream, nals, [](int t) { return t < 32 || t > 34; });
    const Outcome r = decode(d);
    check(missing_parameter_set(r), "no parameter sets: kMissingParameterSet (" + r.message + ")");
    size_t first_slice = 0;
    for (const Nal& n : split(d))
      if (n.type < 32) {
        first_slice = n.start + 3;
        break;
      }
    check(r.byte_offset == static_cast<int64_t>(first_slice), "the error points at the first slice");
    check(r.pictures == 0, "and yields no picture");
    check(missing_parameter_set(decode(d, true)), "headers only: the same error");
  }
  {
    // VPS and SPS but no PPS.
    const std::vector<uint8_t> d = keep(stream, nals, [](int t) { return t != 34; });
    check(missing_parameter_set(decode(d)), "no PPS: kMissingParameterSet");
  }
  {
    // NAL units that are not slices (SEI, AUD), no parameter set.
    const std::vector<uint8_t> d = keep(stream, nals, [](int t) { return t >= 35 && t < 48; });
    const std::vector<uint8_t> aud = {0, 0, 1, 35 << 1, 1, 0x50};
    const Outcome r = decode(d.empty() ? aud : d);
    check(missing_parameter_set(r), "only SEI / AUD NAL units: kMissingParameterSet");
  }
  {
    // Parameter sets alone: a valid stream with no picture.
    const std::vector<uint8_t> d = keep(stream, nals, [](int t) { return t >= 32 && t <= 34; });
    const Outcome r = decode(d);
    check(!r.failed && r.pictures == 0, "parameter sets alone: no error, no picture");
  }
  {
    // No start code at all: no NAL unit, not a missing parameter set.
    std::vector<uint8_t> d(5000);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(1 + (i * 131) % 255);
    const Outcome r = decode(d);
    check(!missing_parameter_set(r) && r.pictures == 0, "bytes without a start code: not kMissingParameterSet");
    check(!decode({}).failed, "empty stream: no error");
  }
  return codectok::test::report();
}
