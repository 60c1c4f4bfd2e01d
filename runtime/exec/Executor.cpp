//===- Executor.cpp - Runs an artifact's training step --------------------===//
//
// Part of Loom. See Executor.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Executor.h"

#include "runtime/Init.h"
#include "runtime/comm/Mesh.h"
#include "runtime/cpu/OneDnnKernels.h"
#include "runtime/exec/Collectives.h"
#include "runtime/exec/KernelLibrary.h"
#include "runtime/exec/Parallel.h"
#include "runtime/exec/Scratch.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

using namespace loom;

/// One launch of the step.
struct StepExecutor::Launch {
  enum class Kind { OneDnn, Generated, Copy, Collective } kind;
  std::unique_ptr<cpu::Kernel> primitive; ///< OneDnn
  KernelEntry entry = nullptr;            ///< Generated
  std::vector<void *> operands;           ///< Generated; Copy: {from, to}
  uint64_t bytes = 0;                     ///< Copy
  const KernelRecord *record = nullptr;
};

struct StepExecutor::State {
  ScratchArena scratch; ///< generated kernels' temporaries
  std::unique_ptr<cpu::CpuContext> context;
  KernelLibrary library;
  std::vector<Launch> launches;
  std::unordered_map<uint32_t, const BufferRecord *> buffers;
  std::unique_ptr<Collectives> collectives;
};

StepExecutor::~StepExecutor() {
  // Kernels hold pointers into the arena and the context: drop them first.
  state.reset();
  std::free(arena);
}

bool StepExecutor::runsOnThisHost(const std::string &target,
                                  std::string &host) {
  // The compiler names the target from LLVM's triple and host features
  // (backends/cpu/emit/ObjectEmitter.cpp); the runtime links no LLVM, so
  // the same from the compiler's macros and the CPU's features.
#if defined(__x86_64__)
  bool avx512 = __builtin_cpu_supports("avx512f");
  bool avx2 = __builtin_cpu_supports("avx2");
  host = avx512 ? "cpu-x86_64-avx512" : avx2 ? "cpu-x86_64-avx2" : "cpu-x86_64";
  return target == "cpu-x86_64" || (target == "cpu-x86_64-avx2" && avx2) ||
         (target == "cpu-x86_64-avx512" && avx512);
#elif defined(__aarch64__)
  host = "cpu-aarch64";
  return target == host;
#else
  host = "an architecture Loom does not know";
  return false;
#endif
}

StatusOr<std::unique_ptr<StepExecutor>> StepExecutor::create(Artifact artifact,
                                                             std::string name) {
  std::string host;
  if (!runsOnThisHost(artifact.meta.target, host))
    return Status::error(name + ": compiled for target '" +
                         artifact.meta.target + "', which this machine (" +
                         host + ") cannot run; compile the .loom program here");
  std::unique_ptr<StepExecutor> ex(new StepExecutor());
  ex->art = std::move(artifact);
  ex->name = std::move(name);
  if (Status s = ex->prepare(); !s)
    return s;
  return ex;
}

uint8_t *StepExecutor::bufferData(uint32_t id) const {
  auto it = state->buffers.find(id);
  return it == state->buffers.end() ? nullptr : arena + it->second->offset;
}

