//===- StepModel.h - A program of an artifact, as the views see it -*- C++
//-*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). `loom inspect
// --graph` and `--memory` draw one program of a .loomx artifact (the
// training step, eval, decode). This is what both know about it, derived
// from the kernels and the memory plan alone:
//
//   - each kernel's origin, parsed from its `source_loc` attribute
//     ("[the gradient of ]FILE:L:C[ (INSTANCE)][, called from FILE:L:C]...");
//   - its phase: backward when autodiff made it (its location reads "the
//     gradient of"); forward when the loss output depends on it or it runs
//     in a model instance; optimizer otherwise (clipping, schedule, update).
//     Programs other than the training step are all forward;
//   - its module path, in levels: the instance path, a repeat's index kept
//     with its parent ("blocks.3.attn.qkv" -> blocks.3 > attn > qkv). An
//     optimizer kernel takes the deepest path all of its inputs share that
//     are in a module (a parameter or its state is in the parameter's path,
//     a value in the path of the kernel that wrote it), leaving out scalar
//     inputs (the learning rate, a clipping factor) when there are others;
//   - each buffer's kind (parameter, optimizer state, step input, or a value
//     a kernel writes), writer and readers, and each value's flow from the
//     kernel that wrote it to the kernels that read it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_STEPMODEL_H
#define LOOM_RUNTIME_REPORT_STEPMODEL_H

#include "runtime/Status.h"
#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// The part of the training step a kernel belongs to.
enum class Phase : uint8_t { Forward, Backward, Optimizer };
/// "forward", "backward", "optimizer".
const char *phaseName(Phase p);

/// What a kernel's `source_loc` attribute says.
struct SourceOrigin {
  std::string text;      ///< the whole attribute; "" when there is none
  bool gradient = false; ///< "the gradient of ..."
  std::string location;  ///< the innermost "file.loom:L:C"
  std::string instance;  ///< "blocks.3.attn"; "" for the root model
  /// The call sites after the innermost location, innermost first.
  std::vector<std::string> callers;
};

/// Parses a `source_loc` attribute; text it does not recognize is kept
/// whole as the location.
SourceOrigin parseSourceLoc(const std::string &text);

/// The module levels of an instance or parameter path: a repeat's index
/// stays with its parent ("blocks.3.attn.qkv" -> {"blocks.3", "attn",
/// "qkv"}); {} for "".
std::vector<std::string> moduleLevels(const std::string &path);

/// One kernel of the program.
struct StepKernel {
  uint32_t index = 0; ///< in the artifact's kernel list
  const KernelRecord *record = nullptr;
  std::string op; ///< "matmul": the source op without "loom.", or the kind
  SourceOrigin origin;
  Phase phase = Phase::Forward;
  std::vector<std::string> module; ///< module levels, outermost first
  uint32_t numInputs = 0;          ///< operands [0, numInputs) are read
};

/// One buffer of the program.
struct StepBuffer {
  enum class Kind : uint8_t {
    Parameter, ///< a parameter's storage
    State,     ///< optimizer state
    Input,     ///< an input of the program (x, y, step, ...)
    Value,     ///< written by a kernel of the program
    Other,     ///< read, never written, none of the above
  };
  const BufferRecord *record = nullptr;
  Kind kind = Kind::Value;
  std::string label;   ///< the buffer's name, or its input or output role
  std::string param;   ///< Parameter, State: the parameter
  int64_t writer = -1; ///< the first kernel (position) that writes it
  std::vector<uint32_t> readers; ///< kernel positions, in order
  /// The live range in kernel positions; `last` is kernels.size() when the
  /// buffer outlives the program (an output, a parameter's new value).
  uint32_t first = 0, last = 0;
};

/// A value going from the kernel that wrote it to one that reads it.
struct StepFlow {
  uint32_t from = 0, to = 0; ///< kernel positions
  uint32_t buffer = 0;       ///< position in StepModel::buffers
};

/// A program of an artifact, ready to draw.
struct StepModel {
  std::string source;       ///< the .loom file the artifact was compiled from
  std::string program;      ///< "train", "eval", ...
  uint32_t firstKernel = 0; ///< the artifact's index of kernels[0]
  std::vector<StepKernel> kernels;
  std::vector<StepBuffer> buffers;
  std::vector<StepFlow> flows;
  /// Per buffer: readers with no writer before them in the program read
  /// what was there when it started ((buffer, kernel position) pairs).
  std::vector<std::pair<uint32_t, uint32_t>> sourceReads;
  std::vector<IoRecord> inputs, outputs;
  uint64_t arenaSize = 0;

  /// The position in `buffers` of the buffer with id `id`, or -1.
  int64_t bufferOfId(uint32_t id) const;
  /// The names of the artifact's programs, the training step ("train")
  /// first.
  static std::vector<std::string> programNames(const Artifact &a);
};

/// The model of program `program` ("train": the training step) of `a`.
/// `fileName` starts the message of an error: "gpt.loomx has no program
/// 'dec'; it has: train, eval, eval1, decode".
StatusOr<StepModel> buildStepModel(const Artifact &a,
                                   const std::string &program,
                                   const std::string &fileName);

/// "1.5 MiB", "12.0 KiB", "640 B".
std::string byteSize(uint64_t bytes);

/// "1.25 GFLOP", "3.50 MFLOP", "512 FLOP".
std::string flopCount(uint64_t flops);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_STEPMODEL_H
