//===- ArtifactReader.cpp - Loading .loomx files --------------------------===//
//
// Part of Loom. This file implements the loader. The file is untrusted: every
// offset and size is checked against the bytes there are (with overflow-
// checked arithmetic) before anything is read, every count against the
// room its records need before anything is allocated, every checksum before
// a payload is decoded. Sections of kinds this runtime does not know are
// skipped, unless the file marks them required. validateArtifact then checks
// the decoded contents across sections.
//
//===----------------------------------------------------------------------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/Format.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;
using namespace loom::format;

namespace {

std::string hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, (unsigned long long)v);
  return buf;
}

std::string num(uint64_t v) { return std::to_string(v); }

/// "section 'params'", or "section kind 42" for a kind this runtime does not
/// know.
std::string sectionLabel(uint32_t kind) {
  const char *n = sectionName(kind);
  return *n ? "section '" + std::string(n) + "'"
            : "section kind " + std::to_string(kind);
}

/// Required sections: an artifact without one of them is rejected.
constexpr SectionKind kRequired[] = {
    SectionKind::Meta,    SectionKind::Params,  SectionKind::OptState,
    SectionKind::Buffers, SectionKind::Kernels, SectionKind::Inputs,
    SectionKind::Outputs, SectionKind::Recipe};

constexpr uint32_t kMaxKnownKind = uint32_t(SectionKind::Programs);

//===----------------------------------------------------------------------===//
// Section decoders
//===----------------------------------------------------------------------===//

// Each reads one section's payload with a Cursor; on failure the cursor's
// error says what and where ("record 3: truncated reading dims ...").

/// Reads `n` records of at least `minBody` bytes with `one`, each framed by
/// its u32 size.
template <typename T, typename F>
bool readRecords(Cursor &c, const char *what, uint64_t minBody,
                 bool allowTrailing, std::vector<T> &out, F one) {
  uint32_t n;
  if (!c.count(n, what, 4 + minBody))
    return false;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Cursor body(c.base, 0, 0);
    if (!c.record(body, what))
      return false;
    T rec;
    if (!one(body, rec) || !body.finish(allowTrailing, "the record")) {
      c.error = "record " + std::to_string(i) + ": " + body.error;
      return false;
    }
    out.push_back(std::move(rec));
  }
  return true;
}

bool readName(Cursor &c, std::string &s, const char *what) {
  return c.str(s, what, kArtifactMaxNameLength);
}

bool readShape(Cursor &c, DType &dtype, std::vector<int64_t> &shape) {
  uint8_t code, rank;
  if (!c.u8(code, "dtype") || !c.u8(rank, "rank") ||
      !c.need(uint64_t(rank) * 8, "dims"))
    return false;
  dtype = DType(code);
  shape.resize(rank);
  for (int64_t &d : shape)
    c.i64(d, "dims");
  return c.ok();
}

bool readMeta(Cursor &c, ArtifactMeta &m) {
  return readName(c, m.producer, "producer") &&
         readName(c, m.target, "target") && readName(c, m.source, "source") &&
         c.u64(m.contentHash, "content hash");
}

bool readParams(Cursor &c, bool trailing, std::vector<ParamRecord> &out) {
  return readRecords(
      c, "parameter records", kMinParam, trailing, out,
      [](Cursor &b, ParamRecord &p) {
        uint8_t flags = 0;
        InitSpec &i = p.init;
        bool ok =
            readName(b, p.name, "name") && readShape(b, p.dtype, p.shape) &&
            readName(b, i.kind, "init kind") && b.f64(i.mean, "init mean") &&
            b.f64(i.std, "init std") && b.f64(i.low, "init low") &&
            b.f64(i.high, "init high") && b.f64(i.gain, "init gain") &&
            b.f64(i.value, "init value") && b.f64(i.fanIn, "init fan_in") &&
            b.f64(i.fanOut, "init fan_out") && b.u8(flags, "flags") &&
            readName(b, p.sharding, "sharding") && b.u64(p.offset, "offset") &&
            b.u64(p.size, "size");
        p.frozen = flags & 1; // the other bits are reserved
        return ok;
      });
}

