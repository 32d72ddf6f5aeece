// A stand-in for cpp/stream/stream_decoder.cpp, linked into a test build of
// the addon (build/native-mock/codectok_mock.node) so that the glue in
// bindings/addon.cc is tested on its own: conversion of every field, zero-copy
// arrays and their release, errors, queueing, threads.
//
// Behaviour, driven by the bytes pushed:
// - each 'P' byte makes one picture (poc = decode_index = its number);
// - finish() makes one more picture;
// - "FAIL" throws ParseError(kInvalidSyntax) with byte_offset at the 'F' and
//   picture = pictures made so far; "BOOM" throws std::runtime_error;
// - "SLOW" sleeps 200 ms in push() (to see decoders run in parallel).
// - restart(start): pictures count from start.decode_index again;
// - SegmentPlanner: each 'C' byte is a cut point at its offset, whose start
//   decode index is the number of 'P' bytes before it and whose parameter sets
//   are the two bytes "PS"; planned_offset() is the number of bytes pushed.
// Picture p is 20x12 (ceil shapes: motion 3x5, cu 2x3); array values follow
// formulas the test recomputes; total_bits = number of live arrays (allocated
// by this mock and not yet released) when the picture was made.
#include <atomic>
#include <chrono>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "stream/segment_planner.h"
#include "stream/stream_decoder.h"
#include "bitstream/parse_error.h"

namespace codectok {

static std::atomic<int> g_live{0};

template <typename T>
static std::shared_ptr<codectok::HugePageVector<T>> make_array(size_t n) {
  ++g_live;
  return std::shared_ptr<codectok::HugePageVector<T>>(new codectok::HugePageVector<T>(n), [](codectok::HugePageVector<T>* v) {
    --g_live;
    delete v;
  });
}

class StreamDecoderImpl {
 public:
  explicit StreamDecoderImpl(const DecodeOptions& o) : options(o) {}
  DecodeOptions options;
  std::string tail;  // last bytes, to find markers across pushes
  int64_t offset = 0;
  int32_t count = 0;
  std::deque<PictureResult> ready;
  StreamDecoder::PictureObserver observer;

  void make_picture() {
    PictureResult p;
    const int32_t k = count++;
    p.poc = k;
    p.decode_index = k;
    p.nal_type = k == 0 ? 19 : 1;
    p.temporal_id = k % 3;
    p.disposable = k % 2 == 1;
    p.max_poc_lsb = 16 << k;
    p.irap = k == 0;
    p.new_sequence = k % 4 == 0;
    p.rasl = k % 4 == 2;
    p.poc_anchor = k % 3 != 1;
    p.width = 20;
    p.height = 12;
    p.bit_depth = 8 + (k % 3);
    p.crop_left = 1;
    p.crop_right = 2;
    p.crop_top = 3;
    p.crop_bottom = 4;
    for (int s = 0; s < 2; ++s) {
      SliceInfo si;
      si.type = "IPB"[(k + s) % 3];
      si.address = s * 7;
      si.dependent = s == 1;
      si.qp_delta = -k;
      for (int r = 0; r < s + 1; ++r) si.ref_l0.push_back(k - 1 - r);
      if (s == 1) si.ref_l1.push_back(k + 5);
      si.byte_offset = (int64_t{1} << 33) + 1000 * k + 100 * s;  // past 2^32: the glue keeps 64-bit offsets
      si.byte_size = 90 - s;
      p.slices.push_back(si);
    }
    p.total_bits = g_live.load();
    const size_t n4 = 3 * 5, n8 = 2 * 3;
    if (options.motion) {
      p.motion = make_array<int16_t>(n4 * 8);
      for (size_t i = 0; i < p.motion->size(); ++i) (*p.motion)[i] = static_cast<int16_t>(i * 7 + k - 40);
    }
    if (options.cu) {
      p.cu = make_array<int16_t>(n8 * 4);
      for (size_t i = 0; i < p.cu->size(); ++i) (*p.cu)[i] = static_cast<int16_t>(i + 100 * k);
    }
    if (options.bits) {
      p.bits = make_array<float>(n8);
      for (size_t i = 0; i < p.bits->size(); ++i) (*p.bits)[i] = static_cast<float>(i) * 0.5f + k;
    }
    if (options.residual) {
      p.residual = make_array<int16_t>(12 * 20);
      for (size_t i = 0; i < p.residual->size(); ++i) (*p.residual)[i] = static_cast<int16_t>(-static_cast<int>(i) - k);
    }
    if (options.tu_stats) {
      p.tu = make_array<int64_t>(13 * (k + 1));
      for (size_t i = 0; i < p.tu->size(); ++i) (*p.tu)[i] = (int64_t{1} << 40) * k + static_cast<int64_t>(i) - 3;
    }
    if (observer) observer(p);
    ready.push_back(std::move(p));
  }
};

StreamDecoder::StreamDecoder(const DecodeOptions& o, Codec) : impl_(new StreamDecoderImpl(o)) {}
StreamDecoder::~StreamDecoder() = default;

void StreamDecoder::push(const uint8_t* data, size_t size) {
  auto& d = *impl_;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const std::string window = d.tail + bytes;
  const int64_t window_start = d.offset - static_cast<int64_t>(d.tail.size());
  if (window.find("SLOW") != std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const size_t fail = window.find("FAIL");
  if (fail != std::string::npos) {
    ParseError e(ErrorCode::kInvalidSyntax, "mock: FAIL marker");
    e.byte_offset = window_start + static_cast<int64_t>(fail);
    e.picture = d.count;
    throw e;
  }
  if (window.find("BOOM") != std::string::npos) throw std::runtime_error("mock: BOOM marker");
  for (char c : bytes) {
    if (c == 'P') d.make_picture();
  }
  d.offset += static_cast<int64_t>(size);
  d.tail = window.size() > 3 ? window.substr(window.size() - 3) : window;
}

bool StreamDecoder::finish() {
  impl_->make_picture();
  return true;
}

void StreamDecoder::set_observer(PictureObserver observer) { impl_->observer = std::move(observer); }

// A new stream: pictures count from start.decode_index, offsets from 0.
void StreamDecoder::restart(const StreamStart& start) {
  auto& d = *impl_;
  d.tail.clear();
  d.offset = 0;
  d.count = start.decode_index;
  d.ready.clear();
}

bool StreamDecoder::next(PictureResult& out) {
  if (impl_->ready.empty()) return false;
  out = std::move(impl_->ready.front());
  impl_->ready.pop_front();
  return true;
}

// The planner's stand-in: see the top of this file.
SegmentPlanner::SegmentPlanner(Codec codec, const DecodeLimits&) : codec_(codec) {}
SegmentPlanner::~SegmentPlanner() = default;
void SegmentPlanner::push(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i, ++access_unit_start_) {
    if (data[i] == 'P') ++options_.start.decode_index;
    if (data[i] != 'C') continue;
    CutPoint c;
    c.byte_offset = access_unit_start_ + 1;
    c.first_slice_offset = c.byte_offset;
    c.start.decode_index = options_.start.decode_index;
    c.parameter_sets = {'P', 'S'};
    ready_.push_back(c);
  }
}
void SegmentPlanner::finish() { finished_ = true; }
bool SegmentPlanner::next(CutPoint& out) {
  if (ready_.empty()) return false;
  out = ready_.front();
  ready_.pop_front();
  return true;
}
int64_t SegmentPlanner::planned_offset() const {
  return finished_ ? std::numeric_limits<int64_t>::max() : access_unit_start_ + 1;
}

}  // namespace codectok
