//===- Artifact.h - The .loomx artifact -------------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). A `.loomx` file is
// what `loom compile` writes and `loom train` runs: a versioned header, a
// table of checksummed sections aligned to 64 bytes, and in them the
// parameter table, optimizer state, memory plan, kernels, kernel object code,
// the step's inputs and outputs, the training recipe and the IR after each
// pipeline stage. docs/artifact.md gives the format byte by byte.
//
// The structs here are the decoded contents; the writer encodes them, the
// loader decodes and validates every field of an untrusted file and reports
// what is wrong as a Status, never by crashing.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_ARTIFACT_ARTIFACT_H
#define LOOM_RUNTIME_ARTIFACT_ARTIFACT_H

#include "runtime/DType.h"
#include "runtime/Init.h"
#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loom {

//===----------------------------------------------------------------------===//
// Versions, limits, element types, section kinds
//===----------------------------------------------------------------------===//

/// The format this runtime writes. It reads every minor version of its major
/// version: sections and record fields a newer minor adds are skipped.
constexpr uint16_t kArtifactMajor = 1;
constexpr uint16_t kArtifactMinor = 1;

/// Tensor ranks stop here.
constexpr unsigned kArtifactMaxRank = 8;
/// Names, roles, kinds, keys and other short strings stop here (bytes).
constexpr uint32_t kArtifactMaxNameLength = 4096;

/// Section kinds, with their stable on-disk ids.
enum class SectionKind : uint32_t {
  Meta = 1,
  Params = 2,
  OptState = 3,
  Buffers = 4,
  Kernels = 5,
  Objects = 6,
  Inputs = 7,
  Outputs = 8,
  Recipe = 9,
  Ir = 10,
  Programs = 11, ///< since 1.1
};

/// "meta", "params", ...; "" for an id this runtime does not know.
const char *sectionName(uint32_t kind);

/// A section table entry's flag: a reader that does not know the section's
/// kind must reject the file rather than skip the section.
constexpr uint32_t kSectionRequired = 1;

//===----------------------------------------------------------------------===//
// Contents
//===----------------------------------------------------------------------===//

/// Who made the artifact, for which machine, from what.
struct ArtifactMeta {
  std::string producer; ///< "loom 0.1.0"
  std::string target;   ///< "cpu-x86_64-avx512"
  std::string source;   ///< "gpt.loom"
  /// FNV-1a 64 of the sections that make the step (all but meta and ir,
  /// kernels without their source locations; hashSection): the compiled
  /// step's identity, which checkpoints record. The writer computes it;
  /// the loader checks it.
  uint64_t contentHash = 0;
};

/// A trainable (or frozen) parameter. `shape` is the whole, logical tensor;
/// `size` bytes at `offset` in the arena hold this rank's part of it, all of
/// it unless `sharding` is set.
struct ParamRecord {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  InitSpec init;
  bool frozen = false;
  std::string sharding; ///< "" (replicated) or the compiler's sharding
  uint64_t offset = 0, size = 0;
};

/// One tensor of optimizer state (a moment, a momentum buffer) of `param`.
struct OptStateRecord {
  std::string name; ///< "w.m"
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::string param; ///< the parameter it belongs to
  uint64_t offset = 0, size = 0;
};

/// A value of the step in the arena, live from kernel `firstUse` to kernel
/// `lastUse` (inclusive; kernels.size() means "after the step", for outputs).
/// Buffers whose bytes overlap must not be live at the same time, unless
/// they cover exactly the same bytes (an alias: a reshape, an in-place
/// update, a parameter's storage).
struct BufferRecord {
  uint32_t id = 0;
  std::string name; ///< for `loom inspect`; may be empty
  uint64_t offset = 0, size = 0;
  uint32_t firstUse = 0, lastUse = 0;
};

/// The one arena the step runs in and every buffer in it.
struct MemoryPlan {
  uint64_t arenaSize = 0;
  /// Every offset (parameters, optimizer state, buffers) is a multiple of
  /// this power of two.
  uint64_t alignment = 64;
  std::vector<BufferRecord> buffers;
};