bool readOptState(Cursor &c, bool trailing, std::vector<OptStateRecord> &out) {
  return readRecords(c, "optimizer state records", kMinOptState, trailing, out,
                     [](Cursor &b, OptStateRecord &s) {
                       return readName(b, s.name, "name") &&
                              readShape(b, s.dtype, s.shape) &&
                              readName(b, s.param, "param") &&
                              b.u64(s.offset, "offset") &&
                              b.u64(s.size, "size");
                     });
}

bool readBuffers(Cursor &c, bool trailing, MemoryPlan &plan) {
  return c.u64(plan.arenaSize, "arena size") &&
         c.u64(plan.alignment, "alignment") &&
         readRecords(c, "buffer records", kMinBuffer, trailing, plan.buffers,
                     [](Cursor &b, BufferRecord &r) {
                       return b.u32(r.id, "id") &&
                              readName(b, r.name, "name") &&
                              b.u64(r.offset, "offset") &&
                              b.u64(r.size, "size") &&
                              b.u32(r.firstUse, "first use") &&
                              b.u32(r.lastUse, "last use");
                     });
}

bool readAttr(Cursor &b, KernelAttr &a) {
  uint8_t type;
  if (!readName(b, a.key, "attribute key") || !b.u8(type, "attribute type"))
    return false;
  a.type = KernelAttr::Type(type);
  switch (a.type) {
  case KernelAttr::Type::Int:
    return b.i64(a.i, "attribute value");
  case KernelAttr::Type::Float:
    return b.f64(a.f, "attribute value");
  case KernelAttr::Type::String:
    return b.str(a.s, "attribute value", b.left());
  case KernelAttr::Type::IntList: {
    uint32_t n;
    if (!b.count(n, "attribute list elements", 8))
      return false;
    a.ints.resize(n);
    for (int64_t &v : a.ints)
      b.i64(v, "attribute value");
    return b.ok();
  }
  }
  b.error = "attribute '" + a.key + "' has unknown type " + num(type);
  return false;
}

bool readKernels(Cursor &c, bool trailing, std::vector<KernelRecord> &out) {
  return readRecords(
      c, "kernel records", kMinKernel, trailing, out,
      [](Cursor &b, KernelRecord &k) {
        uint32_t n;
        if (!readName(b, k.kind, "kind") || !readName(b, k.symbol, "symbol") ||
            !b.count(n, "operands", 4))
          return false;
        k.operands.resize(n);
        for (uint32_t &id : k.operands)
          b.u32(id, "operands");
        if (!b.count(n, "attributes", kMinAttr))
          return false;
        k.attrs.resize(n);
        for (KernelAttr &a : k.attrs)
          if (!readAttr(b, a))
            return false;
        return b.u64(k.flops, "flops") && b.u64(k.bytesMoved, "bytes moved");
      });
}

bool readObjects(Cursor &c, bool trailing, uint64_t sectionOffset,
                 std::vector<ObjectBlob> &out) {
  return readRecords(c, "object records", kMinObject, trailing, out,
                     [&](Cursor &b, ObjectBlob &o) {
                       uint64_t size;
                       if (!readName(b, o.name, "name") || !b.u64(size, "size"))
                         return false;
                       // The code starts at the next multiple of 64.
                       uint64_t pad = (kAlign - b.pos % kAlign) % kAlign;
                       if (!b.need(pad, "padding"))
                         return false;
                       b.pos += pad;
                       if (!b.need(size, "object code"))
                         return false;
                       o.fileOffset = sectionOffset + b.pos;
                       o.bytes.assign(b.base + b.pos, b.base + b.pos + size);
                       b.pos += size;
                       return true;
                     });
}

