// Unit tests of the test-support readers: gzip/DEFLATE (support/inflate),
// .npy (support/npy), JSON and the corpus loaders (support/corpus). The
// fixture checks decompress every *.npy.gz of the HEVC corpus, check the
// shapes against manifest.json and compare a few checksums computed with
// Python (numpy.load(gzip.open(...))).
//
//   test_inflate          (working directory: repository root, or set
//                          CODECTOK_CORPUS to the corpus directory)
// The last line is "N passed, N failed"; the exit status is 1 if any failed.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/corpus.h"
#include "support/inflate.h"
#include "support/npy.h"

using namespace codectok::test;

namespace {

int g_checks_failed = 0;
std::string g_current;

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      ++g_checks_failed;                                                                    \
      std::printf("    check failed (%s:%d): %s\n", __FILE__, __LINE__, #cond);             \
    }                                                                                       \
  } while (0)

#define CHECK_EQ(a, b)                                                                                     \
  do {                                                                                                     \
    const auto va_ = (a);                                                                                  \
    const auto vb_ = (b);                                                                                  \
    if (!(va_ == vb_)) {                                                                                   \
      ++g_checks_failed;                                                                                   \
      std::printf("    check failed (%s:%d): %s == %s: %s vs %s\n", __FILE__, __LINE__, #a, #b,           \
                  std::to_string(va_).c_str(), std::to_string(vb_).c_str());                               \
    }                                                                                                      \
  } while (0)

// Expects `fn` to throw std::runtime_error.
#define CHECK_THROWS(expr)                                                                  \
  do {                                                                                      \
    bool thrown_ = false;                                                                   \
    try {                                                                                   \
      (void)(expr);                                                                         \
    } catch (const std::runtime_error&) {                                                   \
      thrown_ = true;                                                                       \
    }                                                                                       \
    if (!thrown_) {                                                                         \
      ++g_checks_failed;                                                                    \
      std::printf("    check failed (%s:%d): expected an exception from %s\n", __FILE__, __LINE__, #expr); \
    }                                                                                       \
  } while (0)

std::vector<uint8_t> from_hex(const char* hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
    auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    out.push_back(static_cast<uint8_t>(nib(hex[i]) << 4 | nib(hex[i + 1])));
  }
  return out;
}

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// ------------------------------------------------------------------ samples
// 171 bytes of text, compressed by Python's zlib (wbits=31) three ways.
const std::string kText =
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. "
    "The quick brown fox jumps over the lazy dog. abcabcabcabcabcabcabcabc 0123456789\n";
const char* const kStoredGz =  // level 0: one stored block
    "1f8b080000000000040301ab0054ff54686520717569636b2062726f776e20666f78206a756d7073206f7665722074"
    "6865206c617a7920646f672e2054686520717569636b2062726f776e20666f78206a756d7073206f76657220746865"
    "206c617a7920646f672e2054686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c"
    "617a7920646f672e2061626361626361626361626361626361626361626361626320303132333435363738390a1253"
    "a440ab000000";
const char* const kFixedGz =  // Z_FIXED: one fixed-Huffman block
    "1f8b08000000000002030bc94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f4b2d5228014ae72456"
    "552aa4e4a7eb2984d04c7162523256a4606068646c626a666e61c905001253a440ab000000";
const char* const kFnameGz =  // gzip.GzipFile(filename='name.txt', mtime=0): FNAME header field
    "1f8b08080000000002ff6e616d652e747874000bc94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f"
    "4b2d5228014ae72456552aa4e4a7eb2984d04c7162523256a4606068646c626a666e61c905001253a440ab000000";
const char* const kEmptyGz = "1f8b080000000000000303000000000000000000";

