//===- SafetensorsWriter.cpp - Encoding and writing safetensors files -----===//
//
// Part of Loom. This file implements the writer: the tensors are checked as
// the loader would check them, the JSON header is written by hand (keys in
// a fixed order, every string escaped, no exception anywhere), padded with
// spaces to a multiple of 8 bytes, and the file is written atomically
// straight from the caller's tensors, never copied into one buffer first.
// It also holds the helpers the loader and the checkpoint directories
// share.
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/SafetensorsFormat.h"

#include "runtime/Text.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

using namespace loom;
using namespace loom::safetensors;

//===----------------------------------------------------------------------===//
// Names, dtypes, shapes
//===----------------------------------------------------------------------===//

const char *loom::safetensorsDtypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "F32";
  case DType::F64:
    return "F64";
  case DType::F16:
    return "F16";
  case DType::BF16:
    return "BF16";
  case DType::I32:
    return "I32";
  case DType::I64:
    return "I64";
  case DType::I1:
    return "BOOL";
  }
  return "?";
}

bool loom::parseSafetensorsDtype(const std::string &s, DType &t) {
  for (DType d : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32,
                  DType::I64, DType::I1})
    if (s == safetensorsDtypeName(d)) {
      t = d;
      return true;
    }
  return false;
}

bool loom::operator==(const SafetensorsEntry &a, const SafetensorsEntry &b) {
  return a.name == b.name && a.dtype == b.dtype && a.shape == b.shape &&
         a.offset == b.offset && a.size == b.size;
}

bool safetensors::validUtf8(const uint8_t *p, size_t n, size_t &bad) {
  bad = loom::invalidUtf8At(p, n);
  return bad == std::string::npos;
}

std::string safetensors::quote(const std::string &s) {
  constexpr size_t kMaxShown = 200;
  const auto *p = reinterpret_cast<const uint8_t *>(s.data());
  std::string out = "'";
  size_t i = 0;
  while (i < s.size() && i < kMaxShown) {
    uint8_t c = p[i];
    // A whole UTF-8 sequence is shown as it is.
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    size_t bad;
    if (c >= 0x80 && i + len <= s.size() && validUtf8(p + i, len, bad)) {
      out.append(s, i, len);
      i += len;
      continue;
    }
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
    ++i;
  }
  out += '\'';
  if (i < s.size())
    out += "...";
  return out;
}

std::string safetensors::shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool safetensors::shapeBytes(const std::vector<int64_t> &shape,
                             uint64_t elementSize, uint64_t &bytes) {
  constexpr uint64_t kMax = uint64_t(INT64_MAX);
  uint64_t nonzero = elementSize;
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (nonzero > kMax / uint64_t(d))
      return false;
    nonzero *= uint64_t(d);
  }
  bytes = empty ? 0 : nonzero;
  return true;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

namespace {

/// `s` as a JSON string.
void putString(std::string &out, const std::string &s) {
  out += '"';
  for (char ch : s) {
    auto c = uint8_t(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += ch;
      }
    }
  }
  out += '"';
}

/// The 8-byte length and the padded JSON header of a file holding
/// `tensors` and `metadata`, after checking them; messages start with
/// `name`.
StatusOr<std::string>
encodeHeader(const std::vector<TensorView> &tensors,
             const std::map<std::string, std::string> &metadata,
             const std::string &name) {
  auto fail = [&](const std::string &msg) {
    return Status::error(name + ": " + msg);
  };
  std::string json = "{";
  if (!metadata.empty()) {
    putString(json, "__metadata__");
    json += ":{";
    bool first = true;
    for (const auto &[key, value] : metadata) {
      if (!validUtf8(key))
        return fail("metadata key " + quote(key) + " is not valid UTF-8");
      if (!validUtf8(value))
        return fail("metadata " + quote(key) + " is not valid UTF-8");
      json += first ? "" : ",";
      first = false;
      putString(json, key);
      json += ':';
      putString(json, value);
    }
    json += '}';
  }
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const TensorView &t : tensors) {
    std::string label = "tensor " + quote(t.name);
    if (!validUtf8(t.name))
      return fail(label + ": the name is not valid UTF-8");
    if (t.name == "__metadata__")
      return fail(label + ": the name is reserved for the metadata");
    if (!seen.insert(t.name).second)
      return fail("duplicate tensor " + quote(t.name));
    uint64_t elementSize = dtypeSize(t.dtype);
    if (!elementSize)
      return fail(label + ": dtype code " + std::to_string(int(t.dtype)) +
                  " is no DType");
    if (t.shape.size() > kSafetensorsMaxRank)
      return fail(label + ": rank " + std::to_string(t.shape.size()) +
                  " is over the limit of " +
                  std::to_string(kSafetensorsMaxRank));
    for (size_t i = 0; i < t.shape.size(); ++i)
      if (t.shape[i] < 0)
        return fail(label + ": shape dimension " + std::to_string(i) + " is " +
                    std::to_string(t.shape[i]) +
                    ", expected a non-negative integer");
    uint64_t bytes;
    std::string shape = shapeString(t.shape);
    const char *dtype = safetensorsDtypeName(t.dtype);
    if (!shapeBytes(t.shape, elementSize, bytes))
      return fail(label + ": shape " + shape + " of " + dtype +
                  " is too large (more than 9223372036854775807 bytes)");
    if (bytes != t.size)
      return fail(label + ": shape " + shape + " of " + dtype + " needs " +
                  std::to_string(bytes) + " bytes but " +
                  std::to_string(t.size) + " are given");
    if (t.size && !t.data)
      return fail(label + ": no data for its " + std::to_string(t.size) +
                  " bytes");
    if (offset + t.size < offset)
      return fail("the tensors' bytes add up to more than 2^64");
    json += json.size() > 1 ? "," : "";
    putString(json, t.name);
    json += ":{\"dtype\":\"";
    json += dtype;
    json += "\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      json += (i ? "," : "") + std::to_string(t.shape[i]);
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," +
            std::to_string(offset + t.size) + "]}";
    offset += t.size;
  }
  json += '}';
  // Padding keeps the data section 8-byte aligned in the file.
  json.append((8 - json.size() % 8) % 8, ' ');
  if (json.size() > kSafetensorsMaxHeader)
    return fail("the header would be " + std::to_string(json.size()) +
                " bytes, over the limit of " +
                std::to_string(kSafetensorsMaxHeader));
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[i] = char(uint64_t(json.size()) >> (8 * i));
  return out + json;
}

} // namespace

StatusOr<std::vector<uint8_t>>
loom::encodeSafetensors(const std::vector<TensorView> &tensors,
                        const std::map<std::string, std::string> &metadata,
                        const std::string &name) {
  StatusOr<std::string> header = encodeHeader(tensors, metadata, name);
  if (!header.ok())
    return header.status();
  std::vector<uint8_t> out(header->begin(), header->end());
  for (const TensorView &t : tensors)
    if (t.size)
      out.insert(out.end(), static_cast<const uint8_t *>(t.data),
                 static_cast<const uint8_t *>(t.data) + t.size);
  return out;
}

Status
loom::writeSafetensors(const std::string &path,
                       const std::vector<TensorView> &tensors,
                       const std::map<std::string, std::string> &metadata) {
  StatusOr<std::string> header = encodeHeader(tensors, metadata, path);
  if (!header.ok())
    return header.status();
  std::vector<FileChunk> chunks{{header->data(), header->size()}};
  for (const TensorView &t : tensors)
    chunks.push_back({t.data, t.size});
  return writeFileAtomically(path, chunks);
}