bool readIo(Cursor &c, bool trailing, std::vector<IoRecord> &out) {
  return readRecords(
      c, "records", kMinIo, trailing, out, [](Cursor &b, IoRecord &r) {
        return readName(b, r.name, "name") && readName(b, r.role, "role") &&
               readShape(b, r.dtype, r.shape) && b.u32(r.buffer, "buffer");
      });
}

bool readPrograms(Cursor &c, bool trailing, std::vector<ProgramRecord> &out) {
  return readRecords(c, "program records", kMinProgram, trailing, out,
                     [&](Cursor &b, ProgramRecord &p) {
                       return readName(b, p.name, "name") &&
                              b.u32(p.firstKernel, "first kernel") &&
                              b.u32(p.endKernel, "end kernel") &&
                              readIo(b, trailing, p.inputs) &&
                              readIo(b, trailing, p.outputs);
                     });
}

bool readIr(Cursor &c, bool trailing, std::vector<IrText> &out) {
  return readRecords(
      c, "IR records", kMinIr, trailing, out, [](Cursor &b, IrText &t) {
        return readName(b, t.stage, "stage") && b.str(t.text, "text", b.left());
      });
}

//===----------------------------------------------------------------------===//
// Container
//===----------------------------------------------------------------------===//

struct Entry {
  uint32_t kind, flags;
  uint64_t offset, size;
  uint32_t crc;
};

class Reader {
public:
  Reader(const uint8_t *data, uint64_t size, const std::string &name,
         const ReadOptions &options)
      : data(data), size(size), name(name), options(options) {}

  StatusOr<Artifact> read();

private:
  Status fail(const std::string &msg) const {
    return Status::error(name + ": " + msg);
  }
  Status readHeader();
  Status readTable();
  Status checkSections();
  Status decode(const Entry &e, Artifact &a);

  const uint8_t *data;
  uint64_t size;
  const std::string &name;
  const ReadOptions &options;

  uint16_t major = 0, minor = 0;
  uint32_t count = 0, entrySize = 0;
  uint64_t headerSize = 0, tableOffset = 0, tableEnd = 0;
  std::vector<Entry> entries;
};

Status Reader::readHeader() {
  uint64_t m = std::min<uint64_t>(size, sizeof kMagic);
  if (std::memcmp(data, kMagic, m) != 0) {
    std::string got;
    for (uint64_t i = 0; i < m; ++i)
      got += hex(data[i], 2).substr(2);
    return fail("not a Loom artifact: bad magic " + got +
                " (expected 4c4f4f4d5800, \"LOOMX\\0\")");
  }
  if (size < kHeaderSize)
    return fail("truncated: header needs " + num(kHeaderSize) +
                " bytes but the file has " + num(size));
  major = load16(data + kHdrMajor);
  minor = load16(data + kHdrMinor);
  std::string version = num(major) + "." + num(minor);
  std::string ours = num(kArtifactMajor) + ".x";
  if (major > kArtifactMajor)
    return fail("format version " + version + " is newer than this runtime (" +
                ours + "); recompile with this loom");
  if (major < kArtifactMajor)
    return fail("format version " + version +
                " is older than this runtime reads (" + ours +
                "); recompile with this loom");
  uint32_t stored = load32(data + kHdrHeaderCrc);
  uint32_t computed = headerCrc(data);
  if (options.verifyChecksums && stored != computed)
    return fail("header checksum mismatch (stored " + hex(stored, 8) +
                ", computed " + hex(computed, 8) + ")");
  headerSize = load16(data + kHdrHeaderSize);
  if (headerSize < kHeaderSize)
    return fail("header size " + num(headerSize) + " is smaller than " +
                num(kHeaderSize));
  if (headerSize > size)
    return fail("truncated: header needs " + num(headerSize) +
                " bytes but the file has " + num(size));
  uint32_t flags = load32(data + kHdrFlags);
  if (flags & kRequiredFlagsMask)
    return fail("uses format features " + hex(flags & kRequiredFlagsMask, 4) +
                " that this runtime (" + ours + ") does not know");
  count = load32(data + kHdrSectionCount);
  entrySize = load32(data + kHdrEntrySize);
  tableOffset = load64(data + kHdrTableOffset);
  if (count > kMaxSections)
    return fail("section count " + num(count) + " exceeds the limit of " +
                num(kMaxSections));
  if (entrySize < kEntrySize)
    return fail("section table entry size " + num(entrySize) +
                " is smaller than " + num(kEntrySize));
  return Status();
}

