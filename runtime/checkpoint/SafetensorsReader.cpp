//===- SafetensorsReader.cpp - Loading safetensors files ------------------===//
//
// Part of Loom. This file implements the loader. The file is untrusted: the
// header length is checked against the limit and the file before the header
// is touched, the header must be UTF-8, and the JSON is read by a SAX
// handler (nlohmann's parser, which reports errors instead of throwing)
// that builds nothing but what a valid header describes: it rejects the
// first unexpected key or value on the spot, so nesting, duplicate keys and
// oversized shapes never reach memory. Then the tensors' byte ranges must
// tile the data section exactly, in any order, as the format requires.
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/SafetensorsFormat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

using namespace loom;
using namespace loom::safetensors;

namespace {

const std::string kMaxBytes = std::to_string(INT64_MAX);

/// One JSON value as the SAX parser reports it.
struct Value {
  enum Kind { Null, Bool, Int, Unsigned, Float, String, Object, Array } kind;
  int64_t i = 0;
  uint64_t u = 0;
  const std::string *text = nullptr; ///< a float's literal, a string

  /// "a string", "an array", ...
  const char *what() const {
    switch (kind) {
    case Null:
      return "null";
    case Bool:
      return "a boolean";
    case Int:
    case Unsigned:
    case Float:
      return "a number";
    case String:
      return "a string";
    case Object:
      return "an object";
    case Array:
      return "an array";
    }
    return "?";
  }
  /// A number as written; what() for anything else.
  std::string literal() const {
    if (kind == Int)
      return std::to_string(i);
    if (kind == Unsigned)
      return std::to_string(u);
    if (kind == Float)
      return *text;
    return what();
  }
};

/// The SAX handler: a state machine over the only shape a valid header
/// has, {"__metadata__": {str: str}, name: {"dtype": str, "shape": [u64],
/// "data_offsets": [u64, u64]}}. Each callback returns false, which stops
/// the parser, with `error` set, at the first thing out of place.
class HeaderHandler {
public:
  using json = nlohmann::json;

  explicit HeaderHandler(uint64_t dataSize) : dataSize(dataSize) {}

  std::string error; ///< without the file name
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsEntry> entries; ///< header order; offset = begin
  std::vector<uint64_t> ends;            ///< each entry's end offset
  std::map<std::string, size_t> byName;
  bool done = false;

  // The SAX interface.
  bool null() { return value({Value::Null}); }
  bool boolean(bool) { return value({Value::Bool}); }
  bool number_integer(json::number_integer_t v) {
    Value x{Value::Int};
    x.i = v;
    if (v >= 0) { // "-0"
      x.kind = Value::Unsigned;
      x.u = uint64_t(v);
    }
    return value(x);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    Value x{Value::Unsigned};
    x.u = v;
    return value(x);
  }
  bool number_float(json::number_float_t, const json::string_t &s) {
    Value x{Value::Float};
    x.text = &s;
    return value(x);
  }
  bool string(json::string_t &s) {
    Value x{Value::String};
    x.text = &s;
    return value(x);
  }
  bool binary(json::binary_t &) { return value({Value::Null}); }
  bool start_object(std::size_t) { return value({Value::Object}); }
  bool start_array(std::size_t) { return value({Value::Array}); }
  bool key(json::string_t &k);
  bool end_object();
  bool end_array();
  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &ex);

private:
  enum class Ctx { Start, Top, Meta, Tensor, Shape, Offsets, Done };
  enum class Field { None, Dtype, Shape, Offsets };

  bool value(const Value &v);
  bool tensorValue(const Value &v);
  bool element(const Value &v);
  bool finishTensor();
  bool fail(std::string msg) {
    error = std::move(msg);
    return false;
  }
  std::string label() const { return "tensor " + quote(entries.back().name); }

  uint64_t dataSize;
  Ctx ctx = Ctx::Start;
  bool seenMeta = false, pendingMeta = false;
  std::string metaKey;
  Field field = Field::None;
  bool have[4] = {}; ///< indexed by Field
  uint64_t count = 0, offsets[2] = {};
};

bool HeaderHandler::key(json::string_t &k) {
  switch (ctx) {
  case Ctx::Top:
    if (k == "__metadata__") {
      if (seenMeta)
        return fail("duplicate '__metadata__'");
      seenMeta = pendingMeta = true;
      return true;
    }
    if (!byName.emplace(k, entries.size()).second)
      return fail("duplicate tensor " + quote(k));
    pendingMeta = false;
    entries.emplace_back();
    entries.back().name = k;
    ends.push_back(0);
    return true;
  case Ctx::Meta:
    if (metadata.count(k))
      return fail("duplicate metadata key " + quote(k));
    metaKey = k;
    return true;
  case Ctx::Tensor:
    field = k == "dtype"          ? Field::Dtype
            : k == "shape"        ? Field::Shape
            : k == "data_offsets" ? Field::Offsets
                                  : Field::None;
    if (field == Field::None)
      return fail(label() + ": unknown field " + quote(k) +
                  " (expected dtype, shape and data_offsets)");
    if (have[int(field)])
      return fail(label() + ": duplicate field " + quote(k));
    have[int(field)] = true;
    return true;
  default:
    return fail("internal error: a key outside an object");
  }
}

