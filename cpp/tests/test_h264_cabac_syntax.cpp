// Tests of the H.264 CABAC syntax-element decoders (cpp/h264/cabac_mb_syntax.*,
// cpp/h264/cabac_residual.*).
//
// Each case lists the bins of a syntax element as the specification
// binarises it (Tables 9-36 and 9-37, clause 9.3.2) together with the ctxIdx
// of each bin (Table 9-34 offsets, Table 9-39 / clause 9.3.3.1 increments),
// written out by hand here. A CABAC *encoder* written from clause 9.3.4
// (EncodeDecision, EncodeBypass, EncodeTerminate, EncodeFlush) turns them
// into a bitstream, which the decoders under test must read back: the values
// must match, and the context states after decoding must equal the
// encoder's, so a bin read with the wrong context is caught even when its
// value happens to come out right.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bitstream/cabac_engine.h"
#include "bitstream/parse_error.h"
#include "h264/cabac_init_tables.h"
#include "h264/cabac_mb_syntax.h"
#include "h264/cabac_residual.h"
#include "support/check.h"

using namespace codectok;
using namespace codectok::h264;
using codectok::test::check;
using codectok::test::report;

namespace {

constexpr int kTerminate = -1;
constexpr int kBypass = -2;

struct Bin {
  int ctx;  // ctxIdx, or kTerminate / kBypass
  int val;
};

// Arithmetic encoder of clause 9.3.4.2, on states pStateIdx << 1 | valMPS.
class Encoder {
 public:
  explicit Encoder(const uint16_t* init) { std::memcpy(state_, init, sizeof(state_)); }

  void put(const Bin& b) {
    if (b.ctx == kBypass) {
      bypass(b.val);
    } else if (b.ctx == kTerminate) {
      terminate(b.val);
    } else {
      decision(state_[b.ctx], b.val);
    }
  }
  // A terminating bin 1 and EncodeFlush (whose last written bit is the
  // rbsp_stop_one_bit), then alignment.
  std::vector<uint8_t> finish() {
    if (!flushed_) terminate(1);
    while (nbits_ % 8) write(0);
    for (int i = 0; i < 4; ++i) bytes_.push_back(0);
    return bytes_;
  }
  const uint16_t* states() const { return state_; }

 private:
  void decision(uint16_t& s, int bin) {
    int p = s >> 1;
    int mps = s & 1;
    const uint32_t lps = kRangeTabLps[p][(range_ >> 6) & 3];
    range_ -= lps;
    if (bin != mps) {
      low_ += range_;
      range_ = lps;
      if (p == 0) mps = 1 - mps;
      p = kStateTransitions.next[1][p << 1] >> 1;  // transIdxLps[p]
    } else {
      p = p < 62 ? p + 1 : 62;  // transIdxMps, Table 9-45
    }
    s = static_cast<uint16_t>((p << 1) | mps);
    renorm();
  }
  void bypass(int bin) {
    low_ <<= 1;
    if (bin) low_ += range_;
    if (low_ >= 1024) {
      put_bit(1);
      low_ -= 1024;
    } else if (low_ < 512) {
      put_bit(0);
    } else {
      low_ -= 512;
      ++outstanding_;
    }
  }
  void terminate(int bin) {
    range_ -= 2;
    if (bin) {
      low_ += range_;
      range_ = 2;  // EncodeFlush
      renorm();
      put_bit((low_ >> 9) & 1);
      write((low_ >> 8) & 1);
      write(1);  // ((low >> 7) & 3) | 1, low bit: the rbsp_stop_one_bit position
      flushed_ = true;
    } else {
      renorm();
    }
  }
  void renorm() {
    while (range_ < 256) {
      if (low_ < 256) {
        put_bit(0);
      } else if (low_ >= 512) {
        low_ -= 512;
        put_bit(1);
      } else {
        low_ -= 256;
        ++outstanding_;
      }
      range_ <<= 1;
      low_ <<= 1;
    }
  }
  void put_bit(int b) {
    if (first_) {
      first_ = false;
    } else {
      write(b);
    }
    while (outstanding_ > 0) {
      write(1 - b);
      --outstanding_;
    }
  }
  void write(int b) {
    if (nbits_ % 8 == 0) bytes_.push_back(0);
    if (b) bytes_.back() |= static_cast<uint8_t>(0x80 >> (nbits_ % 8));
    ++nbits_;
  }