// 2500 bytes from lcg_text() below, level 9: one dynamic-Huffman block with
// long-distance matches (the first 700 bytes repeat at distance 1500).
const char* const kDynamicGz =
    "1f8b0800000000000203ed945daa25310884e739abc8d6040503924034fbbf9f3d1b98d7817b0ef44f3ad1b2aa54ec5c"
    "3bc7ea99ae6d69f1cc6c14177b2596726bdbb4aa5a559ac7a2cac69ab54cec1d95646fc8b539d49e706cbad51a11b2ef"
    "320eb2b4ac94dbbd46f461b7589e2235974ee5f998e6e8945244dd37ecb2f165ec5c7609425439daa16e83025fc8725e"
    "c38ddd1c3cfb70db4fc5597820beec99b6a5f4ada17263771cb1ab369e6df31a00253825be25dc8f0df118a5942142f8"
    "4cae35f98342eb52d0ea2c1541a2b2bd28230b0a9cda087daf57cc3419d5f5ac69e7ab7e3b3129a16b811890f0aa542f"
    "03846a7e806aeba6b395d3712c5918595abb0f9db5f980004df7ab97f0a31f31704512df69ae2c1eaa30f7e80cef3679"
    "e0b2897ea79e0ecb5eb1319093bbcb6c754d61c43eb5eeb75ed27abc34050bc1da111abde3d67deeb643c83783e0dae2"
    "1ebdad9d48b2b703e2a9c5caeb820139c1c4aad40be8b0dd0e1b293ae262317b1ad5c5f8aadd0f7dec156e04309ad43b"
    "18a644744912e77d9597bc89ce3838f840921be5365bdbb4d3eec5045d6e449fe175cfcf4d5b2906bea425073469b543"
    "07de1c629ff9f7003104b03d3f169bf8b31636c0d2fa867f5fe6c4954a06fc5f51e992fada66d80eba04d23665bfc165"
    "773147641dc3661c5e403cdd10dd367b474d3c8211bc8bdb2955ed4a29b4e031376564d3e8f8458b10e7f8f4fb1d4712"
    "e45f1d30db3138aafd8eae680a1ff275b6cba0a514d6029db33b07b21d42638cf9b5e944d1d616583863bed73d8662d4"
    "09c77348f7c2410d44995f4f91fee25028765ae735493256dbf3b4f79d4150da4e095026f1111f9ae91ba0dfdc0b1874"
    "d18c0bfe0b5fc49cdd7e6c5c7e1f7c57c2f0a70bb38734ed11046a5de6f7ecb53e0743189d17edd382ef0ec618e82fdd"
    "f0ed081a0e9ec1b576b66fc9d996bfed83f7f5130ad4c4cf189b8260e37e349d65f9e5f85aefeee34d362d109bc00bc6"
    "885bd9ed0ca0c3d8ac27a1d93402c8772bed436e63cab7347b9608252335f57abff7e471686f8d9d3a3729461f6d4e56"
    "cbdc5118c2f7765fa1eddc8f2020da31fc9bb6627f01cbef6cff9dedffe96cfff3fbfbe7df0f9d891b1bc4090000";

std::vector<uint8_t> lcg_text() {
  static const char kAlpha[] = "eeeeeeeetttaaoinshrdlu \n";
  std::vector<uint8_t> d;
  uint32_t x = 12345;
  for (int i = 0; i < 1500; ++i) {
    x = (x * 1103515245u + 12345u) & 0x7FFFFFFFu;
    d.push_back(static_cast<uint8_t>(kAlpha[(x >> 16) % 24]));
  }
  const std::vector<uint8_t> head(d.begin(), d.begin() + 700);
  d.insert(d.end(), head.begin(), head.end());
  d.insert(d.end(), 300, uint8_t(0));
  return d;
}

// LSB-first bit writer to hand-craft DEFLATE streams.
struct BitWriter {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int n = 0;
  void bits(uint32_t v, int count) {
    for (int i = 0; i < count; ++i) {
      acc |= ((v >> i) & 1u) << n;
      if (++n == 8) {
        out.push_back(static_cast<uint8_t>(acc));
        acc = 0;
        n = 0;
      }
    }
  }
  void huff(uint32_t code, int len) {  // Huffman codes go MSB first
    for (int i = len - 1; i >= 0; --i) bits((code >> i) & 1u, 1);
  }
  std::vector<uint8_t> finish() {
    if (n) out.push_back(static_cast<uint8_t>(acc));
    acc = 0;
    n = 0;
    return out;
  }
};

