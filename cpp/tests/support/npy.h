// Test support: NumPy .npy reader (format versions 1.0, 2.0 and 3.0).
// Only C-order, little-endian (or byte-sized) arrays are accepted; the payload
// is kept as raw bytes and converted on request.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace codectok {
namespace test {

struct NpyArray {
  std::string dtype;           // the header's descr, e.g. "<i2", "<i8", "<f4", "|u1"
  std::vector<int64_t> shape;  // empty for a 0-d array
  std::vector<uint8_t> data;   // raw little-endian payload, C order

  size_t item_size() const;     // bytes per element, from dtype
  size_t element_count() const;  // product of shape (1 for a 0-d array)
  std::string shape_string() const;  // "(3, 16, 16, 8)"

  // Copies the payload out as T, checking that dtype matches T exactly
  // (int16_t: "<i2", int32_t: "<i4", int64_t: "<i8", float: "<f4",
  // double: "<f8", uint8_t: "|u1", int8_t: "|i1", uint16_t: "<u2").
  template <typename T>
  std::vector<T> as() const {
    check_dtype(dtype_for(static_cast<T*>(nullptr)));
    std::vector<T> out(element_count());
    if (!out.empty()) std::memcpy(out.data(), data.data(), out.size() * sizeof(T));
    return out;
  }

 private:
  void check_dtype(const char* want) const;
  static const char* dtype_for(int16_t*) { return "<i2"; }
  static const char* dtype_for(int32_t*) { return "<i4"; }
  static const char* dtype_for(int64_t*) { return "<i8"; }
  static const char* dtype_for(uint16_t*) { return "<u2"; }
  static const char* dtype_for(uint8_t*) { return "|u1"; }
  static const char* dtype_for(int8_t*) { return "|i1"; }
  static const char* dtype_for(float*) { return "<f4"; }
  static const char* dtype_for(double*) { return "<f8"; }
};

// Parses a whole .npy file. Throws std::runtime_error on a bad magic, an
// unparsable header, fortran_order True, a big-endian or unknown dtype, or a
// payload whose size does not match the shape (trailing bytes are an error).
NpyArray parse_npy(const uint8_t* bytes, size_t size);
NpyArray parse_npy(std::vector<uint8_t>&& bytes);  // reuses the buffer

}  // namespace test
}  // namespace codectok
