#include "bitstream/nal_unit.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "bitstream/parse_error.h"

namespace codectok {

void extract_rbsp(const uint8_t* data, size_t size, std::vector<uint8_t>& rbsp) {
  rbsp.resize(size);
  uint8_t* out = rbsp.data();
  size_t n = 0;
  int zeros = 0;
  for (size_t i = 0; i < size; ++i) {
    uint8_t b = data[i];
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;  // emulation prevention byte
    }
    out[n++] = b;
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  rbsp.resize(n);
}

void append_annexb(const NalUnit& nal, NalSyntax syntax, std::vector<uint8_t>& out) {
  const uint8_t start_code[4] = {0, 0, 0, 1};
  out.insert(out.end(), start_code, start_code + 4);
  if (syntax == NalSyntax::kH264) {
    out.push_back(static_cast<uint8_t>((nal.ref_idc << 5) | nal.type));
  } else {
    out.push_back(static_cast<uint8_t>((nal.type << 1) | (nal.layer_id >> 5)));
    out.push_back(static_cast<uint8_t>(((nal.layer_id & 31) << 3) | (nal.temporal_id + 1)));
  }
  int zeros = 0;
  for (uint8_t b : nal.rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push_back(3);  // emulation_prevention_three_byte
      zeros = 0;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  if (zeros > 0) out.push_back(3);  // cabac_zero_word: the payload may not end in 0x00
}

void AnnexBSplitter::push(const uint8_t* data, size_t size) {
  // Drop what was handed out, keep the rest.
  if (start_ > 0 && start_ > buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    base_offset_ += static_cast<int64_t>(start_);
    scan_ -= start_;
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), data, data + size);
}

[[noreturn]] static void nal_too_large(size_t size, size_t limit) {
  fail(ErrorCode::kLimitExceeded, "a NAL unit of at least " + std::to_string(size) +
                                      " bytes exceeds the limit maxNalUnitSize = " + std::to_string(limit));
}

// Finds the next 00 00 01 at or after `from`; returns its position or npos.
static size_t find_start_code(const uint8_t* p, size_t size, size_t from) {
  if (size < 3) return SIZE_MAX;
  for (size_t i = from; i + 2 < size;) {
    if (p[i + 2] > 1) {
      i += 3;
    } else if (p[i + 2] == 1 && p[i + 1] == 0 && p[i] == 0) {
      return i;
    } else {
      ++i;
    }
  }
  return SIZE_MAX;
}

bool AnnexBSplitter::next(NalUnit& out) {
  const uint8_t* p = buffer_.data();
  size_t size = buffer_.size();
  for (;;) {
    // Locate the start code that begins the current NAL unit.
    size_t sc = find_start_code(p, size, start_);
    if (sc == SIZE_MAX) {
      // No start code: what precedes the last two bytes can never belong to a
      // NAL unit (leading garbage); drop it rather than scan it again.
      start_ = finished_ || size < 2 ? size : std::max(start_, size - 2);
      scan_ = start_;
      return false;
    }
    size_t nal_begin = sc + 3;
    if (scan_ < nal_begin) scan_ = nal_begin;
    size_t end = find_start_code(p, size, scan_);
    if (end == SIZE_MAX) {
      if (size - nal_begin > max_nal_unit_size_) nal_too_large(size - nal_begin, max_nal_unit_size_);
      if (!finished_) {
        scan_ = size >= 2 ? size - 2 : 0;
        if (scan_ < nal_begin) scan_ = nal_begin;
        start_ = sc;
        return false;
      }
      end = size;
    }
    size_t nal_end = end;
    // Trailing zero bytes belong to the next start code (zero_byte) or trailing_zero_8bits.
    while (nal_end > nal_begin && p[nal_end - 1] == 0) --nal_end;
    if (nal_end - nal_begin > max_nal_unit_size_) nal_too_large(nal_end - nal_begin, max_nal_unit_size_);
    start_ = end;
    scan_ = end;
    if (nal_end - nal_begin < 2) continue;  // empty NAL unit: skip
    out.byte_offset = base_offset_ + static_cast<int64_t>(nal_begin);
    out.byte_size = static_cast<int64_t>(nal_end - nal_begin);
    uint8_t h0 = p[nal_begin], h1 = p[nal_begin + 1];
    if (h0 & 0x80) fail(ErrorCode::kInvalidSyntax, "forbidden_zero_bit is set in a NAL unit header");
    size_t header = 2;
    if (syntax_ == NalSyntax::kH264) {
      out.type = h0 & 0x1f;
      out.ref_idc = (h0 >> 5) & 3;
      out.layer_id = 0;
      out.temporal_id = 0;
      header = (out.type == 14 || out.type == 20 || out.type == 21) ? 4 : 1;
      if (nal_end - nal_begin < header) continue;
    } else {
      out.type = (h0 >> 1) & 0x3f;
      out.ref_idc = 0;
      out.layer_id = ((h0 & 1) << 5) | (h1 >> 3);
      out.temporal_id = (h1 & 7) - 1;
      if (out.temporal_id < 0) fail(ErrorCode::kInvalidSyntax, "nuh_temporal_id_plus1 is 0");
    }
    extract_rbsp(p + nal_begin + header, nal_end - nal_begin - header, out.rbsp);
    return true;
  }
}

}  // namespace codectok