/// A kernel attribute: an integer, a float, a string or a list of integers.
struct KernelAttr {
  enum class Type : uint8_t { Int = 1, Float = 2, String = 3, IntList = 4 };
  std::string key;
  Type type = Type::Int;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;

  static KernelAttr ofInt(std::string key, int64_t v);
  static KernelAttr ofFloat(std::string key, double v);
  static KernelAttr ofString(std::string key, std::string v);
  static KernelAttr ofInts(std::string key, std::vector<int64_t> v);
};

/// One launch of the step, in order. The backend gives `kind` and the
/// attributes their meaning: "onednn.matmul" with its dims and post-ops, or
/// "codegen" calling `symbol` in one of the objects.
struct KernelRecord {
  std::string kind;
  std::string symbol;
  std::vector<uint32_t> operands; ///< buffer ids
  std::vector<KernelAttr> attrs;  ///< keys unique
  uint64_t flops = 0, bytesMoved = 0;

  /// The attribute named `key`, or nullptr.
  const KernelAttr *attr(const std::string &key) const;
  /// What the kernel runs, for people: "fused add+sqrt" for a fusion
  /// group's kernel (its `fused` attribute), else its `source_op`
  /// ("loom.matmul"); "" when it has neither.
  std::string sourceOp() const;
};

/// Object code of generated kernels.
struct ObjectBlob {
  std::string name;
  std::vector<uint8_t> bytes;
  /// Where `bytes` begin in the file it was read from (a multiple of 64, so
  /// that the code can be mapped); 0 in an artifact not read from a file.
  uint64_t fileOffset = 0;
};

/// An input or output of the step.
struct IoRecord {
  std::string name;
  std::string role; ///< x, y, step, lr, loss, metric, ...
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint32_t buffer = 0; ///< the buffer id that holds it
};

/// A program of the artifact besides the training step: "eval" (the loss
/// and the model's output with dropout off, at the training batch size),
/// "eval1" (the same at batch 1). Its kernels are
/// [firstKernel, endKernel); it shares the arena, the parameters and the
/// generated code with the step.
struct ProgramRecord {
  std::string name;
  uint32_t firstKernel = 0, endKernel = 0;
  std::vector<IoRecord> inputs, outputs;
};

/// The IR after one pipeline stage, as text.
struct IrText {
  std::string stage; ///< "frontend", "autodiff", "fusion", ...
  std::string text;
};

/// A whole artifact.
struct Artifact {
  ArtifactMeta meta;
  std::vector<ParamRecord> params;
  std::vector<OptStateRecord> optState;
  MemoryPlan memory;
  std::vector<KernelRecord> kernels;
  std::vector<ObjectBlob> objects;
  /// The training step's inputs and outputs. Its kernels come first:
  /// [0, trainKernelEnd()).
  std::vector<IoRecord> inputs, outputs;
  /// The other programs, in kernel order: they tile
  /// [trainKernelEnd(), kernels.size()).
  std::vector<ProgramRecord> programs;
  std::string recipe; ///< the training recipe, JSON, UTF-8
  std::vector<IrText> ir;

  /// Set by the loader: the file's format version and the kinds of the
  /// sections it skipped because this runtime does not know them.
  uint16_t formatMajor = kArtifactMajor, formatMinor = kArtifactMinor;
  std::vector<uint32_t> skippedSections;

  /// One past the training step's last kernel.
  uint32_t trainKernelEnd() const {
    return programs.empty() ? uint32_t(kernels.size())
                            : programs.front().firstKernel;
  }
  /// The program named `name`, or null ("train" is not one of them).
  const ProgramRecord *program(const std::string &name) const;
};