bool HeaderHandler::value(const Value &v) {
  switch (ctx) {
  case Ctx::Start:
    if (v.kind != Value::Object)
      return fail(std::string("header is not a JSON object (found ") +
                  v.what() + ")");
    ctx = Ctx::Top;
    return true;
  case Ctx::Top:
    if (pendingMeta) {
      if (v.kind != Value::Object)
        return fail(std::string("'__metadata__' is not an object (found ") +
                    v.what() + ")");
      ctx = Ctx::Meta;
      return true;
    }
    if (v.kind != Value::Object)
      return fail(label() + " is not an object (found " + v.what() + ")");
    ctx = Ctx::Tensor;
    std::fill(std::begin(have), std::end(have), false);
    return true;
  case Ctx::Meta:
    if (v.kind != Value::String)
      return fail("metadata " + quote(metaKey) + " is not a string (found " +
                  v.what() + ")");
    metadata.emplace(metaKey, *v.text);
    return true;
  case Ctx::Tensor:
    return tensorValue(v);
  case Ctx::Shape:
  case Ctx::Offsets:
    return element(v);
  case Ctx::Done:
    break;
  }
  return fail("internal error: a value after the header's end");
}

bool HeaderHandler::tensorValue(const Value &v) {
  SafetensorsEntry &e = entries.back();
  const char *names[] = {"", "dtype", "shape", "data_offsets"};
  const char *f = names[int(field)];
  switch (field) {
  case Field::Dtype:
    if (v.kind != Value::String)
      return fail(label() + ": " + f + " is not a string (found " + v.what() +
                  ")");
    if (!parseSafetensorsDtype(*v.text, e.dtype))
      return fail(label() + ": unknown dtype " + quote(*v.text) +
                  " (expected F32, F64, F16, BF16, I32, I64 or BOOL)");
    return true;
  case Field::Shape:
  case Field::Offsets:
    if (v.kind != Value::Array)
      return fail(label() + ": " + f + " is not an array (found " + v.what() +
                  ")");
    ctx = field == Field::Shape ? Ctx::Shape : Ctx::Offsets;
    count = 0;
    return true;
  case Field::None:
    break;
  }
  return fail("internal error: a value without a field");
}

bool HeaderHandler::element(const Value &v) {
  bool shape = ctx == Ctx::Shape;
  std::string what =
      label() + (shape ? ": shape dimension " : ": data_offsets element ") +
      std::to_string(count);
  if (v.kind != Value::Unsigned)
    return fail(what + " is " + v.literal() +
                ", expected a non-negative integer");
  if (shape) {
    if (count == kSafetensorsMaxRank)
      return fail(label() + ": shape has more than " +
                  std::to_string(kSafetensorsMaxRank) + " dimensions");
    if (v.u > uint64_t(INT64_MAX))
      return fail(what + " is " + std::to_string(v.u) + ", over the limit of " +
                  kMaxBytes);
    entries.back().shape.push_back(int64_t(v.u));
  } else if (count < 2) {
    offsets[count] = v.u;
  }
  ++count;
  return true;
}

bool HeaderHandler::end_array() {
  if (ctx == Ctx::Offsets && count != 2)
    return fail(label() + ": data_offsets has " + std::to_string(count) +
                " elements, expected 2 ([begin, end])");
  ctx = Ctx::Tensor;
  return true;
}

bool HeaderHandler::end_object() {
  switch (ctx) {
  case Ctx::Top:
    ctx = Ctx::Done;
    done = true;
    return true;
  case Ctx::Meta:
    ctx = Ctx::Top;
    return true;
  case Ctx::Tensor:
    ctx = Ctx::Top;
    return finishTensor();
  default:
    return fail("internal error: an object ends where none began");
  }
}

