// H.264 decoded picture buffer for reference purposes (frames only):
// picture order count (clause 8.2.1, types 0, 1, 2), frame_num gaps
// (8.2.5.2), reference marking (sliding window and MMCO, 8.2.5), reference
// picture list initialisation and modification (8.2.4). Output order is the
// stream decoder's business.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "h264/slice_header.h"

namespace codectok {
namespace h264 {

struct ColocatedMotion;  // h264/picture_motion.h

// One entry of a reference picture list.
struct RefPicture {
  int32_t id = -1;  // unique per decoded (or gap-filling) frame; -1: "no reference picture"
  int32_t poc = 0;
  bool long_term = false;
  std::shared_ptr<const ColocatedMotion> motion;  // null for gap frames
};

struct RefLists {
  int num[2] = {0, 0};
  RefPicture list[2][33];
};

// POC state carried from picture to picture (clause 8.2.1).
struct PocState {
  int32_t prev_poc_msb = 0, prev_poc_lsb = 0;  // of the previous reference picture
  int32_t prev_frame_num_offset = 0;
  uint32_t prev_frame_num = 0;
};

// Computes TopFieldOrderCnt / BottomFieldOrderCnt of a frame and returns the
// frame's POC (their minimum). Updates nothing: see Dpb::finish_picture.
struct PocResult {
  int32_t top = 0, bottom = 0, frame_num_offset = 0, poc_msb = 0;
  int32_t poc() const { return top < bottom ? top : bottom; }
};
PocResult compute_poc(const Sps& sps, const SliceHeader& sh, const PocState& st);

class Dpb {
 public:
  // Called at the first slice of a picture, before decoding it: IDR flush,
  // frame_num gap filling. Returns the picture's POC.
  int32_t start_picture(const SliceHeader& sh);
  // Builds the reference picture lists of a slice of the current picture.
  void build_lists(const SliceHeader& sh, RefLists& out) const;
  // After the last slice: reference marking of the current picture (with the
  // MMCOs of its first slice) and storage of its co-located motion.
  void finish_picture(const SliceHeader& sh, std::shared_ptr<const ColocatedMotion> motion);
  int32_t current_id() const { return cur_id_; }
  int32_t current_poc() const { return cur_poc_.poc(); }
  bool current_has_mmco5() const { return cur_mmco5_; }

 private:
  struct Frame {
    int32_t id = 0;
    int32_t poc = 0;
    uint32_t frame_num = 0;
    int32_t frame_num_wrap = 0;
    int32_t long_term_frame_idx = 0;
    bool short_ref = false, long_ref = false;
    std::shared_ptr<const ColocatedMotion> motion;
  };
  void sliding_window(const Sps& sps);
  void apply_mmco(const SliceHeader& sh, const Sps& sps, bool& current_long, int32_t& current_lt_idx);
  void update_frame_num_wrap(uint32_t frame_num, int max_frame_num);
  void drop_unused();

  std::vector<Frame> frames_;  // reference frames only
  PocState poc_state_;
  PocResult cur_poc_;
  uint32_t prev_ref_frame_num_ = 0;
  int32_t max_long_term_frame_idx_ = -1;  // -1: "no long-term frame indices"
  int32_t next_id_ = 0;
  int32_t cur_id_ = -1;
  bool cur_mmco5_ = false;
  bool started_ = false;
};

}  // namespace h264
}  // namespace codectok
