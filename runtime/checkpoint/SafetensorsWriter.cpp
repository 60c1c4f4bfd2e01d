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
#include <atomic>
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

//===----------------------------------------------------------------------===//
// Atomic write
//===----------------------------------------------------------------------===//

namespace {

Status ioError(const std::string &path, const std::string &what) {
  return Status::error(path + ": cannot " + what + ": " + std::strerror(errno));
}

Status writeAll(int fd, const uint8_t *p, uint64_t n, const std::string &path,
                const std::string &tmp) {
  while (n > 0) {
    // Linux writes at most about 2 GiB at once.
    size_t want = size_t(std::min<uint64_t>(n, uint64_t(1) << 30));
    ssize_t k = ::write(fd, p, want);
    if (k < 0) {
      if (errno == EINTR)
        continue;
      return ioError(path, "write " + quote(tmp));
    }
    p += k;
    n -= uint64_t(k);
  }
  return Status();
}

} // namespace

Status safetensors::atomicWrite(const std::string &path,
                                const std::vector<Chunk> &chunks) {
  static std::atomic<unsigned> counter{0};
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir + "." + base + ".tmp." + std::to_string(::getpid()) + "." +
          std::to_string(counter++);
    // O_EXCL: never reuse a file someone else made.
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt >= 100))
      return ioError(path, "create the temporary file " + quote(tmp));
  }
  Status s;
  for (const Chunk &c : chunks) {
    s = writeAll(fd, static_cast<const uint8_t *>(c.data), c.size, path, tmp);
    if (!s.ok())
      break;
  }
  if (s.ok() && ::fsync(fd) != 0)
    s = ioError(path, "flush " + quote(tmp));
  if (::close(fd) != 0 && s.ok())
    s = ioError(path, "close " + quote(tmp));
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = ioError(path, "rename " + quote(tmp) + " over it");
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename reaches the disk with the directory. A file system that
  // cannot flush directories (EINVAL) makes renames durable by itself.
  std::string d = dir.empty() ? "." : dir;
  int dfd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return ioError(path, "open its directory to flush it");
  if (::fsync(dfd) != 0 && errno != EINVAL) {
    s = ioError(path, "flush its directory");
    ::close(dfd);
    return s;
  }
  ::close(dfd);
  return Status();
}

bool safetensors::parseTempName(const std::string &fileName,
                                std::string &target, long &pid) {
  size_t at = fileName.rfind(".tmp.");
  if (fileName.size() < 2 || fileName[0] != '.' || at == std::string::npos ||
      at < 2)
    return false;
  // ".tmp.<pid>.<n>"
  std::string rest = fileName.substr(at + 5);
  size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size() ||
      dot > 9 || rest.find_first_not_of("0123456789") != dot ||
      rest.find_first_not_of("0123456789", dot + 1) != std::string::npos)
    return false;
  target = fileName.substr(1, at - 1);
  pid = 0;
  for (size_t i = 0; i < dot; ++i) // at most 9 digits: no overflow
    pid = pid * 10 + (rest[i] - '0');
  return true;
}

Status
loom::writeSafetensors(const std::string &path,
                       const std::vector<TensorView> &tensors,
                       const std::map<std::string, std::string> &metadata) {
  StatusOr<std::string> header = encodeHeader(tensors, metadata, path);
  if (!header.ok())
    return header.status();
  std::vector<Chunk> chunks{{header->data(), header->size()}};
  for (const TensorView &t : tensors)
    chunks.push_back({t.data, t.size});
  return atomicWrite(path, chunks);
}
