#include "support/corpus.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "support/inflate.h"

namespace codectok {
namespace test {

// ================================================================ JSON

namespace {

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}

  JsonValue parse_document() {
    skip_ws();
    JsonValue v = value(0);
    skip_ws();
    if (i_ != s_.size()) fail("trailing characters after the JSON value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string& what) const {
    size_t line = 1, col = 1;
    for (size_t k = 0; k < i_ && k < s_.size(); ++k) {
      if (s_[k] == '\n') { ++line; col = 1; } else { ++col; }
    }
    throw std::runtime_error("json: " + what + " at line " + std::to_string(line) + " column " +
                             std::to_string(col));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool at_end() const { return i_ >= s_.size(); }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect_word(const char* w) {
    const size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) fail(std::string("invalid literal (expected '") + w + "')");
    i_ += n;
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    if (at_end()) fail("unexpected end of input");
    JsonValue v;
    const char c = peek();
    if (c == '{') {
      v.type = JsonValue::Type::kObject;
      ++i_;
      skip_ws();
      if (peek() == '}') { ++i_; return v; }
      for (;;) {
        skip_ws();
        if (peek() != '"') fail("expected a string key");
        std::string key = string_body();
        skip_ws();
        if (peek() != ':') fail("expected ':'");
        ++i_;
        skip_ws();
        v.object.emplace_back(std::move(key), value(depth + 1));
        skip_ws();
        if (peek() == ',') { ++i_; continue; }
        if (peek() == '}') { ++i_; break; }
        fail("expected ',' or '}'");
      }
    } else if (c == '[') {
      v.type = JsonValue::Type::kArray;
      ++i_;
      skip_ws();
      if (peek() == ']') { ++i_; return v; }
      for (;;) {
        skip_ws();
        v.array.push_back(value(depth + 1));
        skip_ws();
        if (peek() == ',') { ++i_; continue; }
        if (peek() == ']') { ++i_; break; }
        fail("expected ',' or ']'");
      }
    } else if (c == '"') {
      v.type = JsonValue::Type::kString;
      v.string = string_body();
    } else if (c == 't') {
      expect_word("true");
      v.type = JsonValue::Type::kBool;
      v.boolean = true;
    } else if (c == 'f') {
      expect_word("false");
      v.type = JsonValue::Type::kBool;
    } else if (c == 'n') {
      expect_word("null");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number(v);
    } else {
      fail(std::string("unexpected character '") + c + "'");
    }
    return v;
  }

  void number(JsonValue& v) {
    const size_t start = i_;
    bool integral = true;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++i_;
    } else {
      fail("invalid number");
    }
    if (peek() == '.') {
      integral = false;
      ++i_;
      if (!(peek() >= '0' && peek() <= '9')) fail("invalid number (digit expected after '.')");
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!(peek() >= '0' && peek() <= '9')) fail("invalid number (digit expected in exponent)");
      while (peek() >= '0' && peek() <= '9') ++i_;
    }
    const std::string text = s_.substr(start, i_ - start);
    v.type = JsonValue::Type::kNumber;
    v.number = std::strtod(text.c_str(), nullptr);
    if (integral) {
      errno = 0;
      const long long n = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) {
        v.is_integer = true;
        v.integer = n;
      }
    }
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  uint32_t hex4() {
    if (s_.size() - i_ < 4) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
      else fail("invalid \\u escape");
    }
    return v;
  }

  std::string string_body() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (at_end()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.compare(i_, 2, "\\u") != 0) fail("unpaired surrogate");
            i_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("invalid escape '\\") + e + "'");
      }
    }
    return out;
  }

  const std::string& s_;
  size_t i_ = 0;
};

[[noreturn]] void type_error(const JsonValue& v, const char* want) {
  throw std::runtime_error(std::string("json: expected ") + want + ", got " + v.type_name());
}

}  // namespace

const char* JsonValue::type_name() const {
  switch (type) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "?";
}

const JsonValue* JsonValue::find(const std::string& key) const {
  if (type != Type::kObject) return nullptr;
  for (const auto& kv : object)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

const JsonValue& JsonValue::at(const std::string& key) const {
  if (type != Type::kObject) type_error(*this, "object");
  const JsonValue* v = find(key);
  if (!v) throw std::runtime_error("json: missing key '" + key + "'");
  return *v;
}

const JsonValue& JsonValue::at(size_t index) const {
  if (type != Type::kArray) type_error(*this, "array");
  if (index >= array.size()) throw std::runtime_error("json: index " + std::to_string(index) + " out of range");
  return array[index];
}

int64_t JsonValue::as_int() const {
  if (type == Type::kBool) return boolean ? 1 : 0;
  if (type != Type::kNumber) type_error(*this, "integer");
  if (is_integer) return integer;
  if (std::floor(number) == number && std::fabs(number) < 9.0e15) return static_cast<int64_t>(number);
  type_error(*this, "integer");
}

double JsonValue::as_double() const {
  if (type != Type::kNumber) type_error(*this, "number");
  return number;
}

bool JsonValue::as_bool() const {
  if (type == Type::kBool) return boolean;
  if (type == Type::kNumber) return number != 0;
  type_error(*this, "bool");
}

const std::string& JsonValue::as_string() const {
  if (type != Type::kString) type_error(*this, "string");
  return string;
}

const std::vector<JsonValue>& JsonValue::as_array() const {
  if (type != Type::kArray) type_error(*this, "array");
  return array;
}

JsonValue parse_json(const std::string& text) { return JsonParser(text).parse_document(); }

// ================================================================ files

std::vector<uint8_t> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> data;
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) data.insert(data.end(), chunk, chunk + n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw std::runtime_error("error reading " + path);
  return data;
}

