//===- Artifact.cpp - Element types, checksums, the byte cursor -----------===//
//
// Part of Loom. This file implements what the artifact writer and reader
// share: element type sizes and names, section names, CRC-32C and FNV-1a,
// record equality, and the bounds-checked cursor the decoders read with.
//
//===----------------------------------------------------------------------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/Format.h"

#include <array>

using namespace loom;

const char *loom::sectionName(uint32_t kind) {
  switch (SectionKind(kind)) {
  case SectionKind::Meta:
    return "meta";
  case SectionKind::Params:
    return "params";
  case SectionKind::OptState:
    return "opt_state";
  case SectionKind::Buffers:
    return "buffers";
  case SectionKind::Kernels:
    return "kernels";
  case SectionKind::Objects:
    return "objects";
  case SectionKind::Inputs:
    return "inputs";
  case SectionKind::Outputs:
    return "outputs";
  case SectionKind::Programs:
    return "programs";
  case SectionKind::Recipe:
    return "recipe";
  case SectionKind::Ir:
    return "ir";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Checksums
//===----------------------------------------------------------------------===//

namespace {
/// The byte-at-a-time table of the reflected Castagnoli polynomial.
std::array<uint32_t, 256> makeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    table[i] = c;
  }
  return table;
}
} // namespace

uint32_t loom::crc32c(const void *data, size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> table = makeCrc32cTable();
  const uint8_t *p = static_cast<const uint8_t *>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t loom::fnv1a64(const void *data, size_t size, uint64_t hash) {
  const uint8_t *p = static_cast<const uint8_t *>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

//===----------------------------------------------------------------------===//
// Records
//===----------------------------------------------------------------------===//

KernelAttr KernelAttr::ofInt(std::string key, int64_t v) {
  KernelAttr a;
  a.key = std::move(key);
  a.type = Type::Int;
  a.i = v;
  return a;
}

KernelAttr KernelAttr::ofFloat(std::string key, double v) {
  KernelAttr a;
  a.key = std::move(key);
  a.type = Type::Float;
  a.f = v;
  return a;
}

KernelAttr KernelAttr::ofString(std::string key, std::string v) {
  KernelAttr a;
  a.key = std::move(key);
  a.type = Type::String;
  a.s = std::move(v);
  return a;
}

KernelAttr KernelAttr::ofInts(std::string key, std::vector<int64_t> v) {
  KernelAttr a;
  a.key = std::move(key);
  a.type = Type::IntList;
  a.ints = std::move(v);
  return a;
}

const KernelAttr *KernelRecord::attr(const std::string &key) const {
  for (const KernelAttr &a : attrs)
    if (a.key == key)
      return &a;
  return nullptr;
}

std::string KernelRecord::sourceOp() const {
  const KernelAttr *fused = attr("fused");
  if (fused && fused->type == KernelAttr::Type::String)
    return "fused " + fused->s;
  const KernelAttr *op = attr("source_op");
  return op && op->type == KernelAttr::Type::String ? op->s : std::string();
}

bool loom::operator==(const BufferRecord &a, const BufferRecord &b) {
  return a.id == b.id && a.name == b.name && a.offset == b.offset &&
         a.size == b.size && a.firstUse == b.firstUse && a.lastUse == b.lastUse;
}

bool loom::operator==(const KernelAttr &a, const KernelAttr &b) {
  if (a.key != b.key || a.type != b.type)
    return false;
  switch (a.type) {
  case KernelAttr::Type::Int:
    return a.i == b.i;
  case KernelAttr::Type::Float: // bitwise, so that NaN equals itself
    return std::memcmp(&a.f, &b.f, sizeof a.f) == 0;
  case KernelAttr::Type::String:
    return a.s == b.s;
  case KernelAttr::Type::IntList:
    return a.ints == b.ints;
  }
  return false;
}

bool loom::operator==(const KernelRecord &a, const KernelRecord &b) {
  return a.kind == b.kind && a.symbol == b.symbol && a.operands == b.operands &&
         a.attrs == b.attrs && a.flops == b.flops &&
         a.bytesMoved == b.bytesMoved;
}

bool loom::operator==(const ParamRecord &a, const ParamRecord &b) {
  return a.name == b.name && a.dtype == b.dtype && a.shape == b.shape &&
         a.init == b.init && a.frozen == b.frozen && a.sharding == b.sharding &&
         a.offset == b.offset && a.size == b.size;
}

bool loom::operator==(const OptStateRecord &a, const OptStateRecord &b) {
  return a.name == b.name && a.dtype == b.dtype && a.shape == b.shape &&
         a.param == b.param && a.offset == b.offset && a.size == b.size;
}

bool loom::operator==(const IoRecord &a, const IoRecord &b) {
  return a.name == b.name && a.role == b.role && a.dtype == b.dtype &&
         a.shape == b.shape && a.buffer == b.buffer;
}

bool loom::operator==(const ProgramRecord &a, const ProgramRecord &b) {
  return a.name == b.name && a.firstKernel == b.firstKernel &&
         a.endKernel == b.endKernel && a.inputs == b.inputs &&
         a.outputs == b.outputs;
}

const ProgramRecord *Artifact::program(const std::string &name) const {
  for (const ProgramRecord &p : programs)
    if (p.name == name)
      return &p;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Cursor
//===----------------------------------------------------------------------===//

using format::Cursor;

bool Cursor::str(std::string &s, const char *what, uint64_t maxLen) {
  uint32_t n;
  if (!u32(n, what))
    return false;
  if (n > maxLen) {
    error = std::string(what) + " is " + std::to_string(n) +
            " bytes long, more than the limit of " + std::to_string(maxLen);
    return false;
  }
  if (!need(n, what))
    return false;
  s.assign(reinterpret_cast<const char *>(base + pos), n);
  pos += n;
  return true;
}

bool Cursor::count(uint32_t &n, const char *what, uint64_t minItem) {
  if (!u32(n, what))
    return false;
  uint64_t room = left() / minItem;
  if (n > room) {
    error = "claims " + std::to_string(n) + " " + what +
            " but has room for at most " + std::to_string(room);
    return false;
  }
  return true;
}

bool Cursor::record(Cursor &body, const char *what) {
  uint32_t n;
  if (!u32(n, what) || !need(n, what))
    return false;
  body = Cursor(base, pos, pos + n);
  pos += n;
  return true;
}

bool Cursor::finish(bool allowTrailing, const char *what) {
  if (!ok())
    return false;
  if (pos != end && !allowTrailing) {
    error = std::string(what) + " has " + std::to_string(left()) +
            " unexpected trailing bytes";
    return false;
  }
  pos = end;
  return true;
}
