// Macroblock and sub-macroblock types of P and B slices (Tables 7-13, 7-14,
// 7-17, 7-18) as data: partitioning and the lists each partition predicts from.
#pragma once
#include <cstdint>

namespace codectok {
namespace h264 {

// Partitioning of a macroblock, as the dumps code it.
enum MbPartitioning : uint8_t { kPart16x16 = 0, kPart16x8 = 1, kPart8x16 = 2, kPart8x8 = 3 };

// Prediction list flags: bit 0 list 0, bit 1 list 1 (Pred_L0 = 1, Pred_L1 = 2, BiPred = 3).
struct InterMbType {
  uint8_t partitioning;
  uint8_t num_parts;
  uint8_t pred[2];  // per partition (16x8 / 8x16 / 16x16); 0 for 8x8 types
};

// P mb_type 0..4: P_L0_16x16, P_L0_L0_16x8, P_L0_L0_8x16, P_8x8, P_8x8ref0.
constexpr InterMbType kPMbTypes[5] = {
    {kPart16x16, 1, {1, 0}}, {kPart16x8, 2, {1, 1}}, {kPart8x16, 2, {1, 1}}, {kPart8x8, 4, {0, 0}}, {kPart8x8, 4, {0, 0}},
};

// B mb_type 0..22 (0 B_Direct_16x16: no partitions coded; 22 B_8x8).
constexpr InterMbType kBMbTypes[23] = {
    {kPart16x16, 0, {0, 0}},  // B_Direct_16x16
    {kPart16x16, 1, {1, 0}}, {kPart16x16, 1, {2, 0}}, {kPart16x16, 1, {3, 0}},
    {kPart16x8, 2, {1, 1}},  {kPart8x16, 2, {1, 1}},  {kPart16x8, 2, {2, 2}}, {kPart8x16, 2, {2, 2}},
    {kPart16x8, 2, {1, 2}},  {kPart8x16, 2, {1, 2}},  {kPart16x8, 2, {2, 1}}, {kPart8x16, 2, {2, 1}},
    {kPart16x8, 2, {1, 3}},  {kPart8x16, 2, {1, 3}},  {kPart16x8, 2, {2, 3}}, {kPart8x16, 2, {2, 3}},
    {kPart16x8, 2, {3, 1}},  {kPart8x16, 2, {3, 1}},  {kPart16x8, 2, {3, 2}}, {kPart8x16, 2, {3, 2}},
    {kPart16x8, 2, {3, 3}},  {kPart8x16, 2, {3, 3}},  {kPart8x8, 4, {0, 0}},
};
constexpr int kBDirect16x16 = 0;
constexpr int kB8x8 = 22;
constexpr int kP8x8 = 3;
constexpr int kP8x8Ref0 = 4;

// Sub-macroblock shape: 0 8x8, 1 8x4, 2 4x8, 3 4x4.
struct SubMbType {
  uint8_t shape;
  uint8_t num_parts;  // 0 for B_Direct_8x8
  uint8_t pred;
};
constexpr SubMbType kPSubMbTypes[4] = {{0, 1, 1}, {1, 2, 1}, {2, 2, 1}, {3, 4, 1}};
constexpr SubMbType kBSubMbTypes[13] = {
    {0, 0, 0},                                      // B_Direct_8x8
    {0, 1, 1}, {0, 1, 2}, {0, 1, 3},                // 8x8 L0, L1, Bi
    {1, 2, 1}, {2, 2, 1}, {1, 2, 2}, {2, 2, 2},     // 8x4 / 4x8 L0, L1
    {1, 2, 3}, {2, 2, 3}, {3, 4, 1}, {3, 4, 2}, {3, 4, 3},
};
constexpr int kBDirect8x8 = 0;
// Width and height (4x4 units) of a sub-macroblock partition of each shape.
constexpr uint8_t kSubPartW[4] = {2, 2, 1, 1};
constexpr uint8_t kSubPartH[4] = {2, 1, 2, 1};

}  // namespace h264
}  // namespace codectok