bool operator==(const BufferRecord &a, const BufferRecord &b);
bool operator==(const KernelAttr &a, const KernelAttr &b);
bool operator==(const KernelRecord &a, const KernelRecord &b);
bool operator==(const ParamRecord &a, const ParamRecord &b);
bool operator==(const OptStateRecord &a, const OptStateRecord &b);
bool operator==(const IoRecord &a, const IoRecord &b);
bool operator==(const ProgramRecord &a, const ProgramRecord &b);

//===----------------------------------------------------------------------===//
// Checksums
//===----------------------------------------------------------------------===//

/// CRC-32C (Castagnoli, reflected, as in iSCSI and ext4), continuing from
/// `crc` (0 to start): crc32c("123456789") == 0xe3069283.
uint32_t crc32c(const void *data, size_t size, uint32_t crc = 0);

/// 64-bit FNV-1a continuing from `hash` (the FNV offset basis to start).
constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
uint64_t fnv1a64(const void *data, size_t size, uint64_t hash = kFnvBasis);

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/// One section's kind, table flags and encoded payload.
struct RawSection {
  uint32_t kind = 0;
  uint32_t flags = 0;
  std::vector<uint8_t> bytes;
};

/// The sections of `a`, encoded, meta first, without checking anything (the
/// content hash is a.meta.contentHash as given). For tests and tools that
/// build unusual files; writers use encodeArtifact.
std::vector<RawSection> encodeSections(const Artifact &a);

/// Adds section `kind` (`size` bytes at `data`) to content hash `h` as
/// u32 kind, u64 size, payload: meta and ir add nothing, and kernels count
/// as encoded without their `source_loc` attributes (they name where the
/// source lay, not what the step computes).
uint64_t hashSection(uint64_t h, uint32_t kind, const uint8_t *data,
                     uint64_t size);

/// The content hash of `sections`, in order, from kFnvBasis (hashSection).
uint64_t contentHash(const std::vector<RawSection> &sections);

/// The container around `sections`: header, section table, payloads at
/// 64-byte offsets, every checksum computed.
std::vector<uint8_t> encodeContainer(const std::vector<RawSection> &sections,
                                     uint16_t major = kArtifactMajor,
                                     uint16_t minor = kArtifactMinor,
                                     uint32_t flags = 0);

/// The bytes of `a` as a .loomx file, with its content hash filled in. `a`
/// is validated as the loader would validate it: an artifact the loader
/// would reject is an error here (messages start with `name`).
StatusOr<std::vector<uint8_t>> encodeArtifact(const Artifact &a,
                                              const std::string &name);

/// Encodes `a` and writes it to `path` with writeFileAtomically
/// (runtime/File.h): on any error `path` is untouched, and only a regular
/// file is ever replaced.
Status writeArtifact(const std::string &path, const Artifact &a);

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

struct ReadOptions {
  /// Check the header, section table and section checksums and the content
  /// hash. Off only for inspecting damaged files, and for fuzzing the
  /// decoders behind the checksums; every other check still runs.
  bool verifyChecksums = true;
};

/// Decodes and validates an artifact held in memory. `name` (the file name)
/// starts every error message: "gpt.loomx: section 'kernels' checksum
/// mismatch (stored 0x1234abcd, computed 0x89abcdef)". Reads nothing outside
/// [data, data + size) and allocates in proportion to `size`.
StatusOr<Artifact> decodeArtifact(const uint8_t *data, size_t size,
                                  const std::string &name,
                                  const ReadOptions &options = {});

/// Reads, decodes and validates the artifact at `path`.
StatusOr<Artifact> readArtifact(const std::string &path,
                                const ReadOptions &options = {});

/// The checks across sections the loader runs on a decoded artifact (and the
/// writer before writing): element types, ranks, shapes and byte sizes,
/// every range inside the arena, no overlap where there must be none,
/// unique names and ids, references between records. Messages start with
/// `name`.
Status validateArtifact(const Artifact &a, const std::string &name);

} // namespace loom

#endif // LOOM_RUNTIME_ARTIFACT_ARTIFACT_H