Status StepExecutor::prepare() {
  state = std::make_unique<State>();
  uint64_t alignment = std::max<uint64_t>(art.memory.alignment, 64);
  uint64_t size =
      (art.memory.arenaSize + alignment - 1) / alignment * alignment;
  arena = static_cast<uint8_t *>(
      std::aligned_alloc(alignment, size ? size : alignment));
  if (!arena)
    return Status::error(name + ": cannot allocate the " +
                         std::to_string(art.memory.arenaSize) + "-byte arena");
  std::memset(arena, 0, size);
  for (const BufferRecord &b : art.memory.buffers)
    state->buffers[b.id] = &b;
  // First: a step with collectives needs the ranks of mpirun.
  StatusOr<std::unique_ptr<Collectives>> collectives = Collectives::create(
      art, [this](uint32_t id) { return bufferData(id); }, name);
  if (!collectives)
    return collectives.status();
  state->collectives = std::move(*collectives);

  StatusOr<std::unique_ptr<cpu::CpuContext>> context =
      cpu::CpuContext::create();
  if (!context)
    return context.status().withPrefix(name + ": ");
  state->context = std::move(*context);
  bool generated = false;
  for (const KernelRecord &k : art.kernels)
    generated |= k.kind == "codegen";
  if (generated) {
    if (art.objects.empty())
      return Status::error(name + ": the step has generated kernels but the "
                                  "artifact carries no object code");
    StatusOr<KernelLibrary> lib =
        KernelLibrary::load(art.objects[0].bytes, name);
    if (!lib)
      return lib.status();
    state->library = std::move(*lib);
  }

  for (size_t i = 0; i < art.kernels.size(); ++i) {
    const KernelRecord &k = art.kernels[i];
    Launch l;
    l.record = &k;
    std::vector<cpu::OperandBuffer> operands;
    for (uint32_t id : k.operands) {
      const BufferRecord *b =
          state->buffers.count(id) ? state->buffers[id] : nullptr;
      if (!b)
        return Status::error(name + ": kernel " + std::to_string(i) + " (" +
                             k.kind + ") names buffer " + std::to_string(id) +
                             ", which the memory plan lacks");
      operands.push_back({arena + b->offset, b->size});
      l.operands.push_back(arena + b->offset);
    }
    if (k.kind == "codegen") {
      l.kind = Launch::Kind::Generated;
      StatusOr<KernelEntry> entry = state->library.lookup(k.symbol);
      if (!entry)
        return entry.status();
      l.entry = *entry;
    } else if (k.kind == "copy") {
      if (operands.size() != 2)
        return Status::error(name + ": copy kernel " + std::to_string(i) +
                             " has " + std::to_string(operands.size()) +
                             " operands, not 2 (from, to)");
      l.kind = Launch::Kind::Copy;
      l.bytes = std::min(operands[0].size, operands[1].size);
    } else if (state->collectives->isCollective(i)) {
      l.kind = Launch::Kind::Collective;
    } else if (cpu::isOneDnnKind(k.kind)) {
      l.kind = Launch::Kind::OneDnn;
      StatusOr<std::unique_ptr<cpu::Kernel>> prim =
          cpu::createOneDnnKernel(*state->context, k, operands);
      if (!prim)
        return prim.status().withPrefix(name + ": kernel " + std::to_string(i) +
                                        ": ");
      l.primitive = std::move(*prim);
    } else {
      return Status::error(name + ": kernel " + std::to_string(i) +
                           " has kind '" + k.kind +
                           "', which this runtime cannot run");
    }
    state->launches.push_back(std::move(l));
  }
  return Status();
}

Status StepExecutor::initialize(uint64_t seed) {
  for (const ParamRecord &p : art.params) {
    uint8_t *data = arena + p.offset;
    int64_t n = 1;
    for (int64_t d : p.shape)
      n *= d;
    std::string error;
    // A slice of a tensor split over the model axis: the whole tensor's
    // values (those of one process), this rank's slice of them.
    Split split = splitOf(p.sharding);
    if (split.split() && p.dtype == DType::F32) {
      std::vector<float> whole(static_cast<size_t>(n));
      if (!loom::initialize(p.init, p.name, p.shape, seed, 0, n, whole.data(),
                            error))
        return Status::error(name + ": parameter '" + p.name + "': " + error);
      takeSlice(reinterpret_cast<const uint8_t *>(whole.data()), p.shape, split,
                modelIndex(split.ranks), sizeof(float), data);
    } else if (split.split()) {
      return Status::error(name + ": parameter '" + p.name + "' has type " +
                           dtypeName(p.dtype) +
                           ", which tensor parallelism does not support yet");
    } else if (p.dtype == DType::F32) {
      if (!loom::initialize(p.init, p.name, p.shape, seed, 0, n,
                            reinterpret_cast<float *>(data), error))
        return Status::error(name + ": parameter '" + p.name + "': " + error);
    } else if (p.dtype == DType::F64) {
      std::vector<float> values(static_cast<size_t>(n));
      if (!loom::initialize(p.init, p.name, p.shape, seed, 0, n, values.data(),
                            error))
        return Status::error(name + ": parameter '" + p.name + "': " + error);
      double *out = reinterpret_cast<double *>(data);
      for (int64_t i = 0; i < n; ++i)
        out[i] = values[i];
    } else {
      return Status::error(name + ": parameter '" + p.name + "' has type " +
                           dtypeName(p.dtype) +
                           ", which initialization does not support yet");
    }
  }
  for (const OptStateRecord &s : art.optState)
    std::memset(arena + s.offset, 0, s.size);
  return Status();
}

