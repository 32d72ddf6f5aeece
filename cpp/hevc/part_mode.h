// PartMode of a coding unit (Table 7-10): how it splits into prediction blocks.
#pragma once

namespace codectok {

enum PartMode : int {
  k2Nx2N = 0,
  k2NxN = 1,
  kNx2N = 2,
  kNxN = 3,
  k2NxnU = 4,
  k2NxnD = 5,
  knLx2N = 6,
  knRx2N = 7,
};

}  // namespace codectok