Status Reader::readTable() {
  uint64_t bytes;
  if (tableOffset < headerSize)
    return fail("section table at offset " + num(tableOffset) +
                " overlaps the header");
  if (__builtin_mul_overflow(uint64_t(count), uint64_t(entrySize), &bytes) ||
      __builtin_add_overflow(tableOffset, bytes, &tableEnd) || tableEnd > size)
    return fail("truncated: section table at offset " + num(tableOffset) +
                " needs " + num(uint64_t(count) * entrySize) +
                " bytes but the file has " + num(size));
  uint32_t stored = load32(data + kHdrTableCrc);
  uint32_t computed = crc32c(data + tableOffset, bytes);
  if (options.verifyChecksums && stored != computed)
    return fail("section table checksum mismatch (stored " + hex(stored, 8) +
                ", computed " + hex(computed, 8) + ")");
  entries.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t *e = data + tableOffset + uint64_t(i) * entrySize;
    entries.push_back({load32(e + kEntKind), load32(e + kEntFlags),
                       load64(e + kEntOffset), load64(e + kEntSize),
                       load32(e + kEntCrc)});
  }
  return Status();
}

Status Reader::checkSections() {
  bool seen[kMaxKnownKind + 1] = {};
  for (const Entry &e : entries) {
    std::string label = sectionLabel(e.kind);
    uint64_t end;
    if (__builtin_add_overflow(e.offset, e.size, &end) || end > size)
      return fail("truncated: " + label + " at offset " + num(e.offset) +
                  " needs " + num(e.size) + " bytes but the file has " +
                  num(size));
    if (e.offset % kAlign)
      return fail(label + " at offset " + num(e.offset) +
                  " is not aligned to " + num(kAlign) + " bytes");
    if (e.offset < tableEnd)
      return fail(label + " at offset " + num(e.offset) +
                  " overlaps the header or the section table (which end at " +
                  num(tableEnd) + ")");
    if (!*sectionName(e.kind)) {
      if (e.flags & kSectionRequired)
        return fail(label + " is marked required but this runtime (" +
                    num(kArtifactMajor) + "." + num(kArtifactMinor) +
                    ") does not know it; update the runtime");
      continue;
    }
    if (seen[e.kind])
      return fail(label + " appears twice");
    seen[e.kind] = true;
  }
  // No two payloads share a byte (empty ones hold none).
  std::vector<const Entry *> byOffset;
  for (const Entry &e : entries)
    if (e.size)
      byOffset.push_back(&e);
  // Ties in table order (the entries' addresses), for one message.
  std::sort(byOffset.begin(), byOffset.end(),
            [](const Entry *a, const Entry *b) {
              return a->offset != b->offset ? a->offset < b->offset : a < b;
            });
  for (size_t i = 1; i < byOffset.size(); ++i) {
    const Entry *p = byOffset[i - 1], *q = byOffset[i];
    if (p->offset + p->size > q->offset)
      return fail(sectionLabel(p->kind) + " and " + sectionLabel(q->kind) +
                  " overlap at offset " + num(q->offset));
  }
  if (options.verifyChecksums) {
    for (const Entry &e : entries) {
      uint32_t computed = crc32c(data + e.offset, e.size);
      if (computed != e.crc)
        return fail(sectionLabel(e.kind) + " checksum mismatch (stored " +
                    hex(e.crc, 8) + ", computed " + hex(computed, 8) + ")");
    }
  }
  for (SectionKind k : kRequired)
    if (!seen[uint32_t(k)])
      return fail("required section '" + std::string(sectionName(uint32_t(k))) +
                  "' is missing");
  return Status();
}