void put_le32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

std::vector<uint8_t> gzip_wrap(const std::vector<uint8_t>& deflate, const std::vector<uint8_t>& plain) {
  static const uint8_t kHeader[10] = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3};
  std::vector<uint8_t> g;
  g.reserve(deflate.size() + 18);
  g.assign(kHeader, kHeader + 10);
  for (uint8_t b : deflate) g.push_back(b);
  put_le32(g, crc32(plain.data(), plain.size()));
  put_le32(g, static_cast<uint32_t>(plain.size()));
  return g;
}

// Stored blocks of at most `block` bytes (plus an empty stored block first).
std::vector<uint8_t> make_stored_gzip(const std::vector<uint8_t>& plain, size_t block) {
  std::vector<uint8_t> d = {0x00, 0x00, 0x00, 0xFF, 0xFF};  // BFINAL=0 BTYPE=00, LEN 0
  size_t off = 0;
  do {
    const size_t n = std::min(block, plain.size() - off);
    const bool last = off + n == plain.size();
    d.push_back(last ? 1 : 0);
    d.push_back(static_cast<uint8_t>(n));
    d.push_back(static_cast<uint8_t>(n >> 8));
    d.push_back(static_cast<uint8_t>(~n));
    d.push_back(static_cast<uint8_t>(~n >> 8));
    d.insert(d.end(), plain.begin() + static_cast<std::ptrdiff_t>(off),
             plain.begin() + static_cast<std::ptrdiff_t>(off + n));
    off += n;
  } while (off < plain.size());
  return gzip_wrap(d, plain);
}

// ------------------------------------------------------------------ tests

void test_crc32() {
  const std::string s = "123456789";
  CHECK_EQ(crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xCBF43926u);
  CHECK_EQ(crc32(nullptr, 0), 0u);
  // Running CRC == one-shot CRC.
  const std::vector<uint8_t> d = lcg_text();
  uint32_t c = 0;
  for (size_t off = 0; off < d.size(); off += 37) c = crc32(d.data() + off, std::min<size_t>(37, d.size() - off), c);
  CHECK_EQ(c, crc32(d.data(), d.size()));
  CHECK_EQ(c, 454789533u);  // zlib.crc32 in Python
}

void test_python_samples() {
  const std::vector<uint8_t> text = bytes_of(kText);
  CHECK(gunzip(from_hex(kStoredGz)) == text);
  CHECK(gunzip(from_hex(kFixedGz)) == text);
  CHECK(gunzip(from_hex(kFnameGz)) == text);
  CHECK(gunzip(from_hex(kEmptyGz)).empty());
  const std::vector<uint8_t> dyn = from_hex(kDynamicGz);
  CHECK_EQ((dyn[10] >> 1) & 3, 2);  // really a dynamic block
  CHECK(gunzip(dyn) == lcg_text());
  // Multi-member file and trailing zero padding.
  std::vector<uint8_t> two = from_hex(kFixedGz);
  const std::vector<uint8_t> second = from_hex(kDynamicGz);
  two.insert(two.end(), second.begin(), second.end());
  std::vector<uint8_t> both = text;
  const std::vector<uint8_t> lt = lcg_text();
  both.insert(both.end(), lt.begin(), lt.end());
  CHECK(gunzip(two) == both);
  two.insert(two.end(), 16, uint8_t(0));
  CHECK(gunzip(two) == both);
  two.push_back(1);
  CHECK_THROWS(gunzip(two));  // trailing garbage
  // Raw inflate reports how many bytes the DEFLATE data used.
  size_t used = 0;
  const std::vector<uint8_t> fixed = from_hex(kFixedGz);
  CHECK(inflate_raw(fixed.data() + 10, fixed.size() - 10, &used) == text);
  CHECK_EQ(used, fixed.size() - 18);
}

