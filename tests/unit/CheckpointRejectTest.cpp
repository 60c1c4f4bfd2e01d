//===- CheckpointRejectTest.cpp - What the safetensors loader rejects -----===//
//
// Part of Loom. Each way a safetensors file can be broken, with the loader's
// exact message: the length prefix, the header's size, encoding and JSON,
// the metadata, every field of a tensor entry, shapes and sizes, and byte
// ranges that overlap, leave gaps or stop short. Then what the writer
// refuses to write. Last, every truncation and every single-bit flip of a
// valid file is loaded: each is an error or a file, never a crash.
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/Checkpoint.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace loom;

namespace {

const char *kName = "w.safetensors";

/// A file: the 8-byte length of `header`, `header`, then `data` zero bytes.
std::vector<uint8_t> fileOf(const std::string &header, size_t data = 0) {
  std::string f(8, '\0');
  for (int i = 0; i < 8; ++i)
    f[i] = char(uint64_t(header.size()) >> (8 * i));
  f += header + std::string(data, '\0');
  return std::vector<uint8_t>(f.begin(), f.end());
}

/// The loader's message for `f` ("" if it loads).
std::string loadError(const std::vector<uint8_t> &f) {
  StatusOr<Safetensors> st = decodeSafetensors(f.data(), f.size(), kName);
  return st.ok() ? "" : st.status().message();
}

/// The message for a file with `header` and `data` bytes, less the name.
std::string err(const std::string &header, size_t data = 0) {
  std::string m = loadError(fileOf(header, data));
  std::string prefix = std::string(kName) + ": ";
  EXPECT_EQ(m.compare(0, prefix.size(), prefix), 0) << m;
  return m.size() > prefix.size() ? m.substr(prefix.size()) : m;
}

/// The header of one tensor "w" with the given JSON body.
std::string one(const std::string &body) { return "{\"w\":{" + body + "}}"; }

//===----------------------------------------------------------------------===//
// Length prefix and header
//===----------------------------------------------------------------------===//

TEST(CheckpointReject, ShorterThanTheLength) {
  EXPECT_EQ(loadError({}), "w.safetensors: truncated: the header length "
                           "needs 8 bytes but the file has 0");
  EXPECT_EQ(loadError({2, 0, 0, 0, 0}),
            "w.safetensors: truncated: the header length needs 8 bytes but "
            "the file has 5");
  EXPECT_EQ(decodeSafetensors(nullptr, 0, kName).status().message(),
            "w.safetensors: truncated: the header length needs 8 bytes but "
            "the file has 0");
}

TEST(CheckpointReject, HeaderLengthZero) {
  EXPECT_EQ(err(""), "header length is 0 (expected at least 2, the size of "
                     "'{}')");
}

TEST(CheckpointReject, HeaderLengthOverTheLimit) {
  std::vector<uint8_t> f = fileOf("{}");
  uint64_t n = 100000001;
  for (int i = 0; i < 8; ++i)
    f[i] = uint8_t(n >> (8 * i));
  EXPECT_EQ(loadError(f), "w.safetensors: header length 100000001 is over "
                          "the limit of 100000000 bytes");
  std::memset(f.data(), 0xff, 8);
  EXPECT_EQ(loadError(f), "w.safetensors: header length 18446744073709551615 "
                          "is over the limit of 100000000 bytes");
}

TEST(CheckpointReject, HeaderPastTheEnd) {
  std::vector<uint8_t> f = fileOf("{}      ");
  f[0] = 100;
  EXPECT_EQ(loadError(f), "w.safetensors: truncated: the header needs 100 "
                          "bytes after its length but the file has 8");
}

TEST(CheckpointReject, HeaderNotUtf8) {
  EXPECT_EQ(err("{\"a\xff\":1}"),
            "header is not valid UTF-8 (byte 0xff at offset 11)");
  // An overlong '/', a surrogate, a code point past U+10FFFF, a cut
  // sequence.
  EXPECT_EQ(err("{\"\xc0\xaf\":1}"),
            "header is not valid UTF-8 (byte 0xc0 at offset 10)");
  EXPECT_EQ(err("{\"\xed\xa0\x80\":1}"),
            "header is not valid UTF-8 (byte 0xed at offset 10)");
  EXPECT_EQ(err("{\"\xf4\x90\x80\x80\":1}"),
            "header is not valid UTF-8 (byte 0xf4 at offset 10)");
  EXPECT_EQ(err("{}\xe2\x82"),
            "header is not valid UTF-8 (byte 0xe2 at offset 10)");
}

TEST(CheckpointReject, HeaderNotJson) {
  EXPECT_EQ(err("{\"w\" 1}"),
            "header is not valid JSON at offset 13: syntax error while "
            "parsing object separator - unexpected number literal; "
            "expected ':'");
  EXPECT_EQ(err("{\"w\":"),
            "header is not valid JSON at offset 13: syntax error while "
            "parsing value - unexpected end of input; expected '[', '{', or "
            "a literal");
  // Only spaces may follow the object (NUL padding is not JSON either).
  EXPECT_EQ(err(std::string("{}\0\0", 4)),
            "header is not valid JSON at offset 10: a NUL byte (padding must "
            "be spaces)");
  EXPECT_EQ(err("{}  x"),
            "header is not valid JSON at offset 12: syntax error while "
            "parsing value - invalid literal; last read: '{}  x'; expected "
            "end of input");
  // Control characters must be escaped in strings.
  EXPECT_EQ(err("{\"a\x01\":{}}"),
            "header is not valid JSON at offset 11: syntax error while "
            "parsing object key - invalid string: control character U+0001 "
            "(SOH) must be escaped to \\u0001; last read: '\"a<U+0001>'; "
            "expected string literal");
}

TEST(CheckpointReject, HeaderNotAnObject) {
  EXPECT_EQ(err("[1, 2]"), "header is not a JSON object (found an array)");
  EXPECT_EQ(err("\"w\""), "header is not a JSON object (found a string)");
  EXPECT_EQ(err("null"), "header is not a JSON object (found null)");
}

//===----------------------------------------------------------------------===//
// Metadata
//===----------------------------------------------------------------------===//

TEST(CheckpointReject, MetadataNotAnObject) {
  EXPECT_EQ(err("{\"__metadata__\":[]}"),
            "'__metadata__' is not an object (found an array)");
}

TEST(CheckpointReject, MetadataValueNotAString) {
  EXPECT_EQ(err("{\"__metadata__\":{\"step\":5}}"),
            "metadata 'step' is not a string (found a number)");
  EXPECT_EQ(err("{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}"),
            "metadata 'a' is not a string (found an object)");
  EXPECT_EQ(err("{\"__metadata__\":{\"a\":true}}"),
            "metadata 'a' is not a string (found a boolean)");
}

TEST(CheckpointReject, DuplicateMetadataKey) {
  EXPECT_EQ(err("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}"),
            "duplicate metadata key 'k'");
}

TEST(CheckpointReject, DuplicateMetadata) {
  EXPECT_EQ(err("{\"__metadata__\":{},\"__metadata__\":{}}"),
            "duplicate '__metadata__'");
}

//===----------------------------------------------------------------------===//
// Tensor entries
//===----------------------------------------------------------------------===//

const std::string kOk =
    "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";

TEST(CheckpointReject, DuplicateTensor) {
  EXPECT_EQ(err("{\"w\":{" + kOk + "},\"w\":{" + kOk + "}}", 8),
            "duplicate tensor 'w'");
  // Names are compared after unescaping, and shown escaped.
  EXPECT_EQ(err("{\"a\\u0001\":{" + kOk + "},\"a\\u0001\":{}}", 8),
            "duplicate tensor 'a\\x01'");
}

TEST(CheckpointReject, TensorNotAnObject) {
  EXPECT_EQ(err("{\"w\":[1]}"), "tensor 'w' is not an object (found an array)");
  EXPECT_EQ(err("{\"w\":\"F32\"}"),
            "tensor 'w' is not an object (found a string)");
}

TEST(CheckpointReject, MissingField) {
  EXPECT_EQ(err(one("\"shape\":[2],\"data_offsets\":[0,8]"), 8),
            "tensor 'w': missing 'dtype'");
  EXPECT_EQ(err(one("\"dtype\":\"F32\",\"data_offsets\":[0,8]"), 8),
            "tensor 'w': missing 'shape'");
  EXPECT_EQ(err(one("\"dtype\":\"F32\",\"shape\":[2]"), 8),
            "tensor 'w': missing 'data_offsets'");
}

TEST(CheckpointReject, UnknownField) {
  EXPECT_EQ(err(one(kOk + ",\"offsets\":[0,8]"), 8),
            "tensor 'w': unknown field 'offsets' (expected dtype, shape and "
            "data_offsets)");
}

TEST(CheckpointReject, DuplicateField) {
  EXPECT_EQ(err(one(kOk + ",\"shape\":[2]"), 8),
            "tensor 'w': duplicate field 'shape'");
}

TEST(CheckpointReject, DtypeNotAString) {
  EXPECT_EQ(err(one("\"dtype\":4"), 8),
            "tensor 'w': dtype is not a string (found a number)");
}

TEST(CheckpointReject, UnknownDtype) {
  EXPECT_EQ(err(one("\"dtype\":\"U8\""), 8),
            "tensor 'w': unknown dtype 'U8' (expected F32, F64, F16, BF16, "
            "I32, I64 or BOOL)");
  EXPECT_EQ(err(one("\"dtype\":\"f32\""), 8),
            "tensor 'w': unknown dtype 'f32' (expected F32, F64, F16, BF16, "
            "I32, I64 or BOOL)");
}

TEST(CheckpointReject, ShapeNotAnArray) {
  EXPECT_EQ(err(one("\"shape\":\"2x3\""), 8),
            "tensor 'w': shape is not an array (found a string)");
}

TEST(CheckpointReject, NegativeDimension) {
  EXPECT_EQ(err(one("\"shape\":[2,-3]"), 8),
            "tensor 'w': shape dimension 1 is -3, expected a non-negative "
            "integer");
}

TEST(CheckpointReject, DimensionNotAnInteger) {
  EXPECT_EQ(err(one("\"shape\":[2.5]"), 8),
            "tensor 'w': shape dimension 0 is 2.5, expected a non-negative "
            "integer");
  EXPECT_EQ(err(one("\"shape\":[\"2\"]"), 8),
            "tensor 'w': shape dimension 0 is a string, expected a "
            "non-negative integer");
  EXPECT_EQ(err(one("\"shape\":[[2]]"), 8),
            "tensor 'w': shape dimension 0 is an array, expected a "
            "non-negative integer");
  // Past 2^64 - 1 the parser sees a float.
  EXPECT_EQ(err(one("\"shape\":[18446744073709551616]"), 8),
            "tensor 'w': shape dimension 0 is 18446744073709551616, expected "
            "a non-negative integer");
}

TEST(CheckpointReject, DimensionOverTheLimit) {
  EXPECT_EQ(err(one("\"shape\":[0,9223372036854775808]"), 8),
            "tensor 'w': shape dimension 1 is 9223372036854775808, over the "
            "limit of 9223372036854775807");
}

TEST(CheckpointReject, RankOverTheLimit) {
  EXPECT_EQ(err(one("\"shape\":[1,1,1,1,1,1,1,1,1]"), 8),
            "tensor 'w': shape has more than 8 dimensions");
}

TEST(CheckpointReject, ShapeTooLarge) {
  EXPECT_EQ(err(one("\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                    "\"data_offsets\":[0,0]")),
            "tensor 'w': shape [4294967296, 4294967296] of F32 is too large "
            "(more than 9223372036854775807 bytes)");
  // Even with no elements: a zero does not excuse the others.
  EXPECT_EQ(err(one("\"dtype\":\"I64\",\"shape\":[0,4611686018427387904],"
                    "\"data_offsets\":[0,0]")),
            "tensor 'w': shape [0, 4611686018427387904] of I64 is too large "
            "(more than 9223372036854775807 bytes)");
}

TEST(CheckpointReject, OffsetsNotAnArray) {
  EXPECT_EQ(err(one("\"data_offsets\":{\"begin\":0}"), 8),
            "tensor 'w': data_offsets is not an array (found an object)");
}

TEST(CheckpointReject, OffsetsNotTwo) {
  EXPECT_EQ(err(one("\"data_offsets\":[8]"), 8),
            "tensor 'w': data_offsets has 1 elements, expected 2 ([begin, "
            "end])");
  EXPECT_EQ(err(one("\"data_offsets\":[0,4,8]"), 8),
            "tensor 'w': data_offsets has 3 elements, expected 2 ([begin, "
            "end])");
}

TEST(CheckpointReject, OffsetNotANonNegativeInteger) {
  EXPECT_EQ(err(one("\"data_offsets\":[-1,7]"), 8),
            "tensor 'w': data_offsets element 0 is -1, expected a "
            "non-negative integer");
  EXPECT_EQ(err(one("\"data_offsets\":[0,null]"), 8),
            "tensor 'w': data_offsets element 1 is null, expected a "
            "non-negative integer");
}

TEST(CheckpointReject, OffsetsReversed) {
  EXPECT_EQ(
      err(one("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]"), 8),
      "tensor 'w': data_offsets [8, 4] end before they begin");
}

TEST(CheckpointReject, OffsetsPastTheDataSection) {
  EXPECT_EQ(
      err(one("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]"), 8),
      "tensor 'w': data_offsets [0, 16] go past the end of the data "
      "section (8 bytes)");
  EXPECT_EQ(err(one("\"dtype\":\"F32\",\"shape\":[1],"
                    "\"data_offsets\":[18446744073709551612,"
                    "18446744073709551615]"),
                8),
            "tensor 'w': data_offsets [18446744073709551612, "
            "18446744073709551615] go past the end of the data section (8 "
            "bytes)");
}

TEST(CheckpointReject, SizeDisagreesWithShape) {
  EXPECT_EQ(err(one("\"dtype\":\"F32\",\"shape\":[2,3],"
                    "\"data_offsets\":[0,20]"),
                20),
            "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets "
            "[0, 20] hold 20");
  EXPECT_EQ(err(one("\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,0]")),
            "tensor 'w': shape [] of BOOL needs 1 bytes but data_offsets "
            "[0, 0] hold 0");
}

//===----------------------------------------------------------------------===//
// The data section
//===----------------------------------------------------------------------===//

std::string two(const std::string &a, const std::string &b) {
  return "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + a +
         "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":" + b +
         "}}";
}

TEST(CheckpointReject, OverlappingTensors) {
  EXPECT_EQ(err(two("[0,8]", "[4,12]"), 12),
            "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a' at [0, 8]");
  EXPECT_EQ(err(two("[0,8]", "[0,8]"), 8),
            "tensor 'b' at data_offsets [0, 8] overlaps tensor 'a' at [0, 8]");
  // Header order does not matter: 'b' comes first in the data section.
  EXPECT_EQ(err(two("[4,12]", "[0,8]"), 12),
            "tensor 'a' at data_offsets [4, 12] overlaps tensor 'b' at [0, 8]");
}

TEST(CheckpointReject, GapBetweenTensors) {
  EXPECT_EQ(err(two("[0,8]", "[16,24]"), 24),
            "gap in the data section: bytes [8, 16) belong to no tensor "
            "(tensor 'b' begins at 16, expected 8)");
  EXPECT_EQ(
      err(one("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]"), 16),
      "gap in the data section: bytes [0, 8) belong to no tensor "
      "(tensor 'w' begins at 8, expected 0)");
}

TEST(CheckpointReject, TrailingBytes) {
  EXPECT_EQ(err(two("[0,8]", "[8,16]"), 24),
            "the data section has 24 bytes but the tensors cover only 16 (8 "
            "trailing bytes)");
  EXPECT_EQ(err("{}", 3),
            "the data section has 3 bytes but the tensors cover only 0 (3 "
            "trailing bytes)");
}

TEST(CheckpointReject, AcceptsWhatTheFormatAllows) {
  // Any header order, whitespace, no padding, zero-size tensors anywhere in
  // the data section, "-0".
  std::vector<uint8_t> f =
      fileOf(" {\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": "
             "[8, 16]}, \"e\": {\"shape\": [0, -0], \"dtype\": \"I64\", "
             "\"data_offsets\": [8, 8]}, \"a\": {\"data_offsets\": [0, 8], "
             "\"dtype\": \"I32\", \"shape\": [2]}}\n",
             16);
  StatusOr<Safetensors> st = decodeSafetensors(f.data(), f.size(), kName);
  ASSERT_TRUE(st.ok()) << st.status().message();
  ASSERT_EQ(st->tensors().size(), 3u);
  // In data-section order.
  EXPECT_EQ(st->tensors()[0].name, "a");
  EXPECT_EQ(st->tensors()[1].name, "e");
  EXPECT_EQ(st->tensors()[2].name, "b");
  EXPECT_EQ(st->find("e")->shape, (std::vector<int64_t>{0, 0}));
}

//===----------------------------------------------------------------------===//
// The writer
//===----------------------------------------------------------------------===//

std::string encodeError(const std::vector<TensorView> &t,
                        const std::map<std::string, std::string> &m = {}) {
  StatusOr<std::vector<uint8_t>> f = encodeSafetensors(t, m, kName);
  return f.ok() ? "" : f.status().message();
}

TEST(CheckpointReject, WriterChecksItsTensors) {
  float x[6] = {};
  TensorView w{"w", DType::F32, {2, 3}, x, 24};
  EXPECT_EQ(encodeError({w, w}), "w.safetensors: duplicate tensor 'w'");
  TensorView m = w;
  m.name = "__metadata__";
  EXPECT_EQ(encodeError({m}), "w.safetensors: tensor '__metadata__': the "
                              "name is reserved for the metadata");
  TensorView bad = w;
  bad.name = "w\xff";
  EXPECT_EQ(encodeError({bad}), "w.safetensors: tensor 'w\\xff': the name is "
                                "not valid UTF-8");
  bad = w;
  bad.dtype = DType(9);
  EXPECT_EQ(encodeError({bad}),
            "w.safetensors: tensor 'w': dtype code 9 is no DType");
  bad = w;
  bad.shape = std::vector<int64_t>(9, 1);
  EXPECT_EQ(encodeError({bad}),
            "w.safetensors: tensor 'w': rank 9 is over the limit of 8");
  bad = w;
  bad.shape = {2, -3};
  EXPECT_EQ(encodeError({bad}), "w.safetensors: tensor 'w': shape dimension 1 "
                                "is -3, expected a non-negative integer");
  bad = w;
  bad.size = 20;
  EXPECT_EQ(encodeError({bad}), "w.safetensors: tensor 'w': shape [2, 3] of "
                                "F32 needs 24 bytes but 20 are given");
  bad = w;
  bad.data = nullptr;
  EXPECT_EQ(encodeError({bad}),
            "w.safetensors: tensor 'w': no data for its 24 bytes");
  bad = w;
  bad.shape = {int64_t(1) << 62, 4};
  EXPECT_EQ(encodeError({bad}),
            "w.safetensors: tensor 'w': shape [4611686018427387904, 4] of "
            "F32 is too large (more than 9223372036854775807 bytes)");
  EXPECT_EQ(encodeError({w}, {{"k\xc3", "v"}}),
            "w.safetensors: metadata key 'k\\xc3' is not valid UTF-8");
  EXPECT_EQ(encodeError({w}, {{"k", "\xc3"}}),
            "w.safetensors: metadata 'k' is not valid UTF-8");
}

//===----------------------------------------------------------------------===//
// Every truncation and bit flip
//===----------------------------------------------------------------------===//

TEST(CheckpointReject, EveryTruncationAndBitFlipIsAnErrorOrAFile) {
  int16_t h[3] = {1, 2, 3};
  double d[2] = {0.5, -1};
  uint8_t b = 1;
  std::vector<TensorView> t = {{"h", DType::F16, {3}, h, 6},
                               {"d", DType::F64, {2}, d, 16},
                               {"b", DType::I1, {}, &b, 1}};
  StatusOr<std::vector<uint8_t>> f =
      encodeSafetensors(t, {{"step", "7"}}, kName);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::vector<uint8_t> bytes = *f;
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(loadError({bytes.begin(), bytes.begin() + n}).empty()) << n;
  size_t loaded = 0;
  for (size_t i = 0; i < bytes.size() * 8; ++i) {
    std::vector<uint8_t> g = bytes;
    g[i / 8] ^= uint8_t(1 << (i % 8));
    StatusOr<Safetensors> st = decodeSafetensors(g.data(), g.size(), kName);
    if (!st.ok()) {
      EXPECT_EQ(st.status().message().rfind("w.safetensors: ", 0), 0u);
      continue;
    }
    ++loaded;
    // What loads must write again and load back the same.
    StatusOr<std::vector<uint8_t>> again =
        encodeSafetensors(st->views(), st->metadata(), kName);
    ASSERT_TRUE(again.ok()) << again.status().message();
    StatusOr<Safetensors> back =
        decodeSafetensors(again->data(), again->size(), kName);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->tensors(), st->tensors());
    EXPECT_EQ(back->metadata(), st->metadata());
  }
  // Flips in the data section (and some in names and metadata) still load.
  EXPECT_GE(loaded, (6 + 16 + 1) * 8u);
}

} // namespace