bool StepExecutor::programRange(const std::string &program, uint32_t &first,
                                uint32_t &end,
                                const std::vector<IoRecord> **inputs,
                                const std::vector<IoRecord> **outputs) const {
  if (program == "train") {
    first = 0;
    end = art.trainKernelEnd();
    *inputs = &art.inputs;
    *outputs = &art.outputs;
    return true;
  }
  const ProgramRecord *p = art.program(program);
  if (!p)
    return false;
  first = p->firstKernel;
  end = p->endKernel;
  *inputs = &p->inputs;
  *outputs = &p->outputs;
  return true;
}

bool StepExecutor::hasProgram(const std::string &program) const {
  return program == "train" || art.program(program);
}

void *StepExecutor::programInput(const std::string &program,
                                 const std::string &role,
                                 const IoRecord **record) {
  uint32_t first, end;
  const std::vector<IoRecord> *inputs, *outputs;
  if (!programRange(program, first, end, &inputs, &outputs))
    return nullptr;
  for (const IoRecord &io : *inputs)
    if (io.role == role) {
      if (record)
        *record = &io;
      return bufferData(io.buffer);
    }
  return nullptr;
}

const void *StepExecutor::programOutput(const std::string &program,
                                        const std::string &role,
                                        const IoRecord **record) const {
  uint32_t first, end;
  const std::vector<IoRecord> *inputs, *outputs;
  if (!programRange(program, first, end, &inputs, &outputs))
    return nullptr;
  for (const IoRecord &io : *outputs)
    if (io.role == role) {
      if (record)
        *record = &io;
      return bufferData(io.buffer);
    }
  return nullptr;
}