bool HeaderHandler::finishTensor() {
  SafetensorsEntry &e = entries.back();
  for (auto [f, n] : {std::pair{Field::Dtype, "dtype"},
                      {Field::Shape, "shape"},
                      {Field::Offsets, "data_offsets"}})
    if (!have[int(f)])
      return fail(label() + ": missing '" + n + "'");
  uint64_t begin = offsets[0], end = offsets[1];
  std::string range =
      "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
  if (end < begin)
    return fail(label() + ": data_offsets " + range + " end before they begin");
  if (end > dataSize)
    return fail(label() + ": data_offsets " + range +
                " go past the end of the data section (" +
                std::to_string(dataSize) + " bytes)");
  uint64_t bytes;
  std::string shape = shapeString(e.shape);
  const char *dtype = safetensorsDtypeName(e.dtype);
  if (!shapeBytes(e.shape, dtypeSize(e.dtype), bytes))
    return fail(label() + ": shape " + shape + " of " + dtype +
                " is too large (more than " + kMaxBytes + " bytes)");
  if (bytes != end - begin)
    return fail(label() + ": shape " + shape + " of " + dtype + " needs " +
                std::to_string(bytes) + " bytes but data_offsets " + range +
                " hold " + std::to_string(end - begin));
  e.offset = begin;
  e.size = end - begin;
  ends.back() = end;
  return true;
}

bool HeaderHandler::parse_error(std::size_t position, const std::string &,
                                const nlohmann::detail::exception &ex) {
  // what(): "[json.exception.parse_error.101] parse error at line 1,
  // column 3: syntax error while parsing ...": keep what follows the column.
  std::string detail = ex.what();
  size_t at = detail.find("column ");
  at = at == std::string::npos ? at : detail.find(": ", at);
  if (at != std::string::npos)
    detail = detail.substr(at + 2);
  // The last token read can be most of the header.
  constexpr size_t kMaxDetail = 300;
  if (detail.size() > kMaxDetail) {
    size_t cut = kMaxDetail;
    while (cut > 0 && (uint8_t(detail[cut]) & 0xc0) == 0x80)
      --cut;
    detail = detail.substr(0, cut) + "...";
  }
  // `position` counts the bytes read, the offending one included.
  return fail("header is not valid JSON at offset " +
              std::to_string(8 + (position ? position - 1 : 0)) + ": " +
              detail);
}

} // namespace

namespace loom {

/// Decodes a file into a Safetensors (a friend, to fill in its members).
class SafetensorsDecoder {
public:
  /// Validates [data, data + size) and fills `out` but its bytes; returns
  /// where the data section starts.
  static StatusOr<size_t> decode(const uint8_t *data, size_t size,
                                 const std::string &name, Safetensors &out);
  /// Sets out's bytes.
  static void setBytes(Safetensors &out, std::vector<uint8_t> bytes,
                       size_t dataStart) {
    out.bytes = std::move(bytes);
    out.dataStart = dataStart;
  }
};

} // namespace loom

StatusOr<size_t> SafetensorsDecoder::decode(const uint8_t *data, size_t size,
                                            const std::string &name,
                                            Safetensors &out) {
  auto fail = [&](const std::string &msg) {
    return Status::error(name + ": " + msg);
  };
  if (size < 8)
    return fail("truncated: the header length needs 8 bytes but the file has " +
                std::to_string(size));
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(data[i]) << (8 * i);
  if (n == 0)
    return fail("header length is 0 (expected at least 2, the size of '{}')");
  if (n > kSafetensorsMaxHeader)
    return fail("header length " + std::to_string(n) +
                " is over the limit of " +
                std::to_string(kSafetensorsMaxHeader) + " bytes");
  if (n > size - 8)
    return fail("truncated: the header needs " + std::to_string(n) +
                " bytes after its length but the file has " +
                std::to_string(size - 8));
  const uint8_t *header = data + 8;
  size_t bad;
  if (!validUtf8(header, n, bad)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", header[bad]);
    return fail(std::string("header is not valid UTF-8 (byte ") + byte +
                " at offset " + std::to_string(8 + bad) + ")");
  }

  // nlohmann's lexer takes a NUL byte for the end of its input, which would
  // leave whatever follows unread. No NUL is valid JSON, even in a string.
  if (const void *nul = std::memchr(header, 0, n))
    return fail(
        "header is not valid JSON at offset " +
        std::to_string(8 + (static_cast<const uint8_t *>(nul) - header)) +
        ": a NUL byte (padding must be spaces)");

  HeaderHandler h(size - 8 - n);
  const char *first = reinterpret_cast<const char *>(header);
  // The parser reports errors to the handler rather than throwing; strict:
  // nothing but whitespace (the padding) after the object.
  bool parsed = nlohmann::json::sax_parse(
      first, first + n, &h, nlohmann::json::input_format_t::json,
      /*strict=*/true, /*ignore_comments=*/false);
  if (!h.error.empty())
    return fail(h.error);
  if (!parsed || !h.done)
    return fail("header is not valid JSON");

  // Sorted by offset, the byte ranges must tile the data section.
  uint64_t dataSize = size - 8 - n;
  std::vector<size_t> order(h.entries.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(h.entries[a].offset, h.ends[a], a) <
           std::tie(h.entries[b].offset, h.ends[b], b);
  });
  auto range = [&](size_t i) {
    return "[" + std::to_string(h.entries[i].offset) + ", " +
           std::to_string(h.ends[i]) + "]";
  };
  uint64_t covered = 0;
  size_t prev = 0; // the last tensor with bytes
  for (size_t i : order) {
    const SafetensorsEntry &e = h.entries[i];
    if (e.offset < covered)
      return fail("tensor " + quote(e.name) + " at data_offsets " + range(i) +
                  " overlaps tensor " + quote(h.entries[prev].name) + " at " +
                  range(prev));
    if (e.offset > covered)
      return fail("gap in the data section: bytes [" + std::to_string(covered) +
                  ", " + std::to_string(e.offset) +
                  ") belong to no tensor (tensor " + quote(e.name) +
                  " begins at " + std::to_string(e.offset) + ", expected " +
                  std::to_string(covered) + ")");
    if (e.size) {
      covered = h.ends[i];
      prev = i;
    }
  }
  if (covered != dataSize)
    return fail("the data section has " + std::to_string(dataSize) +
                " bytes but the tensors cover only " + std::to_string(covered) +
                " (" + std::to_string(dataSize - covered) + " trailing bytes)");

  out.meta = std::move(h.metadata);
  out.entries.reserve(order.size());
  for (size_t i : order) {
    out.byName.emplace(h.entries[i].name, out.entries.size());
    out.entries.push_back(std::move(h.entries[i]));
  }
  return size_t(8 + n);
}

