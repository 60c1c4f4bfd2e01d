//===- Checkpoint.h - safetensors checkpoints -------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). Checkpoints are
// safetensors files (the format of Hugging Face's `safetensors` package, so
// that PyTorch, JAX and numpy load them as they are): an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the tensors' bytes, back to back.
//
// A checkpoint directory holds ckpt-<step>.safetensors files and `latest`,
// a one-line file naming the newest complete one; both are replaced only by
// an atomic rename, so a writer killed at any moment leaves `latest` naming
// a whole, readable file. docs/checkpoint.md gives the format, the protocol
// and every message of the loader.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CHECKPOINT_CHECKPOINT_H
#define LOOM_RUNTIME_CHECKPOINT_CHECKPOINT_H

#include "runtime/Status.h"
#include "runtime/artifact/Artifact.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loom {

//===----------------------------------------------------------------------===//
// Limits and names
//===----------------------------------------------------------------------===//

/// The largest JSON header a file may have (the `safetensors` package's
/// own limit).
constexpr uint64_t kSafetensorsMaxHeader = 100000000;
/// Tensor ranks stop here (as in .loomx artifacts).
constexpr unsigned kSafetensorsMaxRank = 8;

/// The safetensors name of `t`: "F32", "F64", "F16", "BF16", "I32", "I64",
/// "BOOL" (for DType::I1, one byte per element); "?" for a code that is no
/// DType.
const char *safetensorsDtypeName(DType t);
/// The DType of a safetensors dtype name; false for any other string
/// (including dtypes of the format that Loom has no DType for, like "U8").
bool parseSafetensorsDtype(const std::string &s, DType &t);

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

/// A tensor to write: its bytes belong to the caller (the training arena)
/// and must stay valid during the call that takes them.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape; ///< row-major; {} is a scalar
  const void *data = nullptr;
  uint64_t size = 0; ///< bytes: elements x dtypeSize(dtype)
};

/// A tensor of a decoded file.
struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  /// Where its bytes are, relative to the start of the data section.
  uint64_t offset = 0, size = 0;
};

bool operator==(const SafetensorsEntry &a, const SafetensorsEntry &b);

/// A decoded, validated safetensors file held in memory.
class Safetensors {
public:
  Safetensors() = default;

  /// The free-form string map stored under "__metadata__" (empty if none).
  const std::map<std::string, std::string> &metadata() const { return meta; }
  /// Every tensor, in the order of its bytes in the file (the order a Loom
  /// writer was given them in).
  const std::vector<SafetensorsEntry> &tensors() const { return entries; }
  /// The tensor named `name`, or nullptr.
  const SafetensorsEntry *find(const std::string &name) const;
  /// The first of `e.size` bytes of `e`, which must be one of tensors().
  /// Only byte-aligned: copy them out with memcpy.
  const uint8_t *data(const SafetensorsEntry &e) const {
    return bytes.data() + dataStart + e.offset;
  }
  /// `e` as a TensorView over this object's bytes (to write it again).
  TensorView view(const SafetensorsEntry &e) const;
  /// Every tensor as a view, in tensors() order.
  std::vector<TensorView> views() const;
  /// The size of the data section, in bytes.
  uint64_t dataSize() const { return bytes.size() - dataStart; }

private:
  friend class SafetensorsDecoder;
  std::map<std::string, std::string> meta;
  std::vector<SafetensorsEntry> entries;
  std::map<std::string, size_t> byName;
  /// The whole file (when read from one) or the data section alone.
  std::vector<uint8_t> bytes;
  size_t dataStart = 0;
};

/// The bytes of a safetensors file holding `tensors` in the given order,
/// each right after the one before, and `metadata` under "__metadata__"
/// (omitted when empty). The JSON header is padded with spaces to a
/// multiple of 8 bytes. `tensors` are checked as the loader would check
/// them (names unique, valid UTF-8 and not "__metadata__", dtype known,
/// rank <= 8, dimensions >= 0, `size` = elements x element size): an error
/// names `name` first, like the loader's.
StatusOr<std::vector<uint8_t>>
encodeSafetensors(const std::vector<TensorView> &tensors,
                  const std::map<std::string, std::string> &metadata,
                  const std::string &name);

/// Decodes and validates a safetensors file held in memory, copying its
/// data section. Every error message starts with `name` and says what was
/// found and what was expected ("w.safetensors: tensor 'w': shape [2, 3]
/// of F32 needs 24 bytes but data_offsets [0, 20] hold 20"). Reads nothing
/// outside [data, data + size) and allocates in proportion to `size`.
StatusOr<Safetensors> decodeSafetensors(const uint8_t *data, size_t size,
                                        const std::string &name);

/// Reads, decodes and validates the safetensors file at `path` (messages
/// start with `path`).
StatusOr<Safetensors> readSafetensors(const std::string &path);

/// Encodes `tensors` and `metadata` and writes them to `path` atomically:
/// a temporary file in the same directory, written straight from the
/// tensors' bytes, fsync, rename over `path`, fsync of the directory. On
/// any error `path` is untouched and the temporary file removed.
Status writeSafetensors(const std::string &path,
                        const std::vector<TensorView> &tensors,
                        const std::map<std::string, std::string> &metadata);

//===----------------------------------------------------------------------===//
// Checkpoint directories
//===----------------------------------------------------------------------===//

/// "ckpt-00000500.safetensors": the step zero-padded to 8 digits (more
/// digits past 99999999).
std::string checkpointFileName(uint64_t step);
/// The step of a checkpoint file name ("ckpt-" + 8 to 20 digits +
/// ".safetensors", the value fitting in 64 bits); false for any other name.
bool parseCheckpointFileName(const std::string &fileName, uint64_t &step);

/// Writes DIR/ckpt-<step>.safetensors (with `metadata` and "loom.step" =
/// the step in decimal) atomically, then replaces DIR/latest (the file
/// name and "\n") atomically, each made durable before the next, then
/// removes the checkpoints older than the newest `keep` (0 keeps all; the
/// step just written is always kept) and the temporary files of writers
/// that were killed. Creates DIR and its parents if needed. Returns the
/// path written. A writer killed at any point leaves `latest` naming a
/// complete checkpoint (the new one or the one before).
StatusOr<std::string>
saveCheckpoint(const std::string &dir, uint64_t step,
               const std::vector<TensorView> &tensors,
               const std::map<std::string, std::string> &metadata,
               unsigned keep);

/// The checkpoint file `pathOrDir` means: a file is itself; a directory
/// means the file its `latest` names, which must be a plain checkpoint file
/// name that exists in it. Errors say what is wrong: no `latest`, `latest`
/// malformed (not "<ckpt file name>\n", a path, too long) or naming a
/// missing file.
StatusOr<std::string> resolveCheckpoint(const std::string &pathOrDir);

/// Whether `dir` holds checkpoints: a `latest` or a checkpoint file.
bool hasCheckpoints(const std::string &dir);

/// Removes what saveCheckpoint writes in `dir` (the checkpoint files,
/// `latest` and their temporary files), then `dir` itself if that leaves it
/// empty; other files stay. A missing `dir` is no error.
Status removeCheckpoints(const std::string &dir);

} // namespace loom

#endif // LOOM_RUNTIME_CHECKPOINT_CHECKPOINT_H
