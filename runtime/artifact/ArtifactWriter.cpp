//===- ArtifactWriter.cpp - Encoding and writing .loomx files -------------===//
//
// Part of Loom. This file implements the writer: each section's payload
// field by field (little-endian, explicit widths, never a struct's bytes),
// the container around them (header, section table, 64-byte aligned
// payloads, CRC-32C of each, the content hash in meta), written with
// runtime/File.h's atomic write.
//
//===----------------------------------------------------------------------===//

#include "runtime/File.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/artifact/Format.h"

#include <cstring>

using namespace loom;
using format::ByteWriter;

//===----------------------------------------------------------------------===//
// Sections
//===----------------------------------------------------------------------===//

namespace {

void putShape(ByteWriter &w, DType dtype, const std::vector<int64_t> &shape) {
  w.u8(uint8_t(dtype));
  w.u8(uint8_t(shape.size()));
  for (int64_t d : shape)
    w.i64(d);
}

std::vector<uint8_t> encodeMeta(const ArtifactMeta &m) {
  ByteWriter w;
  w.str(m.producer);
  w.str(m.target);
  w.str(m.source);
  w.u64(m.contentHash);
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeParams(const std::vector<ParamRecord> &params) {
  ByteWriter w;
  w.u32(uint32_t(params.size()));
  for (const ParamRecord &p : params) {
    size_t at = w.beginRecord();
    w.str(p.name);
    putShape(w, p.dtype, p.shape);
    w.str(p.init.kind);
    for (double v : {p.init.mean, p.init.std, p.init.low, p.init.high,
                     p.init.gain, p.init.value, p.init.fanIn, p.init.fanOut})
      w.f64(v);
    w.u8(p.frozen ? 1 : 0);
    w.str(p.sharding);
    w.u64(p.offset);
    w.u64(p.size);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeOptState(const std::vector<OptStateRecord> &state) {
  ByteWriter w;
  w.u32(uint32_t(state.size()));
  for (const OptStateRecord &s : state) {
    size_t at = w.beginRecord();
    w.str(s.name);
    putShape(w, s.dtype, s.shape);
    w.str(s.param);
    w.u64(s.offset);
    w.u64(s.size);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeBuffers(const MemoryPlan &plan) {
  ByteWriter w;
  w.u64(plan.arenaSize);
  w.u64(plan.alignment);
  w.u32(uint32_t(plan.buffers.size()));
  for (const BufferRecord &b : plan.buffers) {
    size_t at = w.beginRecord();
    w.u32(b.id);
    w.str(b.name);
    w.u64(b.offset);
    w.u64(b.size);
    w.u32(b.firstUse);
    w.u32(b.lastUse);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeKernels(const std::vector<KernelRecord> &kernels) {
  ByteWriter w;
  w.u32(uint32_t(kernels.size()));
  for (const KernelRecord &k : kernels) {
    size_t at = w.beginRecord();
    w.str(k.kind);
    w.str(k.symbol);
    w.u32(uint32_t(k.operands.size()));
    for (uint32_t id : k.operands)
      w.u32(id);
    w.u32(uint32_t(k.attrs.size()));
    for (const KernelAttr &a : k.attrs) {
      w.str(a.key);
      w.u8(uint8_t(a.type));
      switch (a.type) {
      case KernelAttr::Type::Int:
        w.i64(a.i);
        break;
      case KernelAttr::Type::Float:
        w.f64(a.f);
        break;
      case KernelAttr::Type::String:
        w.str(a.s);
        break;
      case KernelAttr::Type::IntList:
        w.u32(uint32_t(a.ints.size()));
        for (int64_t v : a.ints)
          w.i64(v);
        break;
      }
    }
    w.u64(k.flops);
    w.u64(k.bytesMoved);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeObjects(const std::vector<ObjectBlob> &objects) {
  ByteWriter w;
  w.u32(uint32_t(objects.size()));
  for (const ObjectBlob &o : objects) {
    size_t at = w.beginRecord();
    w.str(o.name);
    w.u64(o.bytes.size());
    // The section starts at a multiple of 64 in the file: so does the code.
    w.pad(format::kAlign);
    w.raw(o.bytes.data(), o.bytes.size());
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

void putIo(ByteWriter &w, const std::vector<IoRecord> &io) {
  w.u32(uint32_t(io.size()));
  for (const IoRecord &r : io) {
    size_t at = w.beginRecord();
    w.str(r.name);
    w.str(r.role);
    putShape(w, r.dtype, r.shape);
    w.u32(r.buffer);
    w.endRecord(at);
  }
}

std::vector<uint8_t> encodeIo(const std::vector<IoRecord> &io) {
  ByteWriter w;
  putIo(w, io);
  return std::move(w.bytes);
}

std::vector<uint8_t> encodePrograms(const std::vector<ProgramRecord> &ps) {
  ByteWriter w;
  w.u32(uint32_t(ps.size()));
  for (const ProgramRecord &p : ps) {
    size_t at = w.beginRecord();
    w.str(p.name);
    w.u32(p.firstKernel);
    w.u32(p.endKernel);
    putIo(w, p.inputs);
    putIo(w, p.outputs);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

std::vector<uint8_t> encodeIr(const std::vector<IrText> &ir) {
  ByteWriter w;
  w.u32(uint32_t(ir.size()));
  for (const IrText &t : ir) {
    size_t at = w.beginRecord();
    w.str(t.stage);
    w.str(t.text);
    w.endRecord(at);
  }
  return std::move(w.bytes);
}

RawSection section(SectionKind kind, std::vector<uint8_t> bytes,
                   uint32_t flags = kSectionRequired) {
  RawSection s;
  s.kind = uint32_t(kind);
  s.flags = flags;
  s.bytes = std::move(bytes);
  return s;
}

} // namespace

std::vector<RawSection> loom::encodeSections(const Artifact &a) {
  std::vector<RawSection> s;
  s.push_back(section(SectionKind::Meta, encodeMeta(a.meta)));
  s.push_back(section(SectionKind::Params, encodeParams(a.params)));
  s.push_back(section(SectionKind::OptState, encodeOptState(a.optState)));
  s.push_back(section(SectionKind::Buffers, encodeBuffers(a.memory)));
  s.push_back(section(SectionKind::Kernels, encodeKernels(a.kernels)));
  s.push_back(section(SectionKind::Objects, encodeObjects(a.objects), 0));
  s.push_back(section(SectionKind::Inputs, encodeIo(a.inputs)));
  s.push_back(section(SectionKind::Outputs, encodeIo(a.outputs)));
  s.push_back(section(SectionKind::Recipe,
                      std::vector<uint8_t>(a.recipe.begin(), a.recipe.end())));
  s.push_back(section(SectionKind::Ir, encodeIr(a.ir), 0));
  // A reader that runs the step alone would misread the kernel list, so a
  // 1.0 reader must reject a file with other programs.
  if (!a.programs.empty())
    s.push_back(section(SectionKind::Programs, encodePrograms(a.programs)));
  return s;
}

namespace {

/// The kernels section `data` as encodeKernels would write it without the
/// kernels' `source_loc` attributes (which say where the source file lay,
/// not what the step computes); false if it does not decode.
bool withoutSourceLocations(const uint8_t *data, uint64_t size, ByteWriter &w) {
  format::Cursor c(data, 0, size);
  uint32_t count = 0;
  if (!c.u32(count, "count"))
    return false;
  w.u32(count);
  auto str = [&](std::string &v) {
    uint32_t n = 0;
    if (!c.u32(n, "length") || !c.need(n, "string"))
      return false;
    v.assign(reinterpret_cast<const char *>(data + c.pos), n);
    c.pos += n;
    return true;
  };
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t recordSize = 0;
    if (!c.u32(recordSize, "record") || !c.need(recordSize, "record"))
      return false;
    uint64_t end = c.pos + recordSize;
    size_t at = w.beginRecord();
    std::string text;
    uint32_t n = 0;
    // kind, symbol, operands: as they are.
    uint64_t from = c.pos;
    if (!str(text) || !str(text) || !c.u32(n, "operands") ||
        !c.need(uint64_t(n) * 4, "operands"))
      return false;
    c.pos += uint64_t(n) * 4;
    w.raw(data + from, c.pos - from);
    uint32_t attrs = 0;
    if (!c.u32(attrs, "attributes"))
      return false;
    size_t countAt = w.bytes.size();
    w.u32(attrs);
    uint32_t kept = 0;
    for (uint32_t a = 0; a < attrs; ++a) {
      uint64_t begin = c.pos;
      std::string key;
      uint8_t type = 0;
      if (!str(key) || !c.u8(type, "type") ||
          type < uint8_t(KernelAttr::Type::Int) ||
          type > uint8_t(KernelAttr::Type::IntList))
        return false;
      switch (KernelAttr::Type(type)) {
      case KernelAttr::Type::Int:
      case KernelAttr::Type::Float:
        if (!c.need(8, "value"))
          return false;
        c.pos += 8;
        break;
      case KernelAttr::Type::String:
        if (!str(text))
          return false;
        break;
      case KernelAttr::Type::IntList:
        if (!c.u32(n, "list") || !c.need(uint64_t(n) * 8, "list"))
          return false;
        c.pos += uint64_t(n) * 8;
        break;
      }
      if (key == "source_loc")
        continue;
      w.raw(data + begin, c.pos - begin);
      ++kept;
    }
    format::store32(&w.bytes[countAt], kept);
    // flops, bytes moved and anything a later minor version appends.
    if (c.pos > end)
      return false;
    w.raw(data + c.pos, end - c.pos);
    c.pos = end;
    w.endRecord(at);
  }
  return c.pos == size;
}

} // namespace

uint64_t loom::hashSection(uint64_t h, uint32_t kind, const uint8_t *data,
                           uint64_t size) {
  if (kind == uint32_t(SectionKind::Meta) || kind == uint32_t(SectionKind::Ir))
    return h;
  ByteWriter identity;
  if (kind == uint32_t(SectionKind::Kernels) &&
      withoutSourceLocations(data, size, identity)) {
    data = identity.bytes.data();
    size = identity.bytes.size();
  }
  uint8_t head[12];
  format::store32(head, kind);
  format::store64(head + 4, size);
  h = fnv1a64(head, sizeof head, h);
  return fnv1a64(data, size, h);
}

uint64_t loom::contentHash(const std::vector<RawSection> &sections) {
  uint64_t h = kFnvBasis;
  for (const RawSection &s : sections)
    h = hashSection(h, s.kind, s.bytes.data(), s.bytes.size());
  return h;
}

//===----------------------------------------------------------------------===//
// Container
//===----------------------------------------------------------------------===//

static uint64_t alignUp(uint64_t v) {
  return (v + format::kAlign - 1) / format::kAlign * format::kAlign;
}

std::vector<uint8_t>
loom::encodeContainer(const std::vector<RawSection> &sections, uint16_t major,
                      uint16_t minor, uint32_t flags) {
  using namespace format;
  uint64_t tableSize = sections.size() * kEntrySize;
  uint64_t at = alignUp(kHeaderSize + tableSize);
  std::vector<uint64_t> offsets;
  for (const RawSection &s : sections) {
    offsets.push_back(at);
    at = alignUp(at + s.bytes.size());
  }
  uint64_t fileSize = sections.empty()
                          ? kHeaderSize
                          : offsets.back() + sections.back().bytes.size();
  std::vector<uint8_t> out(fileSize, 0);

  uint8_t *table = out.data() + kHeaderSize;
  for (size_t i = 0; i < sections.size(); ++i) {
    const RawSection &s = sections[i];
    uint8_t *e = table + i * kEntrySize;
    store32(e + kEntKind, s.kind);
    store32(e + kEntFlags, s.flags);
    store64(e + kEntOffset, offsets[i]);
    store64(e + kEntSize, s.bytes.size());
    store32(e + kEntCrc, crc32c(s.bytes.data(), s.bytes.size()));
    if (!s.bytes.empty())
      std::memcpy(out.data() + offsets[i], s.bytes.data(), s.bytes.size());
  }

  uint8_t *h = out.data();
  std::memcpy(h, kMagic, sizeof kMagic);
  store16(h + kHdrMajor, major);
  store16(h + kHdrMinor, minor);
  store16(h + kHdrHeaderSize, uint16_t(kHeaderSize));
  store32(h + kHdrFlags, flags);
  store32(h + kHdrSectionCount, uint32_t(sections.size()));
  store32(h + kHdrEntrySize, uint32_t(kEntrySize));
  store64(h + kHdrTableOffset, kHeaderSize);
  store32(h + kHdrTableCrc, crc32c(table, tableSize));
  store32(h + kHdrHeaderCrc, headerCrc(h));
  return out;
}

StatusOr<std::vector<uint8_t>> loom::encodeArtifact(const Artifact &a,
                                                    const std::string &name) {
  if (Status s = validateArtifact(a, name); !s.ok())
    return s;
  std::vector<RawSection> sections = encodeSections(a);
  // Meta is first and the hash skips it: fill it in, then encode meta again.
  ArtifactMeta meta = a.meta;
  meta.contentHash = contentHash(sections);
  sections.front().bytes = encodeMeta(meta);
  return encodeContainer(sections);
}

Status loom::writeArtifact(const std::string &path, const Artifact &a) {
  StatusOr<std::vector<uint8_t>> bytes = encodeArtifact(a, path);
  if (!bytes.ok())
    return bytes.status();
  return writeFileAtomically(path, {{bytes->data(), bytes->size()}});
}