  uint16_t state_[kNumCabacContexts];
  uint32_t low_ = 0;
  uint32_t range_ = 510;
  bool first_ = true;
  int outstanding_ = 0;
  bool flushed_ = false;
  std::vector<uint8_t> bytes_;
  int nbits_ = 0;
};

// One syntax element: its bins, and the decoder call that must return `want`.
struct Case {
  std::string what;
  std::vector<Bin> bins;
  std::function<int64_t(CabacDecoder&, uint16_t*)> decode;
  int64_t want;
};

// Encodes all cases into one stream and decodes them back in order.
void run(const std::string& label, const std::vector<Case>& cases, bool intra, int idc, int qp) {
  uint16_t init[kNumCabacContexts];
  init_contexts(intra, idc, qp, init);
  Encoder enc(init);
  for (const Case& c : cases)
    for (const Bin& b : c.bins) enc.put(b);
  std::vector<uint8_t> data = enc.finish();

  uint16_t ctx[kNumCabacContexts];
  std::memcpy(ctx, init, sizeof(ctx));
  CabacDecoder dec;
  dec.start(data.data(), data.size(), 0);
  for (const Case& c : cases) {
    int64_t got;
    try {
      got = c.decode(dec, ctx);
    } catch (const ParseError& e) {
      check(false, label + " " + c.what + ": threw " + e.what());
      return;
    }
    check(got == c.want, label + " " + c.what + ": got " + std::to_string(got) + ", want " + std::to_string(c.want));
  }
  const Bin& final_bin = cases.back().bins.back();
  if (!(final_bin.ctx == kTerminate && final_bin.val == 1))
    check(dec.decode_terminate() == 1, label + ": end of stream where the encoder terminated");
  bool same = true;
  for (int i = 0; i < kNumCabacContexts; ++i) {
    if (ctx[i] != enc.states()[i]) {
      std::printf("  %s: context %d state %d, encoder %d\n", label.c_str(), i, ctx[i], enc.states()[i]);
      same = false;
    }
  }
  check(same, label + ": context states match the encoder's");
}

// "1 0 1" with one ctxIdx per bin.
std::vector<Bin> bins(const std::string& s, std::initializer_list<int> ctxs) {
  std::vector<Bin> out;
  auto it = ctxs.begin();
  for (char c : s) {
    if (c != '0' && c != '1') continue;
    out.push_back({it != ctxs.end() ? *it++ : -100, c - '0'});
  }
  if (it != ctxs.end() || out.empty() || out.back().ctx == -100) {
    std::printf("test bug: bins/ctx count mismatch for %s\n", s.c_str());
    check(false, "test bug: bins/ctx count mismatch");
  }
  return out;
}
std::vector<Bin> operator+(std::vector<Bin> a, const std::vector<Bin>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// UEGk suffix bins (clause 9.3.2.3), bypass.
std::vector<Bin> exp_golomb_bins(uint32_t v, int k) {
  std::vector<Bin> out;
  while (v >= (1u << k)) {
    out.push_back({kBypass, 1});
    v -= 1u << k;
    ++k;
  }
  out.push_back({kBypass, 0});
  while (k--) out.push_back({kBypass, static_cast<int>((v >> k) & 1)});
  return out;
}

// mvd, UEG3 signed, uCoff 9: TU prefix with ctxIdx 40/47 + {inc, 3, 4, 5, 6, 6, 6, 6, 6}.
std::vector<Bin> mvd_bins(int comp, int inc, int v) {
  const int base = comp == 0 ? 40 : 47;
  const int incs[9] = {inc, 3, 4, 5, 6, 6, 6, 6, 6};
  const int a = v < 0 ? -v : v;
  std::vector<Bin> out;
  for (int i = 0; i < 9 && i <= a; ++i) {
    if (i < a) out.push_back({base + incs[i], 1});
    else out.push_back({base + incs[i], 0});
  }
  if (a >= 9) out = out + exp_golomb_bins(static_cast<uint32_t>(a - 9), 3);
  if (a != 0) out.push_back({kBypass, v < 0 ? 1 : 0});
  return out;
}

std::vector<Case> syntax_cases() {
  std::vector<Case> cs;
  auto add = [&](const std::string& what, std::vector<Bin> b, std::function<int64_t(CabacDecoder&, uint16_t*)> f,
                 int64_t want) { cs.push_back({what, std::move(b), std::move(f), want}); };
  const int T = kTerminate;

  // mb_type, I slice (ctxIdxOffset 3): b0 3+inc, b1 terminate, b2 6, b3 7,
  // b4 (b3 ? 8 : 9), b5 (b3 ? 9 : 10), b6 10. Table 9-36 bin strings.
  for (int inc = 0; inc < 3; ++inc)
    add("I mb_type I_NxN inc " + std::to_string(inc), bins("0", {3 + inc}),
        [inc](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, inc); }, 0);
  add("I mb_type 1 (I_16x16_0_0_0)", bins("1 0 0 0 0 0", {4, T, 6, 7, 9, 10}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, 1); }, 1);
  add("I mb_type 6 (I_16x16_1_1_0)", bins("1 0 0 1 0 0 1", {3, T, 6, 7, 8, 9, 10}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, 0); }, 6);
  add("I mb_type 11 (I_16x16_2_2_0)", bins("1 0 0 1 1 1 0", {5, T, 6, 7, 8, 9, 10}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, 2); }, 11);
  add("I mb_type 16 (I_16x16_3_0_1)", bins("1 0 1 0 1 1", {3, T, 6, 7, 9, 10}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, 0); }, 16);
  add("I mb_type 24 (I_16x16_3_2_1)", bins("1 0 1 1 1 1 1", {3, T, 6, 7, 8, 9, 10}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_i(d, c, 0); }, 24);

  // mb_type, P slice: prefix b0 14, b1 15, b2 (b1 != 1 ? 16 : 17); intra
  // suffix (ctxIdxOffset 17): b0 17, terminate, b2 18, b3 19, b4 (b3 ? 19 : 20), 20, 20.
  add("P mb_type P_L0_16x16", bins("000", {14, 15, 16}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 0);
  add("P mb_type P_L0_L0_16x8", bins("011", {14, 15, 17}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 1);
  add("P mb_type P_L0_L0_8x16", bins("010", {14, 15, 17}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 2);
  add("P mb_type P_8x8", bins("001", {14, 15, 16}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 3);
  add("P mb_type intra I_NxN", bins("1 0", {14, 17}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 5);
  add("P mb_type intra I_16x16_1_1_0", bins("1 1 0 0 1 0 0 1", {14, 17, T, 18, 19, 19, 20, 20}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 5 + 6);
  add("P mb_type intra I_16x16_2_0_1", bins("1 1 0 1 0 1 0", {14, 17, T, 18, 19, 20, 20}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_p(d, c); }, 5 + 15);

  // mb_type, B slice (Table 9-37): b0 27+inc, b1 30, b2 (b1 != 0 ? 31 : 32), b3.. 32.
  const char* b_types[23] = {"0",       "100",     "101",     "110000",  "110001",  "110010",
                             "110011",  "110100",  "110101",  "110110",  "110111",  "111110",
                             "1110000", "1110001", "1110010", "1110011", "1110100", "1110101",
                             "1110110", "1110111", "1111000", "1111001", "111111"};
  for (int t = 0; t < 23; ++t) {
    const std::string s = b_types[t];
    const int inc = t % 3;
    std::vector<Bin> b;
    for (size_t i = 0; i < s.size(); ++i) {
      int ctx = i == 0 ? 27 + inc : i == 1 ? 30 : i == 2 ? (s[1] == '1' ? 31 : 32) : 32;
      b.push_back({ctx, s[i] - '0'});
    }
    add("B mb_type " + std::to_string(t), b,
        [inc](CabacDecoder& d, uint16_t* c) { return decode_mb_type_b(d, c, inc); }, t);
  }
  add("B mb_type intra I_NxN", bins("111101 0", {27, 30, 31, 32, 32, 32, 32}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_b(d, c, 0); }, 23);
  // Suffix (ctxIdxOffset 32): b0 32, terminate, b2 33, b3 34, b4 (b3 ? 34 : 35), 35, 35.
  add("B mb_type intra I_16x16_3_1_1", bins("111101 1 0 1 1 0 1 1", {28, 30, 31, 32, 32, 32, 32, T, 33, 34, 34, 35, 35}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_b(d, c, 1); }, 23 + 20);

  // sub_mb_type P: b0 21, b1 22, b2 23.
  const char* p_sub[4] = {"1", "00", "011", "010"};
  for (int t = 0; t < 4; ++t) {
    const std::string s = p_sub[t];
    std::vector<Bin> b;
    for (size_t i = 0; i < s.size(); ++i) b.push_back({21 + static_cast<int>(i), s[i] - '0'});
    add("P sub_mb_type " + std::to_string(t), b, [](CabacDecoder& d, uint16_t* c) { return decode_sub_mb_type_p(d, c); },
        t);
  }
  // sub_mb_type B: b0 36, b1 37, b2 (b1 != 0 ? 38 : 39), b3.. 39.
  const char* b_sub[13] = {"0",     "100",    "101",    "11000",  "11001", "11010", "11011",
                           "111000", "111001", "111010", "111011", "11110", "11111"};
  for (int t = 0; t < 13; ++t) {
    const std::string s = b_sub[t];
    std::vector<Bin> b;
    for (size_t i = 0; i < s.size(); ++i) {
      int ctx = i == 0 ? 36 : i == 1 ? 37 : i == 2 ? (s[1] == '1' ? 38 : 39) : 39;
      b.push_back({ctx, s[i] - '0'});
    }
    add("B sub_mb_type " + std::to_string(t), b,
        [](CabacDecoder& d, uint16_t* c) { return decode_sub_mb_type_b(d, c); }, t);
  }

  // mb_skip_flag: P 11+inc, B 24+inc.
  add("mb_skip_flag P", bins("1", {13}), [](CabacDecoder& d, uint16_t* c) { return decode_mb_skip_flag(d, c, false, 2); },
      1);
  add("mb_skip_flag B", bins("0", {25}), [](CabacDecoder& d, uint16_t* c) { return decode_mb_skip_flag(d, c, true, 1); },
      0);

  // mvd.
  const int mvds[] = {0, 1, -1, 2, -3, 8, 9, -9, 10, 16, 17, -100, 1000, -70000};
  int n = 0;
  for (int v : mvds) {
    const int comp = n % 2;
    const int inc = n % 3;
    ++n;
    add("mvd " + std::to_string(v), mvd_bins(comp, inc, v),
        [comp, inc](CabacDecoder& d, uint16_t* c) { return decode_mvd(d, c, comp, inc); }, v);
  }
  check(mvd_ctx_inc(0) == 0 && mvd_ctx_inc(2) == 0 && mvd_ctx_inc(3) == 1 && mvd_ctx_inc(32) == 1 &&
            mvd_ctx_inc(33) == 2,
        "mvd_ctx_inc thresholds 3 and 32");

  // ref_idx: U, 54+inc, 58, 59, 59...
  add("ref_idx 0", bins("0", {57}), [](CabacDecoder& d, uint16_t* c) { return decode_ref_idx(d, c, 3); }, 0);
  add("ref_idx 1", bins("10", {55, 58}), [](CabacDecoder& d, uint16_t* c) { return decode_ref_idx(d, c, 1); }, 1);
  add("ref_idx 4", bins("11110", {54, 58, 59, 59, 59}),
      [](CabacDecoder& d, uint16_t* c) { return decode_ref_idx(d, c, 0); }, 4);

  // mb_qp_delta: U of the Table 9-3 codeNum, 60+inc, 62, 63, 63...
  add("mb_qp_delta 0", bins("0", {61}), [](CabacDecoder& d, uint16_t* c) { return decode_mb_qp_delta(d, c, 1); }, 0);
  add("mb_qp_delta +1", bins("10", {60, 62}), [](CabacDecoder& d, uint16_t* c) { return decode_mb_qp_delta(d, c, 0); },
      1);
  add("mb_qp_delta -1", bins("110", {60, 62, 63}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_qp_delta(d, c, 0); }, -1);
  add("mb_qp_delta +2", bins("1110", {61, 62, 63, 63}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_qp_delta(d, c, 1); }, 2);
  add("mb_qp_delta -2", bins("11110", {60, 62, 63, 63, 63}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_qp_delta(d, c, 0); }, -2);

  // Intra prediction modes: flag 68; rem FL 3 bins, least significant first, 69.
  add("prev_intra_pred_mode_flag", bins("1", {68}),
      [](CabacDecoder& d, uint16_t* c) { return decode_prev_intra_pred_mode_flag(d, c); }, 1);
  add("rem_intra_pred_mode 6", bins("011", {69, 69, 69}),
      [](CabacDecoder& d, uint16_t* c) { return decode_rem_intra_pred_mode(d, c); }, 6);
  add("rem_intra_pred_mode 1", bins("100", {69, 69, 69}),
      [](CabacDecoder& d, uint16_t* c) { return decode_rem_intra_pred_mode(d, c); }, 1);
  // intra_chroma_pred_mode: TU cMax 3, 64+inc, 67, 67.
  add("intra_chroma_pred_mode 0", bins("0", {66}),
      [](CabacDecoder& d, uint16_t* c) { return decode_intra_chroma_pred_mode(d, c, 2); }, 0);
  add("intra_chroma_pred_mode 1", bins("10", {64, 67}),
      [](CabacDecoder& d, uint16_t* c) { return decode_intra_chroma_pred_mode(d, c, 0); }, 1);
  add("intra_chroma_pred_mode 2", bins("110", {65, 67, 67}),
      [](CabacDecoder& d, uint16_t* c) { return decode_intra_chroma_pred_mode(d, c, 1); }, 2);
  add("intra_chroma_pred_mode 3", bins("111", {64, 67, 67}),
      [](CabacDecoder& d, uint16_t* c) { return decode_intra_chroma_pred_mode(d, c, 0); }, 3);

  // coded_block_pattern, clause 9.3.3.1.1.4, worked by hand:
  // left skipped (cbp 0), top luma 0xF chroma 1; coding luma 0b0101, chroma 2:
  // b0 A left blk1 clear (1) B top blk2 set (0) -> 74; b1 A cur blk0 set (0)
  // B top blk3 set (0) -> 73; b2 A left blk3 clear (1) B cur blk0 set (0) ->
  // 74; b3 A cur blk2 set (0) B cur blk1 clear (1) -> 75; chroma bin0 A 0 B 1
  // -> 77+2; bin1 4 + (A==2) + 2(B==2) -> 81.
  add("coded_block_pattern 0x25", bins("1 0 1 0 1 1", {74, 73, 74, 75, 79, 81}),
      [](CabacDecoder& d, uint16_t* c) {
        return decode_coded_block_pattern(d, c, cabac_neighbour_cbp(true, true, false, 0x1F),
                                          cabac_neighbour_cbp(true, false, false, 0x1F), true);
      },
      0x25);
  // Both neighbours unavailable, coding 0: b0 73, b1 A cur blk0 clear (1) B
  // unavailable (0) -> 74, b2 A unavailable (0) B cur blk0 clear (1) -> 75,
  // b3 -> 76; chroma bin0 -> 77.
  add("coded_block_pattern 0 (no neighbours)", bins("0 0 0 0 0", {73, 74, 75, 76, 77}),
      [](CabacDecoder& d, uint16_t* c) {
        return decode_coded_block_pattern(d, c, cabac_neighbour_cbp(false, false, false, 0),
                                          cabac_neighbour_cbp(false, false, false, 0), true);
      },
      0);
  // I_PCM neighbours (luma 0xF, chroma 2), monochrome (no chroma bins), luma 0b1000:
  // b0 -> 73, b1 A cur blk0 clear (1) -> 74, b2 B cur blk0 clear -> 75, b3 A
  // cur blk2 clear (1) B cur blk1 clear (1) -> 76.
  add("coded_block_pattern 8 (PCM neighbours, no chroma)", bins("0 0 0 1", {73, 74, 75, 76}),
      [](CabacDecoder& d, uint16_t* c) {
        return decode_coded_block_pattern(d, c, cabac_neighbour_cbp(true, false, true, 0),
                                          cabac_neighbour_cbp(true, false, true, 0), false);
      },
      8);
  // PCM neighbours with chroma: bin0 A, B chroma 2 -> 77+3, bin1 -> 77+4+3.
  add("coded_block_pattern 0x1F (PCM neighbours)", bins("1 1 1 1 1 0", {73, 73, 73, 73, 80, 84}),
      [](CabacDecoder& d, uint16_t* c) {
        return decode_coded_block_pattern(d, c, cabac_neighbour_cbp(true, false, true, 0),
                                          cabac_neighbour_cbp(true, false, true, 0), true);
      },
      0x1F);

  add("transform_size_8x8_flag", bins("1", {400}),
      [](CabacDecoder& d, uint16_t* c) { return decode_transform_size_8x8_flag(d, c, 1); }, 1);
  add("end_of_slice_flag 0", {{T, 0}}, [](CabacDecoder& d, uint16_t*) { return decode_end_of_slice_flag(d); }, 0);
  // I_PCM ends the arithmetic-coded data (its terminating bin is 1), so it
  // comes last.
  add("B mb_type intra I_PCM", bins("111101 1 1", {29, 30, 31, 32, 32, 32, 32, T}),
      [](CabacDecoder& d, uint16_t* c) { return decode_mb_type_b(d, c, 2); }, 23 + 25);
  return cs;
}

// Residual block: decodes and returns a checksum-free comparison through
// `want` (coefficients are checked separately by the case closure).
std::vector<Case> residual_cases(std::vector<std::vector<int32_t>>* got, std::vector<std::vector<int32_t>>* want) {
  std::vector<Case> cs;
  auto block = [&](const std::string& what, std::vector<Bin> b, int cat, int cbf_inc, int start, int end, int max,
                   std::vector<int32_t> coeffs) {
    const size_t slot = want->size();
    want->push_back(coeffs);
    got->push_back({});
    int nonzero = 0;
    for (int32_t v : coeffs) nonzero += v != 0;
    cs.push_back({what, std::move(b),
                  [=](CabacDecoder& d, uint16_t* c) -> int64_t {
                    int32_t out[64];
                    const int r = residual_block_cabac(d, c, cat, cbf_inc, start, end, max, out);
                    (*got)[slot].assign(out, out + max);
                    return r;
                  },
                  nonzero});
  };
  const int B = kBypass;

  // LumaLevel4x4 (cat 2), coded_block_flag ctxIdxInc 3 -> 85 + 8 + 3 = 96.
  // Coefficients [5 0 -1 0 0 2 0...]. significant_coeff_flag 105 + 29 + i,
  // last 166 + 29 + i. Levels (reverse): 2 -> bin0 227+20+1 = 248 '1', then
  // 247+5+0 = 252 '0', sign 0; -1 -> bin0 247 (a level > 1 was decoded) '0',
  // sign 1; 5 -> 247 '1', 247+5+1 = 253 "1110", sign 0.
  block("LumaLevel4x4", bins("1", {96}) + bins("1 0  0  1 0  0  0  1 1", {134, 195, 135, 136, 197, 137, 138, 139, 200}) +
                            bins("1 0", {248, 252}) + std::vector<Bin>{{B, 0}} + bins("0", {247}) +
                            std::vector<Bin>{{B, 1}} + bins("1 1 1 1 0", {247, 253, 253, 253, 253}) +
                            std::vector<Bin>{{B, 0}},
        kCatLuma4x4, 3, 0, 15, 16, {5, 0, -1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

  // Chroma DC 4:2:0 (cat 3), coded_block_flag 85 + 12 + 0 = 97. [0 0 0 -20]:
  // significant 105 + 44 + Min(i, 2) all 0 (the last coefficient is then
  // significant without a flag). -20: coeff_abs_level_minus1 19 = prefix of
  // 14 ones (bin0 227+30+1 = 258, then 227+30+5+0 = 262) and UEG0 suffix 5 =
  // "11010", sign 1.
  {
    std::vector<Bin> b = bins("1", {97}) + bins("0 0 0", {149, 150, 151}) + bins("1", {258});
    for (int i = 0; i < 13; ++i) b.push_back({262, 1});
    b = b + exp_golomb_bins(5, 0) + std::vector<Bin>{{B, 1}};
    block("ChromaDCLevel", b, kCatChromaDc, 0, 0, 3, 4, {0, 0, 0, -20});
  }

  // Intra16x16ACLevel (cat 1) not coded: coded_block_flag 85 + 4 + 2 = 91, '0'.
  block("Intra16x16ACLevel not coded", bins("0", {91}), kCatLumaAc16x16, 2, 0, 14, 15,
        std::vector<int32_t>(15, 0));

  // ChromaACLevel (cat 4), list [0 x14, 1]: coded_block_flag 85 + 16 + 1 =
  // 102; significant 105 + 47 + i for i 0..13 all '0'; level 1: 227+39+1 = 267 '0', sign 0.
  {
    std::vector<Bin> b = bins("1", {102});
    for (int i = 0; i < 14; ++i) b.push_back({152 + i, 0});
    b = b + bins("0", {267}) + std::vector<Bin>{{B, 0}};
    std::vector<int32_t> c(15, 0);
    c[14] = 1;
    block("ChromaACLevel last position", b, kCatChromaAc, 1, 0, 14, 15, c);
  }

  // LumaLevel8x8 (cat 5), no coded_block_flag: [1, 0 x19, -2, 0...].
  // significant 402 + Table 9-43 frame column (0 1 2 3 4 5 5 4 4 3 3 4 4 4 5
  // 5 4 4 4 4 3 for levelListIdx 0..20), last 417 + Table 9-43 last column
  // (0 at 0, 2 at 20). Levels: -2 -> 426+1 = 427 '1', 426+5 = 431 '0', sign 1;
  // 1 -> 426 '0', sign 0.
  {
    const int sig8x8[21] = {0, 1, 2, 3, 4, 5, 5, 4, 4, 3, 3, 4, 4, 4, 5, 5, 4, 4, 4, 4, 3};
    std::vector<Bin> b = bins("1 0", {402 + sig8x8[0], 417});
    for (int i = 1; i < 20; ++i) b.push_back({402 + sig8x8[i], 0});
    b = b + bins("1 1", {402 + sig8x8[20], 417 + 2}) + bins("1 0", {427, 431}) + std::vector<Bin>{{B, 1}} +
        bins("0", {426}) + std::vector<Bin>{{B, 0}};
    std::vector<int32_t> c(64, 0);
    c[0] = 1;
    c[20] = -2;
    block("LumaLevel8x8", b, kCatLuma8x8, kCodedBlockFlagInferred, 0, 63, 64, c);
  }

  // LumaLevel8x8 with its only coefficient at list position 63: 63
  // significant_coeff_flag bins of 0 through the whole frame column of
  // Table 9-43 (as x264 and FFmpeg list it), then the level 7 at position 63
  // without a flag: 427 '1', 431 "11111" then '0', sign 0.
  {
    const int sig8x8[63] = {0,  1,  2,  3,  4,  5,  5,  4,  4,  3,  3,  4,  4,  4,  5,  5,  4,  4,  4,  4,  3,
                            3,  6,  7,  7,  7,  8,  9,  10, 9,  8,  7,  7,  6,  11, 12, 13, 11, 6,  7,  8,  9,
                            14, 10, 9,  8,  6,  11, 12, 13, 11, 6,  9,  14, 10, 9,  11, 12, 13, 11, 14, 10, 12};
    std::vector<Bin> b;
    for (int i = 0; i < 63; ++i) b.push_back({402 + sig8x8[i], 0});
    b = b + bins("1 1 1 1 1 1 0", {427, 431, 431, 431, 431, 431, 431}) + std::vector<Bin>{{B, 0}};
    std::vector<int32_t> c(64, 0);
    c[63] = 7;
    block("LumaLevel8x8 last position", b, kCatLuma8x8, kCodedBlockFlagInferred, 0, 63, 64, c);
  }
  // LumaLevel8x8 with coefficients at 30 and 62: last_significant_coeff_flag
  // contexts 417 + Table 9-43 last column (2 at 30, 8 at 62).
  {
    const int sig8x8[63] = {0,  1,  2,  3,  4,  5,  5,  4,  4,  3,  3,  4,  4,  4,  5,  5,  4,  4,  4,  4,  3,
                            3,  6,  7,  7,  7,  8,  9,  10, 9,  8,  7,  7,  6,  11, 12, 13, 11, 6,  7,  8,  9,
                            14, 10, 9,  8,  6,  11, 12, 13, 11, 6,  9,  14, 10, 9,  11, 12, 13, 11, 14, 10, 12};
    std::vector<Bin> b;
    for (int i = 0; i < 63; ++i) {
      if (i == 30) {
        b = b + bins("1 0", {402 + sig8x8[i], 417 + 2});
      } else if (i == 62) {
        b = b + bins("1 1", {402 + sig8x8[i], 417 + 8});
      } else {
        b.push_back({402 + sig8x8[i], 0});
      }
    }
    // Levels: position 62 = -1 (427 '0', sign 1), position 30 = 1 (428 '0', sign 0).
    b = b + bins("0", {427}) + std::vector<Bin>{{B, 1}} + bins("0", {428}) + std::vector<Bin>{{B, 0}};
    std::vector<int32_t> c(64, 0);
    c[30] = 1;
    c[62] = -1;
    block("LumaLevel8x8 last at 62", b, kCatLuma8x8, kCodedBlockFlagInferred, 0, 63, 64, c);
  }

  // Intra16x16DCLevel (cat 0), cbf 85 + 0 + 0; four levels of 1 then one of 3,
  // exercising numDecodAbsLevelEq1 (bin0 ctxIdxInc 1, 2, 3, 4, 4) and then
  // numDecodAbsLevelGt1. List [3 1 1 1 1 1 0...]: significance at 0..5, last at 5.
  {
    std::vector<Bin> b = bins("1", {85});
    for (int i = 0; i < 5; ++i) b = b + bins("1 0", {105 + i, 166 + i});
    b = b + bins("1 1", {110, 171});
    // Reverse order: 1 (inc 1), 1 (2), 1 (3), 1 (4), 1 (4), then 3: bin0 inc 4 '1', 227+5+0 "10".
    for (int inc : {1, 2, 3, 4, 4}) b = b + bins("0", {227 + inc}) + std::vector<Bin>{{B, 0}};
    b = b + bins("1 1 0", {231, 232, 232}) + std::vector<Bin>{{B, 1}};
    block("Intra16x16DCLevel", b, kCatLumaDc16x16, 0, 0, 15, 16, {-3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  }
  return cs;
}

}  // namespace

int main() {
  const std::vector<Case> syntax = syntax_cases();
  run("P idc0 QP30", syntax, false, 0, 30);
  run("P idc2 QP20", syntax, false, 2, 20);
  run("B idc1 QP40", syntax, false, 1, 40);

  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::vector<int32_t>> got, want;
    const std::vector<Case> residual = residual_cases(&got, &want);
    const std::string label = pass == 0 ? "residual I QP26" : "residual idc0 QP35";
    run(label, residual, pass == 0, 0, pass == 0 ? 26 : 35);
    for (size_t i = 0; i < want.size(); ++i)
      check(got[i] == want[i], label + " " + residual[i].what + ": coefficients");
  }

  return report();
}