void test_stored_blocks() {
  std::vector<uint8_t> big(200000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>((i * 7919) >> 5);
  CHECK(gunzip(make_stored_gzip(big, 65535)) == big);
  CHECK(gunzip(make_stored_gzip(big, 1000)) == big);
  const std::vector<uint8_t> one = {42};
  CHECK(gunzip(make_stored_gzip(one, 65535)) == one);
  // LEN / NLEN mismatch.
  std::vector<uint8_t> bad = make_stored_gzip(one, 65535);
  bad[10 + 5 + 3] ^= 1;  // NLEN of the second stored block
  CHECK_THROWS(gunzip(bad));
}

void test_handcrafted_errors() {
  // BTYPE 3.
  {
    BitWriter w;
    w.bits(1, 1);
    w.bits(3, 2);
    const std::vector<uint8_t> d = w.finish();
    CHECK_THROWS(inflate_raw(d.data(), d.size()));
  }
  // Fixed block: literal 'A', then a length-3 match at distance 2 (only 1 byte out).
  {
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2);
    w.huff(0x30 + 'A', 8);  // literal 0..143: 00110000 + v, 8 bits
    w.huff(1, 7);           // length symbol 257 (0000001): length 3
    w.huff(1, 5);           // distance symbol 1: distance 2
    w.huff(0, 7);           // end of block
    const std::vector<uint8_t> d = w.finish();
    CHECK_THROWS(inflate_raw(d.data(), d.size()));
  }
  // Same with distance 1: valid, "AAAA".
  {
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2);
    w.huff(0x30 + 'A', 8);
    w.huff(1, 7);
    w.huff(0, 5);
    w.huff(0, 7);
    const std::vector<uint8_t> d = w.finish();
    CHECK(inflate_raw(d.data(), d.size()) == bytes_of("AAAA"));
  }
  // Fixed block with the invalid length symbol 286 (11000110).
  {
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2);
    w.huff(0xC6, 8);
    w.huff(0, 7);
    const std::vector<uint8_t> d = w.finish();
    CHECK_THROWS(inflate_raw(d.data(), d.size()));
  }
  // Dynamic block with an over-subscribed code-length code (all 19 lengths 1).
  {
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(0, 5);
    w.bits(0, 5);
    w.bits(15, 4);
    for (int i = 0; i < 19; ++i) w.bits(1, 3);
    const std::vector<uint8_t> d = w.finish();
    CHECK_THROWS(inflate_raw(d.data(), d.size()));
  }
  // Non-final block followed by nothing.
  {
    BitWriter w;
    w.bits(0, 1);
    w.bits(1, 2);
    w.huff(0, 7);
    const std::vector<uint8_t> d = w.finish();
    CHECK_THROWS(inflate_raw(d.data(), d.size()));
  }
  // gzip header problems.
  std::vector<uint8_t> g = from_hex(kFixedGz);
  std::vector<uint8_t> x = g;
  x[0] = 0x1E;
  CHECK_THROWS(gunzip(x));
  x = g;
  x[2] = 7;
  CHECK_THROWS(gunzip(x));
  x = g;
  x[3] = 0x20;
  CHECK_THROWS(gunzip(x));
  x = g;
  x[x.size() - 1] ^= 1;  // ISIZE
  CHECK_THROWS(gunzip(x));
  x = g;
  x[x.size() - 8] ^= 1;  // CRC
  CHECK_THROWS(gunzip(x));
  CHECK_THROWS(gunzip(std::vector<uint8_t>()));
}