std::string read_text_file(const std::string& path) {
  const std::vector<uint8_t> d = read_file(path);
  return std::string(d.begin(), d.end());
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

NpyArray load_npy_gz(const std::string& path) {
  const std::vector<uint8_t> compressed = read_file(path);
  try {
    return parse_npy(gunzip(compressed));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

// ================================================================ corpus

std::string corpus_dir() {
  const char* env = std::getenv("CODECTOK_CORPUS");
  if (env && *env) return env;
  return "test/fixtures/hevc-corpus";
}

std::string stream_path(const std::string& dir, const std::string& name, const std::string& suffix) {
  std::string p = dir;
  if (!p.empty() && p.back() != '/') p += '/';
  return p + name + suffix;
}

std::vector<StreamEntry> list_streams(const std::string& dir) {
  std::vector<StreamEntry> out;
  const std::string manifest = stream_path(dir, "manifest", ".json");
  if (file_exists(manifest)) {
    const JsonValue root = parse_json(read_text_file(manifest));
    for (const JsonValue& s : root.as_array()) {
      StreamEntry e;
      e.from_manifest = true;
      e.name = s.at("name").as_string();
      if (const JsonValue* v = s.find("width")) e.width = static_cast<int>(v->as_int());
      if (const JsonValue* v = s.find("height")) e.height = static_cast<int>(v->as_int());
      if (const JsonValue* v = s.find("frames")) e.frames = static_cast<int>(v->as_int());
      if (const JsonValue* v = s.find("pix_fmt")) e.pix_fmt = v->as_string();
      if (const JsonValue* v = s.find("slice_types_output_order")) e.slice_types = v->as_string();
      if (const JsonValue* v = s.find("residual_given")) e.residual_given = v->as_bool();
      if (const JsonValue* v = s.find("bytes")) e.bytes = v->as_int();
      if (const JsonValue* v = s.find("note"); v && !v->is_null()) e.note = v->as_string();
      out.push_back(std::move(e));
    }
    return out;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::filesystem::path& p = entry.path();
    if (p.extension() == ".hevc") {
      StreamEntry e;
      e.name = p.stem().string();
      e.residual_given = file_exists(stream_path(dir, e.name, ".residual.npy.gz"));
      out.push_back(std::move(e));
    }
  }
  if (ec) throw std::runtime_error("cannot list " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const StreamEntry& a, const StreamEntry& b) { return a.name < b.name; });
  return out;
}

std::vector<FrameInfo> load_frames_json(const std::string& path) {
  const JsonValue root = parse_json(read_text_file(path));
  std::vector<FrameInfo> frames;
  try {
    for (const JsonValue& f : root.as_array()) {
      FrameInfo fi;
      fi.out_index = static_cast<int>(f.at("out_index").as_int());
      fi.decode_index = static_cast<int>(f.at("decode_index").as_int());
      fi.poc = static_cast<int>(f.at("poc").as_int());
      fi.nal_type = static_cast<int>(f.at("nal_type").as_int());
      if (const JsonValue* md5 = f.find("y_md5"); md5 && !md5->is_null()) fi.y_md5 = md5->as_string();
      for (const JsonValue& s : f.at("slices").as_array()) {
        FrameSliceInfo si;
        const std::string& t = s.at("type").as_string();
        si.type = t.empty() ? '?' : t[0];
        si.address = static_cast<int>(s.at("address").as_int());
        si.dependent = s.at("dependent").as_bool();
        si.qp_delta = static_cast<int>(s.at("qp_delta").as_int());
        for (const JsonValue& r : s.at("ref_l0").as_array()) si.ref_l0.push_back(static_cast<int>(r.as_int()));
        for (const JsonValue& r : s.at("ref_l1").as_array()) si.ref_l1.push_back(static_cast<int>(r.as_int()));
        fi.slices.push_back(std::move(si));
      }
      frames.push_back(std::move(fi));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return frames;
}

}  // namespace test
}  // namespace codectok