Status Reader::decode(const Entry &e, Artifact &a) {
  Cursor c(data + e.offset, 0, e.size);
  // Fields a later minor version appends are skipped; in a file of this
  // runtime's version or older, extra bytes mean a broken writer.
  bool trailing = minor > kArtifactMinor;
  bool ok = true;
  switch (SectionKind(e.kind)) {
  case SectionKind::Meta:
    ok = readMeta(c, a.meta);
    break;
  case SectionKind::Params:
    ok = readParams(c, trailing, a.params);
    break;
  case SectionKind::OptState:
    ok = readOptState(c, trailing, a.optState);
    break;
  case SectionKind::Buffers:
    ok = readBuffers(c, trailing, a.memory);
    break;
  case SectionKind::Kernels:
    ok = readKernels(c, trailing, a.kernels);
    break;
  case SectionKind::Objects:
    ok = readObjects(c, trailing, e.offset, a.objects);
    break;
  case SectionKind::Inputs:
    ok = readIo(c, trailing, a.inputs);
    break;
  case SectionKind::Outputs:
    ok = readIo(c, trailing, a.outputs);
    break;
  case SectionKind::Recipe:
    a.recipe.assign(reinterpret_cast<const char *>(data + e.offset), e.size);
    c.pos = c.end;
    break;
  case SectionKind::Ir:
    ok = readIr(c, trailing, a.ir);
    break;
  case SectionKind::Programs:
    ok = readPrograms(c, trailing, a.programs);
    break;
  }
  if (ok)
    ok = c.finish(trailing, "the section");
  if (!ok)
    return fail(sectionLabel(e.kind) + ": " + c.error);
  return Status();
}

StatusOr<Artifact> Reader::read() {
  if (Status s = readHeader(); !s.ok())
    return s;
  if (Status s = readTable(); !s.ok())
    return s;
  if (Status s = checkSections(); !s.ok())
    return s;
  Artifact a;
  a.formatMajor = major;
  a.formatMinor = minor;
  for (const Entry &e : entries) {
    if (!*sectionName(e.kind)) {
      a.skippedSections.push_back(e.kind);
      continue;
    }
    if (Status s = decode(e, a); !s.ok())
      return s;
  }
  if (options.verifyChecksums) {
    uint64_t h = kFnvBasis;
    for (const Entry &e : entries)
      h = hashSection(h, e.kind, data + e.offset, e.size);
    if (h != a.meta.contentHash)
      return fail("content hash mismatch (meta records " +
                  hex(a.meta.contentHash, 16) + ", computed " + hex(h, 16) +
                  ")");
  }
  if (Status s = validateArtifact(a, name); !s.ok())
    return s;
  return a;
}

} // namespace

StatusOr<Artifact> loom::decodeArtifact(const uint8_t *data, size_t size,
                                        const std::string &name,
                                        const ReadOptions &options) {
  static const uint8_t empty = 0;
  return Reader(data ? data : &empty, data ? size : 0, name, options).read();
}

StatusOr<Artifact> loom::readArtifact(const std::string &path,
                                      const ReadOptions &options) {
  auto ioError = [&](const std::string &what) {
    return Status::error(path + ": cannot " + what + ": " +
                         std::strerror(errno));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ioError("open");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ioError("stat");
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error(path + ": not a regular file");
  }
  // The file's own size bounds what is allocated.
  std::vector<uint8_t> bytes(size_t(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t k = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0) {
      Status s = ioError("read");
      ::close(fd);
      return s;
    }
    if (k == 0) // shrank while we read
      break;
    got += size_t(k);
  }
  ::close(fd);
  bytes.resize(got);
  return decodeArtifact(bytes.data(), bytes.size(), path, options);
}