void test_truncation_and_corruption() {
  for (const char* hex : {kStoredGz, kFixedGz, kDynamicGz, kFnameGz}) {
    const std::vector<uint8_t> g = from_hex(hex);
    const std::vector<uint8_t> plain = gunzip(g);
    int silent = 0;
    for (size_t n = 0; n < g.size(); ++n) CHECK_THROWS(gunzip(g.data(), n));
    // Flip every bit after the fixed 10-byte header (MTIME/XFL/OS flips are
    // legitimately harmless). Each flip must throw, except the few padding
    // bits after the last block, which must then give the same output.
    size_t start = 10;
    if (g[3] & 0x08) start = 19;  // skip "name.txt\0"
    for (size_t i = start; i < g.size(); ++i) {
      for (int b = 0; b < 8; ++b) {
        std::vector<uint8_t> c = g;
        c[i] ^= static_cast<uint8_t>(1u << b);
        try {
          const std::vector<uint8_t> out = gunzip(c);
          ++silent;
          CHECK(out == plain);
        } catch (const std::runtime_error&) {
        }
      }
    }
    CHECK(silent <= 7);
  }
}

void test_npy() {
  auto make = [](int version, const std::string& dict, const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> f = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
    std::string h = dict;
    const size_t pre = version == 1 ? 10 : 12;
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
    if (version == 1) {
      f.push_back(static_cast<uint8_t>(h.size()));
      f.push_back(static_cast<uint8_t>(h.size() >> 8));
    } else {
      put_le32(f, static_cast<uint32_t>(h.size()));
    }
    f.insert(f.end(), h.begin(), h.end());
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
  };
  std::vector<uint8_t> fl(8);
  const float vals[2] = {1.5f, -2.25f};
  std::memcpy(fl.data(), vals, 8);
  const std::vector<uint8_t> fa = make(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", fl);
  NpyArray a = parse_npy(fa.data(), fa.size());
  CHECK(a.dtype == "<f4");
  CHECK(a.shape == std::vector<int64_t>({2}));
  CHECK(a.shape_string() == "(2,)");
  const std::vector<float> f = a.as<float>();
  CHECK(f.size() == 2 && f[0] == 1.5f && f[1] == -2.25f);
  CHECK_THROWS(a.as<int16_t>());

  std::vector<uint8_t> i2(2 * 3 * 2);
  for (size_t i = 0; i < 6; ++i) {
    i2[2 * i] = static_cast<uint8_t>(-int(i));
    i2[2 * i + 1] = 0xFF;
  }
  NpyArray b = parse_npy(make(2, "{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2, 3)}", i2));
  CHECK(b.shape == std::vector<int64_t>({2, 3}));
  const std::vector<int16_t> v = b.as<int16_t>();
  CHECK(v.size() == 6 && v[0] == -256 && v[5] == -5);
  NpyArray s = parse_npy(make(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", std::vector<uint8_t>(8, 0)));
  CHECK(s.shape.empty() && s.element_count() == 1);
  NpyArray e = parse_npy(make(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (0, 13), }", {}));
  CHECK(e.element_count() == 0 && e.as<int64_t>().empty());

  CHECK_THROWS(parse_npy(make(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (3,), }", std::vector<uint8_t>(6))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '>i2', 'fortran_order': False, 'shape': (3,), }", std::vector<uint8_t>(6))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", std::vector<uint8_t>(5))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", std::vector<uint8_t>(7))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }", std::vector<uint8_t>(16))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '<i2', 'shape': (3,), }", std::vector<uint8_t>(6))));
  CHECK_THROWS(parse_npy(make(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,", {})));
  CHECK_THROWS(parse_npy(make(4, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", std::vector<uint8_t>(6))));
  std::vector<uint8_t> bad_magic = make(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", std::vector<uint8_t>(6));
  bad_magic[1] = 'n';
  CHECK_THROWS(parse_npy(bad_magic.data(), bad_magic.size()));
  CHECK_THROWS(parse_npy(std::vector<uint8_t>(5, 0x93)));
}

void test_json() {
  const JsonValue v = parse_json(
      " {\"a\": [1, -2, 3.5e1, true, false, null], \"s\": \"x\\\"y\\\\z\\n\\u00e9\\ud83d\\ude00\", "
      "\"big\": 12345678901234, \"o\": {}, \"e\": []} ");
  CHECK(v.at("a").as_array().size() == 6);
  CHECK_EQ(v.at("a").at(1).as_int(), -2);
  CHECK(v.at("a").at(2).as_double() == 35.0);
  CHECK_EQ(v.at("a").at(2).as_int(), 35);
  CHECK(v.at("a").at(3).as_bool() && !v.at("a").at(4).as_bool() && v.at("a").at(5).is_null());
  CHECK(v.at("s").as_string() == "x\"y\\z\n\xC3\xA9\xF0\x9F\x98\x80");
  CHECK_EQ(v.at("big").as_int(), int64_t(12345678901234));
  CHECK(v.find("missing") == nullptr);
  CHECK_THROWS(v.at("missing"));
  CHECK_THROWS(v.at("s").as_int());
  for (const char* bad : {"", "[1,]", "{\"a\":1,}", "[1 2]", "\"abc", "01", "[-]", "1.", "tru", "{a:1}",
                          "\"\\x\"", "\"\\ud800\"", "[1] x", "\"a\nb\""})
    CHECK_THROWS(parse_json(bad));
  std::string deep(2000, '[');
  CHECK_THROWS(parse_json(deep));
}

// Coded size of the corpus pictures: the displayed size rounded up to the
// minimum coding block (8 for every stream of this corpus).
int coded(int n) { return (n + 7) / 8 * 8; }

void test_fixture_shapes() {
  const std::string dir = corpus_dir();
  const std::vector<StreamEntry> streams = list_streams(dir);
  CHECK(streams.size() == 22);
  size_t total_in = 0, total_out = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const StreamEntry& e : streams) {
    const int F = e.frames, H = coded(e.height), W = coded(e.width);
    const std::vector<FrameInfo> frames = load_frames_json(stream_path(dir, e.name, ".frames.json"));
    CHECK_EQ(static_cast<int>(frames.size()), F);
    std::string types;
    for (const FrameInfo& f : frames) types += f.slices.empty() ? '?' : f.slices[0].type;
    if (types != e.slice_types) std::printf("    %s: slice types %s, manifest %s\n", e.name.c_str(), types.c_str(), e.slice_types.c_str());
    CHECK(types == e.slice_types);
    CHECK_EQ(static_cast<int64_t>(read_file(stream_path(dir, e.name, ".hevc")).size()), e.bytes);
    for (const char* kind : {"motion", "cu", "residual", "tu"}) {
      const std::string path = stream_path(dir, e.name, std::string(".") + kind + ".npy.gz");
      const bool is_residual = std::strcmp(kind, "residual") == 0;
      if (is_residual && !e.residual_given) {
        CHECK(!file_exists(path));
        continue;
      }
      total_in += read_file(path).size();
      const NpyArray a = load_npy_gz(path);
      total_out += a.data.size();
      std::vector<int64_t> want;
      std::string dtype = "<i2";
      if (std::strcmp(kind, "motion") == 0) want = {F, (H + 3) / 4, (W + 3) / 4, 8};
      if (std::strcmp(kind, "cu") == 0) want = {F, (H + 7) / 8, (W + 7) / 8, 4};
      if (is_residual) want = {F, H, W};
      if (std::strcmp(kind, "tu") == 0) {
        dtype = "<i8";
        want = {a.shape.empty() ? -1 : a.shape[0], 13};
        // Rows in decoding order, each naming a picture of frames.json.
        const std::vector<int64_t> rows = a.as<int64_t>();
        bool ordered = true, known = true;
        std::vector<int> poc_of(F, -99999);
        for (const FrameInfo& f : frames)
          if (f.decode_index >= 0 && f.decode_index < F) poc_of[f.decode_index] = f.poc;
        for (size_t r = 0; r * 13 < rows.size(); ++r) {
          const int64_t dec = rows[r * 13];
          if (r && dec < rows[(r - 1) * 13]) ordered = false;
          if (dec < 0 || dec >= F || poc_of[dec] != rows[r * 13 + 1]) known = false;
        }
        CHECK(ordered);
        CHECK(known);
        CHECK(a.shape[0] > 0);
      }
      if (a.dtype != dtype || a.shape != want)
        std::printf("    %s.%s: dtype %s shape %s\n", e.name.c_str(), kind, a.dtype.c_str(), a.shape_string().c_str());
      CHECK(a.dtype == dtype);
      CHECK(a.shape == want);
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("    %zu streams: %.1f MB compressed -> %.1f MB in %.2f s (%.0f MB/s, including JSON and file reads)\n",
              streams.size(), total_in / 1e6, total_out / 1e6, s, total_out / 1e6 / s);
}

// Sum and position-weighted sum (weight i % 1000 + 1 over the flattened
// array), as computed by numpy.
struct Sums {
  int64_t sum, weighted;
};
template <typename T>
Sums sums(const std::vector<T>& v) {
  Sums s{0, 0};
  for (size_t i = 0; i < v.size(); ++i) {
    s.sum += v[i];
    s.weighted += static_cast<int64_t>(v[i]) * static_cast<int64_t>(i % 1000 + 1);
  }
  return s;
}

void test_fixture_checksums() {
  const std::string dir = corpus_dir();
  struct Expected {
    const char* name;
    const char* kind;
    std::vector<int64_t> shape;
    int64_t sum, weighted;
  };
  // python3: a = numpy.load(gzip.open(f)).reshape(-1).astype(numpy.int64)
  //          a.sum(), (a * (numpy.arange(a.size) % 1000 + 1)).sum()
  const std::vector<Expected> expected = {
      {"tiny_ip", "motion", {3, 16, 16, 8}, -34473000, -16896944560},
      {"tiny_ip", "cu", {3, 8, 8, 4}, 6385, 2484918},
      {"tiny_ip", "tu", {296, 13}, 631934091642, 300265326913779},
      {"tiny_ip", "residual", {3, 64, 64}, -8355, -5053432},
      {"seed_gop16_576", "residual", {20, 576, 576}, 187239, 92045221},
      {"odd_size", "cu", {16, 23, 41, 4}, 471383, 235198256},
      {"main10", "residual", {16, 240, 416}, 305625, 157700946},
      {"kvz_tiles", "tu", {7717, 13}, 17235235791582, 8637885210315071},
  };
  for (const Expected& x : expected) {
    const NpyArray a = load_npy_gz(stream_path(dir, x.name, std::string(".") + x.kind + ".npy.gz"));
    const Sums s = std::strcmp(x.kind, "tu") == 0 ? sums(a.as<int64_t>()) : sums(a.as<int16_t>());
    if (a.shape != x.shape || s.sum != x.sum || s.weighted != x.weighted)
      std::printf("    %s.%s: shape %s sum %" PRId64 " weighted %" PRId64 "\n", x.name, x.kind,
                  a.shape_string().c_str(), s.sum, s.weighted);
    CHECK(a.shape == x.shape);
    CHECK_EQ(s.sum, x.sum);
    CHECK_EQ(s.weighted, x.weighted);
  }
}

}  // namespace

int main() {
  const std::vector<std::pair<const char*, std::function<void()>>> tests = {
      {"crc32", test_crc32},
      {"gzip samples from python (stored, fixed, dynamic, fname, multi-member)", test_python_samples},
      {"stored blocks", test_stored_blocks},
      {"handcrafted invalid streams", test_handcrafted_errors},
      {"truncation and bit flips", test_truncation_and_corruption},
      {"npy parsing", test_npy},
      {"json parsing", test_json},
      {"corpus fixtures: shapes vs manifest.json", test_fixture_shapes},
      {"corpus fixtures: checksums", test_fixture_checksums},
  };
  int passed = 0, failed = 0;
  for (const auto& t : tests) {
    g_current = t.first;
    const int before = g_checks_failed;
    bool ok = true;
    try {
      t.second();
    } catch (const std::exception& ex) {
      std::printf("    unexpected exception: %s\n", ex.what());
      ok = false;
    }
    ok = ok && g_checks_failed == before;
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", t.first);
    (ok ? passed : failed)++;
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
