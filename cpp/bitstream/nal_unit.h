// NAL units of an Annex-B byte stream (Annex B and clause 7.3.1).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace codectok {

enum NalType : int {
  kNalTrailN = 0, kNalTrailR = 1, kNalTsaN = 2, kNalTsaR = 3, kNalStsaN = 4, kNalStsaR = 5,
  kNalRadlN = 6, kNalRadlR = 7, kNalRaslN = 8, kNalRaslR = 9,
  kNalBlaWLp = 16, kNalBlaWRadl = 17, kNalBlaNLp = 18, kNalIdrWRadl = 19, kNalIdrNLp = 20, kNalCra = 21,
  kNalVps = 32, kNalSps = 33, kNalPps = 34, kNalAud = 35, kNalEos = 36, kNalEob = 37, kNalPrefixSei = 39,
};

inline bool is_vcl(int t) { return t < 32; }
inline bool is_irap(int t) { return t >= 16 && t <= 23; }
inline bool is_idr(int t) { return t == kNalIdrWRadl || t == kNalIdrNLp; }
inline bool is_bla(int t) { return t >= kNalBlaWLp && t <= kNalBlaNLp; }
inline bool is_rasl(int t) { return t == kNalRaslN || t == kNalRaslR; }
inline bool is_radl(int t) { return t == kNalRadlN || t == kNalRadlR; }
// Sub-layer non-reference picture (clause 3): even types up to 14.
inline bool is_sub_layer_non_reference(int t) { return t <= 14 && (t % 2) == 0; }

// The NAL unit header syntax a splitter parses: HEVC's two bytes (clause
// 7.3.1.2 of H.265) or H.264's one byte (clause 7.3.1 of H.264; three more
// for the SVC/MVC extension types 14, 20 and 21).
enum class NalSyntax { kHevc, kH264 };

struct NalUnit {
  int type = 0;
  int ref_idc = 0;  // H.264 nal_ref_idc (0 for HEVC)
  int layer_id = 0;
  int temporal_id = 0;
  int64_t byte_offset = 0;    // offset of the NAL header in the byte stream
  int64_t byte_size = 0;      // bytes of the NAL unit (header and payload; no start code, no trailing zeros)
  std::vector<uint8_t> rbsp;  // payload after the header, emulation prevention removed
};

// Removes emulation_prevention_three_byte (0x000003 -> 0x0000).
void extract_rbsp(const uint8_t* data, size_t size, std::vector<uint8_t>& rbsp);

// Appends `nal` to an Annex-B byte stream: a four-byte start code, its header (written back from
// type, ref_idc / layer and temporal ids; the one- or two-byte headers only) and its RBSP with
// emulation prevention bytes inserted (the inverse of extract_rbsp).
void append_annexb(const NalUnit& nal, NalSyntax syntax, std::vector<uint8_t>& out);

// Splits an Annex-B byte stream delivered in arbitrary chunks into NAL units.
class AnnexBSplitter {
 public:
  explicit AnnexBSplitter(NalSyntax syntax = NalSyntax::kHevc) : syntax_(syntax) {}
  void push(const uint8_t* data, size_t size);
  void finish() { finished_ = true; }
  // A NAL unit larger than this fails with kLimitExceeded (default 256 MiB).
  void set_max_nal_unit_size(int64_t bytes) { max_nal_unit_size_ = static_cast<size_t>(bytes); }
  // Returns the next complete NAL unit (header parsed), if any.
  bool next(NalUnit& out);
  // Stream offset of the first byte not handed out yet: every later NAL unit starts at or after it.
  int64_t pending_offset() const { return base_offset_ + static_cast<int64_t>(start_); }

 private:
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;         // first byte not yet handed out
  size_t scan_ = 0;          // where the search for the next start code resumes
  int64_t base_offset_ = 0;  // stream offset of buffer_[0]
  bool finished_ = false;
  NalSyntax syntax_;
  // Far above any real coded picture (an 8K intra picture at a high bitrate is
  // tens of MB); bounds the memory a stream without start codes can take.
  size_t max_nal_unit_size_ = size_t{256} << 20;
};

}  // namespace codectok