//===----------------------------------------------------------------------===//
// Safetensors
//===----------------------------------------------------------------------===//

const SafetensorsEntry *Safetensors::find(const std::string &name) const {
  auto it = byName.find(name);
  return it == byName.end() ? nullptr : &entries[it->second];
}

TensorView Safetensors::view(const SafetensorsEntry &e) const {
  TensorView v;
  v.name = e.name;
  v.dtype = e.dtype;
  v.shape = e.shape;
  v.data = data(e);
  v.size = e.size;
  return v;
}

std::vector<TensorView> Safetensors::views() const {
  std::vector<TensorView> out;
  out.reserve(entries.size());
  for (const SafetensorsEntry &e : entries)
    out.push_back(view(e));
  return out;
}

namespace {

/// Runs `f`, turning an exception (an allocation that failed) into an error
/// naming `name`: none leaves the loader.
template <typename F>
StatusOr<Safetensors> guarded(const std::string &name, F f) {
  try {
    return f();
  } catch (const std::bad_alloc &) {
    return Status::error(name + ": out of memory");
  } catch (const std::exception &e) {
    return Status::error(name + ": internal error: " + e.what());
  }
}

StatusOr<Safetensors> decodeCopy(const uint8_t *data, size_t size,
                                 const std::string &name) {
  static const uint8_t empty = 0;
  if (!data)
    data = &empty, size = 0;
  Safetensors st;
  StatusOr<size_t> start = SafetensorsDecoder::decode(data, size, name, st);
  if (!start.ok())
    return start.status();
  SafetensorsDecoder::setBytes(
      st, std::vector<uint8_t>(data + *start, data + size), 0);
  return st;
}

/// Closes a file descriptor however its scope is left.
struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

StatusOr<Safetensors> readFile(const std::string &path) {
  auto ioError = [&](const std::string &what) {
    return Status::error(path + ": cannot " + what + ": " +
                         std::strerror(errno));
  };
  FileCloser file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    return ioError("open");
  struct stat st;
  if (::fstat(file.fd, &st) != 0)
    return ioError("stat");
  if (!S_ISREG(st.st_mode))
    return Status::error(path + ": not a regular file");
  // The file's own size bounds what is allocated.
  std::vector<uint8_t> bytes(size_t(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t k = ::read(file.fd, bytes.data() + got, bytes.size() - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0)
      return ioError("read");
    if (k == 0) // shrank while we read
      break;
    got += size_t(k);
  }
  bytes.resize(got);
  Safetensors out;
  StatusOr<size_t> start =
      SafetensorsDecoder::decode(bytes.data(), bytes.size(), path, out);
  if (!start.ok())
    return start.status();
  SafetensorsDecoder::setBytes(out, std::move(bytes), *start);
  return out;
}

} // namespace

StatusOr<Safetensors> loom::decodeSafetensors(const uint8_t *data, size_t size,
                                              const std::string &name) {
  return guarded(name, [&] { return decodeCopy(data, size, name); });
}

StatusOr<Safetensors> loom::readSafetensors(const std::string &path) {
  return guarded(path, [&] { return readFile(path); });
}