double StepExecutor::scalarOutput(const std::string &program,
                                  const std::string &role) const {
  const IoRecord *r = nullptr;
  const void *p = programOutput(program, role, &r);
  if (!p || r->dtype != DType::F32)
    return std::nan("");
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

bool StepExecutor::optStateSharded() const {
  for (const IoRecord &r : art.inputs)
    if (r.role == "rank")
      return true;
  return false;
}

bool StepExecutor::optStateIsSlice(const OptStateRecord &s) const {
  const ParamRecord *p = paramOf(s);
  // A slice of a one-element parameter has its shape: whole or sliced,
  // rank 0 holds the element (the others' padding is never read).
  return optStateSharded() && p && p->shape != s.shape;
}

const ParamRecord *StepExecutor::paramOf(const OptStateRecord &s) const {
  for (const ParamRecord &p : art.params)
    if (p.name == s.param)
      return &p;
  return nullptr;
}

Status StepExecutor::gatherOptState(const OptStateRecord &s,
                                    std::vector<uint8_t> &whole) {
  comm::Communicator *data = state->collectives->communicator("data");
  const ParamRecord *p = paramOf(s);
  if (!data || !p || s.dtype != DType::F32 || p->dtype != DType::F32)
    return Status::error(name + ": optimizer state '" + s.name +
                         "' is not an f32 slice of a parameter over the "
                         "ranks of the data axis");
  int64_t slice = static_cast<int64_t>(s.size / sizeof(float));
  std::vector<float> all(static_cast<size_t>(slice * data->size()));
  comm::Communicator::Request request;
  if (Status st = data->allGatherStart(
          reinterpret_cast<const float *>(arena + s.offset), all.data(), slice,
          request);
      !st)
    return st.withPrefix(name + ": ");
  if (Status st = data->wait(request); !st)
    return st.withPrefix(name + ": ");
  whole.assign(p->size, 0);
  std::memcpy(whole.data(), all.data(),
              std::min<size_t>(p->size, all.size() * sizeof(float)));
  return Status();
}

bool StepExecutor::isModelSlice(const std::string &tensor, Split *split) const {
  const ParamRecord *p = nullptr;
  for (const ParamRecord &q : art.params)
    if (q.name == tensor)
      p = &q;
  if (!p)
    for (const OptStateRecord &o : art.optState)
      if (o.name == tensor)
        p = paramOf(o);
  if (!p)
    return false;
  Split s = splitOf(p->sharding);
  if (split)
    *split = s;
  return s.split() && s.axis == "model";
}

int64_t StepExecutor::modelIndex(int64_t modelRanks) const {
  // The rank's model coordinate (runtime/comm/Mesh.h's layout).
  if (modelRanks <= 1)
    return 0;
  comm::Mesh mesh{
      {"data", "model"},
      {std::max<int64_t>(1, comm::worldSize() / modelRanks), modelRanks}};
  return mesh.coordinate(comm::worldRank(), 1);
}

/// This rank's buffer of parameter or optimizer-state `tensor` (null if
/// there is none), with its whole shape and this rank's bytes of it.
struct RankTensor {
  void *data = nullptr;
  const std::vector<int64_t> *shape = nullptr;
  uint64_t size = 0;
};

static RankTensor rankTensor(StepExecutor &ex, const std::string &tensor) {
  const ParamRecord *param = nullptr;
  const OptStateRecord *state = nullptr;
  if (void *data = ex.parameter(tensor, &param))
    return {data, &param->shape, param->size};
  if (void *data = ex.optState(tensor, &state))
    return {data, &state->shape, state->size};
  return {};
}

Status StepExecutor::gatherModelSlice(const std::string &tensor,
                                      std::vector<uint8_t> &whole) {
  Split split;
  RankTensor t = rankTensor(*this, tensor);
  void *mine = t.data;
  comm::Communicator *model =
      state->collectives ? state->collectives->communicator("model") : nullptr;
  if (!mine || !isModelSlice(tensor, &split) || !model ||
      model->size() != split.ranks)
    return Status::error(name + ": '" + tensor +
                         "' is not a slice of a tensor split over the " +
                         "ranks of the model axis");
  const std::vector<int64_t> &shape = *t.shape;
  uint64_t size = t.size;
  int64_t count = static_cast<int64_t>(size / sizeof(float));
  std::vector<float> all(static_cast<size_t>(count * split.ranks));
  comm::Communicator::Request request;
  if (Status st = model->allGatherStart(static_cast<const float *>(mine),
                                        all.data(), count, request);
      !st)
    return st.withPrefix(name + ": ");
  if (Status st = model->wait(request); !st)
    return st.withPrefix(name + ": ");
  whole.assign(size * static_cast<uint64_t>(split.ranks), 0);
  for (int64_t r = 0; r < split.ranks; ++r)
    putSlice(reinterpret_cast<const uint8_t *>(all.data() + r * count), shape,
             split, r, sizeof(float), whole.data());
  return Status();
}

void StepExecutor::scatterModelSlice(const std::string &tensor,
                                     const uint8_t *whole) {
  Split split;
  RankTensor t = rankTensor(*this, tensor);
  if (!t.data || !isModelSlice(tensor, &split))
    return;
  takeSlice(whole, *t.shape, split, modelIndex(split.ranks), sizeof(float),
            static_cast<uint8_t *>(t.data));
}

void StepExecutor::scatterOptState(const OptStateRecord &s,
                                   const uint8_t *whole) {
  const ParamRecord *p = paramOf(s);
  uint64_t begin = static_cast<uint64_t>(comm::worldRank()) * s.size;
  uint8_t *to = arena + s.offset;
  std::memset(to, 0, s.size);
  if (p && begin < p->size)
    std::memcpy(to, whole + begin, std::min(s.size, p->size - begin));
}

void *StepExecutor::optState(const std::string &state,
                             const OptStateRecord **record) {
  for (const OptStateRecord &s : art.optState)
    if (s.name == state) {
      if (record)
        *record = &s;
      return arena + s.offset;
    }
  return nullptr;
}

void *StepExecutor::parameter(const std::string &param,
                              const ParamRecord **record) {
  for (const ParamRecord &p : art.params)
    if (p.name == param) {
      if (record)
        *record = &p;
      return arena + p.offset;
    }
  return nullptr;
}

Status StepExecutor::launch(size_t i) {
  Launch &l = state->launches[i];
  switch (l.kind) {
  case Launch::Kind::OneDnn:
    if (Status s = l.primitive->run(); !s)
      return s.withPrefix(name + ": ");
    break;
  case Launch::Kind::Generated: {
    // The kernel frees every temporary before it returns; between kernels
    // the arena grows to what the largest needed.
    ScratchArena *&current = currentScratch();
    ScratchArena *outer = current;
    current = &state->scratch;
    state->scratch.reset();
    uint64_t parallelBefore = parallelLoopsRun();
    l.entry(l.operands.data());
    if (profiling && i < threaded.size() &&
        parallelLoopsRun() != parallelBefore)
      ++threaded[i];
    current = outer;
    state->scratch.fit();
    break;
  }
  case Launch::Kind::Copy:
    std::memmove(l.operands[1], l.operands[0], l.bytes);
    break;
  case Launch::Kind::Collective:
    return state->collectives->launch(i);
  }
  return Status();
}

Status StepExecutor::run(const std::string &program) {
  uint32_t first, end;
  const std::vector<IoRecord> *inputs, *outputs;
  if (!programRange(program, first, end, &inputs, &outputs))
    return Status::error(name + ": the artifact has no program '" + program +
                         "'");
  if (profiling) {
    seconds.resize(state->launches.size(), 0.0);
    runs.resize(state->launches.size(), 0);
    threaded.resize(state->launches.size(), 0);
  }
  Collectives &collectives = *state->collectives;
  // A step whose optimizer state is sharded (--loom-shard-optimizer) reads
  // its rank on the data axis (the run's only axis: the world rank).
  const IoRecord *rankRecord = nullptr;
  if (void *rank = programInput(program, "rank", &rankRecord)) {
    if (rankRecord->dtype != DType::I32 || rankRecord->shape.size() != 1 ||
        rankRecord->shape[0] != 1)
      return Status::error(name + ": the step's input 'rank' is not one i32");
    int32_t coordinate = comm::worldRank();
    std::memcpy(rank, &coordinate, sizeof(coordinate));
  }
  for (size_t i = first; i < end; ++i) {
    // Outside the kernel's time: the wait for an all-reduce it reads.
    if (Status s = collectives.waitBefore(i); !s)
      return s;
    auto start = profiling ? std::chrono::steady_clock::now()
                           : std::chrono::steady_clock::time_point();
    if (Status s = launch(i); !s)
      return s;
    if (profiling) {
      seconds[i] += std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count();
      ++runs[i];
    }
    if (collectives.inFlight())
      if (Status s = collectives.poll(); !s)
        return s;
  }
  return collectives.waitAll();
}

bool StepExecutor::operandsFinite(size_t i) const {
  const KernelRecord &k = art.kernels[i];
  for (size_t j = 0; j < k.operands.size(); ++j) {
    const KernelAttr *t = k.attr("t" + std::to_string(j));
    if (!t || t->type != KernelAttr::Type::Int)
      continue;
    const BufferRecord *b = state->buffers.at(k.operands[j]);
    const uint8_t *data = arena + b->offset;
    if (t->i == int64_t(DType::F32)) {
      for (uint64_t e = 0; e + 4 <= b->size; e += 4) {
        float v;
        std::memcpy(&v, data + e, 4);
        if (!std::isfinite(v))
          return false;
      }
    } else if (t->i == int64_t(DType::F64)) {
      for (uint64_t e = 0; e + 8 <= b->size; e += 8) {
        double v;
        std::memcpy(&v, data + e, 8);
        if (!std::isfinite(v))
          return false;
      }
    }
  }
  return true;
}

uint64_t StepExecutor::scratchBytes() const {
  return state->scratch.capacity();
}

double StepExecutor::communicationWaitSeconds() const {
  return state->collectives->waitSeconds();
}

double StepExecutor::communicationSeconds() const {
  return state->collectives->flightSeconds();
}

uint64_t StepExecutor::scratchFallbacks() const {
  return state->scratch.fallbacks();
}

StatusOr<int64_t> StepExecutor::runCheckingFinite(const std::string &program) {
  uint32_t first, end;
  const std::vector<IoRecord> *inputs, *outputs;
  if (!programRange(program, first, end, &inputs, &outputs))
    return Status::error(name + ": the artifact has no program '" + program +
                         "'");
  int64_t bad = -1;
  for (size_t i = first; i < end; ++i) {
    if (Status s = state->collectives->waitBefore(i); !s)
      return s;
    if (Status s = launch(i); !s)
      return s;
    if (bad < 0 && !operandsFinite(i))
      bad = static_cast<int64_t>(i);
  }
  if (Status s = state->collectives->waitAll(); !s)
    return s;
  return bad;
}
