//===- Format.h - .loomx byte layout (internal) -----------------*- C++ -*-===//
//
// Part of Loom. The byte layout the writer and the reader share: header and
// section-table field offsets, the smallest encoding of each record (which
// bounds how many records a section can hold), a little-endian byte writer
// and a bounds-checked cursor. Private to runtime/artifact/; docs/artifact.md
// is the specification.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_FORMAT_H
#define LOOM_RUNTIME_ARTIFACT_FORMAT_H

#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace loom {
namespace format {

//--- header (64 bytes) -------------------------------------------------------
constexpr uint8_t kMagic[6] = {'L', 'O', 'O', 'M', 'X', 0};
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kHdrMajor = 6;         // u16
constexpr uint64_t kHdrMinor = 8;         // u16
constexpr uint64_t kHdrHeaderSize = 10;   // u16
constexpr uint64_t kHdrFlags = 12;        // u32
constexpr uint64_t kHdrSectionCount = 16; // u32
constexpr uint64_t kHdrEntrySize = 20;    // u32
constexpr uint64_t kHdrTableOffset = 24;  // u64
constexpr uint64_t kHdrTableCrc = 32;     // u32
constexpr uint64_t kHdrHeaderCrc = 36;    // u32, see headerCrc
/// Header flags a reader must understand (none are defined yet); the high
/// 16 bits are hints a reader may ignore.
constexpr uint32_t kRequiredFlagsMask = 0xffff;

//--- section table entry (32 bytes) ------------------------------------------
constexpr uint64_t kEntrySize = 32;
constexpr uint64_t kEntKind = 0;   // u32
constexpr uint64_t kEntFlags = 4;  // u32
constexpr uint64_t kEntOffset = 8; // u64
constexpr uint64_t kEntSize = 16;  // u64
constexpr uint64_t kEntCrc = 24;   // u32
constexpr uint32_t kMaxSections = 1u << 16;

/// Payloads, and object code inside the objects section, start at multiples
/// of this.
constexpr uint64_t kAlign = 64;

/// The largest arena and alignment an artifact may ask for.
constexpr uint64_t kMaxArenaSize = uint64_t(1) << 48;
constexpr uint64_t kMaxAlignment = uint64_t(1) << 20;

//--- smallest record bodies (every string empty, every list empty) -----------
// A count is checked against these before anything is allocated for it.
constexpr uint64_t kMinParam = 4 + 1 + 1 + 4 + 8 * 8 + 1 + 4 + 8 + 8;
constexpr uint64_t kMinOptState = 4 + 1 + 1 + 4 + 8 + 8;
constexpr uint64_t kMinBuffer = 4 + 4 + 8 + 8 + 4 + 4;
constexpr uint64_t kMinKernel = 4 + 4 + 4 + 4 + 8 + 8;
constexpr uint64_t kMinAttr = 4 + 1 + 4;
constexpr uint64_t kMinObject = 4 + 8;
constexpr uint64_t kMinIo = 4 + 4 + 1 + 1 + 4;
constexpr uint64_t kMinIr = 4 + 4;
constexpr uint64_t kMinProgram = 4 + 4 + 4 + 4 + 4;

/// The header's checksum: CRC-32C of its 64 bytes but the 4 that hold it.
inline uint32_t headerCrc(const uint8_t *header) {
  return crc32c(header + kHdrHeaderCrc + 4, kHeaderSize - kHdrHeaderCrc - 4,
                crc32c(header, kHdrHeaderCrc));
}

inline uint16_t load16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
inline uint32_t load32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
inline uint64_t load64(const uint8_t *p) {
  return uint64_t(load32(p)) | uint64_t(load32(p + 4)) << 32;
}
inline void store16(uint8_t *p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
inline void store32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = uint8_t(v >> (8 * i));
}
inline void store64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = uint8_t(v >> (8 * i));
}

/// Appends little-endian fields to a byte vector.
class ByteWriter {
public:
  std::vector<uint8_t> bytes;

  void u8(uint8_t v) { bytes.push_back(v); }
  void u32(uint32_t v) {
    size_t at = grow(4);
    store32(&bytes[at], v);
  }
  void u64(uint64_t v) {
    size_t at = grow(8);
    store64(&bytes[at], v);
  }
  void i64(int64_t v) { u64(uint64_t(v)); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  /// u32 length, then the bytes.
  void str(const std::string &s) {
    u32(uint32_t(s.size()));
    raw(s.data(), s.size());
  }
  void raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  /// Zeros up to the next multiple of `align`.
  void pad(uint64_t align) {
    while (bytes.size() % align)
      bytes.push_back(0);
  }
  /// Starts a record: a u32 size, patched by endRecord.
  size_t beginRecord() { return grow(4); }
  void endRecord(size_t at) {
    store32(&bytes[at], uint32_t(bytes.size() - at - 4));
  }

private:
  size_t grow(size_t n) {
    size_t at = bytes.size();
    bytes.resize(at + n);
    return at;
  }
};

/// Reads little-endian fields from [pos, end) of a section's payload,
/// never past `end`. The first failure is kept in `error`; every later read
/// fails too.
class Cursor {
public:
  Cursor(const uint8_t *base, uint64_t pos, uint64_t end)
      : base(base), pos(pos), end(end) {}

  const uint8_t *base; ///< the section's first byte
  uint64_t pos, end;   ///< relative to base
  std::string error;

  bool ok() const { return error.empty(); }
  uint64_t left() const { return end - pos; }

  bool need(uint64_t n, const char *what) {
    if (!ok())
      return false;
    if (n <= left())
      return true;
    error = "truncated reading " + std::string(what) + " (needs " +
            std::to_string(n) + " bytes, " + std::to_string(left()) + " left)";
    return false;
  }
  bool u8(uint8_t &v, const char *what) {
    if (!need(1, what))
      return false;
    v = base[pos++];
    return true;
  }
  bool u32(uint32_t &v, const char *what) {
    if (!need(4, what))
      return false;
    v = load32(base + pos);
    pos += 4;
    return true;
  }
  bool u64(uint64_t &v, const char *what) {
    if (!need(8, what))
      return false;
    v = load64(base + pos);
    pos += 8;
    return true;
  }
  bool i64(int64_t &v, const char *what) {
    uint64_t u;
    if (!u64(u, what))
      return false;
    v = int64_t(u);
    return true;
  }
  bool f64(double &v, const char *what) {
    uint64_t bits;
    if (!u64(bits, what))
      return false;
    std::memcpy(&v, &bits, sizeof v);
    return true;
  }
  /// A u32-length string of at most `maxLen` bytes.
  bool str(std::string &s, const char *what, uint64_t maxLen);
  /// A u32 count of items of at least `minItem` bytes each, checked against
  /// the bytes left, so that nothing is allocated for items not there.
  bool count(uint32_t &n, const char *what, uint64_t minItem);
  /// A sub-cursor over the next record: u32 size, then the body.
  bool record(Cursor &body, const char *what);
  /// Fails unless the cursor is at its end; trailing bytes are fields of a
  /// later minor version and skipped when `allowTrailing`.
  bool finish(bool allowTrailing, const char *what);
};

} // namespace format
} // namespace loom

#endif // LOOM_RUNTIME_ARTIFACT_FORMAT_H
