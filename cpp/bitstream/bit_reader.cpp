#include "bitstream/bit_reader.h"

namespace codectok {

bool BitReader::more_rbsp_data() const {
  if (pos_ >= size_bits_) return false;
  // Find the last 1 bit of the RBSP (the rbsp_stop_one_bit).
  size_t last_byte = size_bits_ / 8;
  while (last_byte > 0 && data_[last_byte - 1] == 0) --last_byte;
  if (last_byte == 0) return false;
  uint8_t b = data_[last_byte - 1];
  int trailing = 0;
  while (((b >> trailing) & 1) == 0) ++trailing;
  size_t stop_bit_pos = (last_byte - 1) * 8 + (7 - trailing);
  return pos_ < stop_bit_pos;
}

}  // namespace codectok
