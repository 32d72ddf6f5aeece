// Test support: access to the HEVC reference corpus (test/fixtures/hevc-corpus,
// see its README.md): a small JSON parser, manifest and frames.json loaders,
// whole-file reads and .npy.gz loading.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/npy.h"

namespace codectok {
namespace test {

// ---------------------------------------------------------------- JSON
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  bool is_integer = false;  // number written without fraction/exponent and fits int64
  int64_t integer = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in document order

  bool is_null() const { return type == Type::kNull; }
  const JsonValue* find(const std::string& key) const;  // nullptr if absent / not an object
  const JsonValue& at(const std::string& key) const;   // throws if absent
  const JsonValue& at(size_t index) const;             // throws if out of range
  // Typed accessors; throw std::runtime_error on a type mismatch.
  int64_t as_int() const;    // integer, or a bool (as 0/1)
  double as_double() const;
  bool as_bool() const;      // bool, or a number (non-zero)
  const std::string& as_string() const;
  const std::vector<JsonValue>& as_array() const;
  const char* type_name() const;
};

// Parses a complete JSON document (RFC 8259); throws std::runtime_error with
// the line/column of the error.
JsonValue parse_json(const std::string& text);

// ---------------------------------------------------------------- files
std::vector<uint8_t> read_file(const std::string& path);  // throws if unreadable
std::string read_text_file(const std::string& path);
bool file_exists(const std::string& path);

// gunzip + parse_npy.
NpyArray load_npy_gz(const std::string& path);

// ---------------------------------------------------------------- corpus
// $CODECTOK_CORPUS if set, else "test/fixtures/hevc-corpus" (relative to the
// working directory, which ctest sets to the repository root).
std::string corpus_dir();

struct StreamEntry {
  std::string name;
  // From manifest.json (0 / empty when the stream was found by *.hevc scan).
  int width = 0, height = 0;  // displayed size
  int frames = 0;
  std::string pix_fmt;
  std::string slice_types;  // slice_types_output_order
  bool residual_given = true;
  int64_t bytes = 0;
  std::string note;
  bool from_manifest = false;
};

// The streams of manifest.json in its order; without a manifest, every
// *.hevc of the directory, sorted by name.
std::vector<StreamEntry> list_streams(const std::string& dir);

struct FrameSliceInfo {
  char type = '?';
  int address = 0;
  bool dependent = false;
  int qp_delta = 0;
  std::vector<int> ref_l0, ref_l1;
};

struct FrameInfo {
  int out_index = 0;
  int decode_index = 0;
  int poc = 0;
  int nal_type = 0;
  std::string y_md5;  // empty when null
  std::vector<FrameSliceInfo> slices;
};

// NAME.frames.json: one entry per picture in output order.
std::vector<FrameInfo> load_frames_json(const std::string& path);

std::string stream_path(const std::string& dir, const std::string& name, const std::string& suffix);

}  // namespace test
}  // namespace codectok
