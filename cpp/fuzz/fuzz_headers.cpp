// libFuzzer target: the parameter-set and slice-header readers alone
// (clauses 7.3.2.2, 7.3.2.3, 7.3.6), without slice data. Annex-B bytes in; each
// SPS/PPS is parsed into its table, each slice segment header is parsed
// against the tables (with the PPS layout derived as the decoder does).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "bitstream/bit_reader.h"
#include "bitstream/nal_unit.h"
#include "bitstream/parse_error.h"
#include "hevc/parameter_sets.h"
#include "hevc/slice_header.h"

using namespace codectok;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<Sps> sps[16];
  std::shared_ptr<Pps> pps[64];
  SliceHeader prev;
  bool have_prev = false;
  AnnexBSplitter splitter;
  splitter.push(data, size);
  splitter.finish();
  NalUnit nal;
  while (true) {
    try {
      if (!splitter.next(nal)) break;
    } catch (const ParseError&) {
      break;
    }
    try {
      BitReader br(nal.rbsp.data(), nal.rbsp.size());
      if (nal.type == kNalSps) {
        auto s = parse_sps(br);
        sps[s->id] = s;
      } else if (nal.type == kNalPps) {
        auto p = parse_pps(br);
        pps[p->id] = p;
      } else if (is_vcl(nal.type) && (nal.type <= kNalRaslR || (nal.type >= kNalBlaWLp && nal.type <= kNalCra))) {
        SliceHeader sh;
        parse_slice_header(br, nal.type, pps, sps, have_prev ? &prev : nullptr, sh);
        derive_pps_layout(*pps[sh.pps_id], *sps[pps[sh.pps_id]->sps_id]);
        prev = sh;
        have_prev = true;
      }
    } catch (const ParseError&) {
    }
  }
  return 0;
}
