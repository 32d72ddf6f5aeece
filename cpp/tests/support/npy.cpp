#include "support/npy.h"

#include <cctype>

namespace codectok {
namespace test {
namespace {

[[noreturn]] void bad(const std::string& what) { throw std::runtime_error("npy: " + what); }

// Minimal parser for the header's Python dict literal:
// {'descr': '<i2', 'fortran_order': False, 'shape': (3, 16, 16, 8), }
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& s) : s_(s) {}

  void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') { ++i_; break; }
      const std::string key = string_literal();
      expect(':');
      skip_ws();
      if (key == "descr") {
        descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        bad("unexpected header key '" + key + "' in " + s_);
      }
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      expect('}');
      break;
    }
    skip_ws();
    if (i_ != s_.size()) bad("trailing characters after the header dict: " + s_);
    if (!have_descr || !have_fortran || !have_shape) bad("header misses descr, fortran_order or shape: " + s_);
  }

 private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() { while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_; }
  void expect(char c) {
    skip_ws();
    if (peek() != c) bad(std::string("expected '") + c + "' at offset " + std::to_string(i_) + " of header " + s_);
    ++i_;
  }
  std::string string_literal() {
    skip_ws();
    const char q = peek();
    if (q != '\'' && q != '"') bad("expected a string at offset " + std::to_string(i_) + " of header " + s_);
    ++i_;
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\') bad("escapes are not supported in the header: " + s_);
      ++i_;
    }
    if (i_ >= s_.size()) bad("unterminated string in header " + s_);
    return s_.substr(start, i_++ - start);
  }
  bool boolean() {
    if (s_.compare(i_, 4, "True") == 0) { i_ += 4; return true; }
    if (s_.compare(i_, 5, "False") == 0) { i_ += 5; return false; }
    bad("expected True or False at offset " + std::to_string(i_) + " of header " + s_);
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') { ++i_; break; }
      if (!std::isdigit(static_cast<unsigned char>(peek()))) bad("bad shape in header " + s_);
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        v = v * 10 + (s_[i_++] - '0');
        if (v > (int64_t(1) << 40)) bad("absurd dimension in header " + s_);
      }
      if (peek() == 'L') ++i_;  // Python 2 long suffix
      dims.push_back(v);
      skip_ws();
      if (peek() == ',') { ++i_; continue; }
      expect(')');
      break;
    }
    return dims;
  }

  const std::string& s_;
  size_t i_ = 0;
};

size_t dtype_size(const std::string& d) {
  if (d.size() < 3) bad("unsupported dtype '" + d + "'");
  const char order = d[0];
  const char kind = d[1];
  if (order == '>') bad("big-endian dtype '" + d + "' is not supported");
  if (order != '<' && order != '|' && order != '=') bad("unsupported dtype '" + d + "'");
  if (kind != 'i' && kind != 'u' && kind != 'f' && kind != 'b') bad("unsupported dtype '" + d + "'");
  size_t n = 0;
  for (size_t i = 2; i < d.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) bad("unsupported dtype '" + d + "'");
    n = n * 10 + size_t(d[i] - '0');
  }
  if (n != 1 && n != 2 && n != 4 && n != 8) bad("unsupported dtype '" + d + "'");
  if (kind == 'f' && n < 4) bad("unsupported dtype '" + d + "'");
  return n;
}

// Returns the payload offset and fills the header fields.
size_t parse_header(const uint8_t* bytes, size_t size, NpyArray& a) {
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0) bad("not a .npy file (bad magic)");
  const uint8_t major = bytes[6];
  size_t header_len, offset;
  if (major == 1) {
    header_len = size_t(bytes[8]) | size_t(bytes[9]) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) bad("truncated header");
    header_len = size_t(bytes[8]) | size_t(bytes[9]) << 8 | size_t(bytes[10]) << 16 | size_t(bytes[11]) << 24;
    offset = 12;
  } else {
    bad("unsupported format version " + std::to_string(major) + "." + std::to_string(bytes[7]));
  }
  if (size - offset < header_len) bad("truncated header");
  const std::string header(reinterpret_cast<const char*>(bytes + offset), header_len);
  bool fortran = false;
  HeaderParser(header).parse(a.dtype, fortran, a.shape);
  if (fortran) bad("fortran_order True is not supported");
  offset += header_len;
  const size_t item = dtype_size(a.dtype);
  const size_t count = a.element_count();
  if (count != 0 && item > (size_t(-1) / count)) bad("array too large");
  if (size - offset != count * item)
    bad("payload is " + std::to_string(size - offset) + " bytes, shape " + a.shape_string() +
        " of " + a.dtype + " needs " + std::to_string(count * item));
  return offset;
}

}  // namespace

size_t NpyArray::item_size() const { return dtype_size(dtype); }

size_t NpyArray::element_count() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

std::string NpyArray::shape_string() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

void NpyArray::check_dtype(const char* want) const {
  std::string have = dtype;
  if (!have.empty() && have[0] == '=') have[0] = '<';  // native = little-endian here
  if (have.size() == 3 && have[2] == '1') have[0] = '|';
  if (have != want) bad(std::string("dtype is '") + dtype + "', expected '" + want + "'");
}

NpyArray parse_npy(const uint8_t* bytes, size_t size) {
  NpyArray a;
  const size_t offset = parse_header(bytes, size, a);
  a.data.assign(bytes + offset, bytes + size);
  return a;
}

NpyArray parse_npy(std::vector<uint8_t>&& bytes) {
  NpyArray a;
  const size_t offset = parse_header(bytes.data(), bytes.size(), a);
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
  a.data = std::move(bytes);
  return a;
}

}  // namespace test
}  // namespace codectok
