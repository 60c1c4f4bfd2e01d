//===- CpuCodegenTest.cpp - Kernels on tensors to loaded host code
//---------===//
//
// Part of Loom. Compiles hand-written linalg kernels with the CPU backend's
// object emitter, loads the shared object with the runtime's KernelLibrary
// and runs the kernels on host buffers: broadcasting elementwise math, a
// reduction, two results, an in-place update (result and operand in the same
// buffer), several kernels in one library, and split reductions and a
// multi-tensor kernel's small nests on the runtime's threads.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/ObjectEmitter.h"
#include "runtime/exec/KernelLibrary.h"
#include "runtime/exec/Parallel.h"
#include "runtime/exec/Scratch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

extern "C" {
int omp_get_max_threads(void);
void omp_set_num_threads(int);
}

namespace {

const char *const kKernels = R"mlir(
#map0 = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
func.func @tanh_bias_rowsum(%a: tensor<4x8xf32>, %b: tensor<8xf32>)
    -> (tensor<4x8xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#map0, #map1, #map0],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.reduce ins(%r : tensor<4x8xf32>) outs(%f : tensor<4xf32>)
      dimensions = [1]
    (%in: f32, %acc: f32) {
      %q = arith.addf %in, %acc : f32
      linalg.yield %q : f32
    }
  return %r, %sum : tensor<4x8xf32>, tensor<4xf32>
}

func.func @sgd(%w: tensor<1000xf32>, %g: tensor<1000xf32>) -> tensor<1000xf32> {
  %lr = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<1000xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>,
                                        affine_map<(d0) -> (d0)>,
                                        affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%w, %g : tensor<1000xf32>, tensor<1000xf32>) outs(%e : tensor<1000xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.mulf %y, %lr : f32
    %d = arith.subf %x, %s : f32
    linalg.yield %d : f32
  } -> tensor<1000xf32>
  return %r : tensor<1000xf32>
}
)mlir";

TEST(CpuCodegen, KernelsCompileLoadAndComputeWhatTheySay) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::tensor::TensorDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kKernels, &ctx);
  ASSERT_TRUE(module);
  std::vector<uint8_t> library;
  std::string error;
  mlir::loom::cpu::HostTarget target = mlir::loom::cpu::hostTarget();
  ASSERT_TRUE(
      mlir::loom::cpu::emitKernelLibrary(*module, target, library, error))
      << error;
  EXPECT_EQ(target.name().rfind("cpu-", 0), 0u);

  loom::StatusOr<loom::KernelLibrary> lib =
      loom::KernelLibrary::load(library, "test.loomx");
  ASSERT_TRUE(lib.ok()) << lib.status().message();

  loom::StatusOr<loom::KernelEntry> k1 = lib->lookup("tanh_bias_rowsum");
  ASSERT_TRUE(k1.ok()) << k1.status().message();
  std::vector<float> a(32), b(8), r(32, -7.0f), sum(4, -7.0f);
  for (int i = 0; i < 32; ++i)
    a[i] = 0.1f * float(i % 9) - 0.4f;
  for (int j = 0; j < 8; ++j)
    b[j] = 0.05f * float(j) - 0.2f;
  void *ops1[] = {a.data(), b.data(), r.data(), sum.data()};
  (*k1)(ops1);
  for (int i = 0; i < 4; ++i) {
    float rowSum = 0;
    for (int j = 0; j < 8; ++j) {
      float want = std::tanh(a[i * 8 + j] + b[j]);
      EXPECT_NEAR(r[i * 8 + j], want, 2e-7f) << i << "," << j;
      rowSum += r[i * 8 + j];
    }
    EXPECT_NEAR(sum[i], rowSum, 1e-6f) << i;
  }

  // In place: the result written over the first operand.
  loom::StatusOr<loom::KernelEntry> k2 = lib->lookup("sgd");
  ASSERT_TRUE(k2.ok()) << k2.status().message();
  std::vector<float> w(1000), g(1000), want(1000);
  for (int i = 0; i < 1000; ++i) {
    w[i] = float(i) * 0.01f;
    g[i] = float(i % 7) - 3.0f;
    want[i] = w[i] - g[i] * 0.5f;
  }
  void *ops2[] = {w.data(), g.data(), w.data()};
  (*k2)(ops2);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(w[i], want[i]) << i;

  EXPECT_EQ(lib->lookup("missing").status().message(),
            "test.loomx: the generated kernels have no entry for kernel "
            "'missing'");
}

// A temporary too large for the stack (160 KB): the kernel allocates it
// through the runtime's hooks.
const char *const kTemporary = R"mlir(
func.func @sum_of_doubles(%a: tensor<40000xf32>) -> tensor<f32> {
  %e = tensor.empty() : tensor<40000xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>,
                                        affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%a : tensor<40000xf32>) outs(%e : tensor<40000xf32>) {
  ^bb0(%x: f32, %o: f32):
    %d = arith.addf %x, %x : f32
    linalg.yield %d : f32
  } -> tensor<40000xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<f32>) -> tensor<f32>
  %s = linalg.reduce ins(%t : tensor<40000xf32>) outs(%f : tensor<f32>)
      dimensions = [0]
    (%in: f32, %acc: f32) {
      %q = arith.addf %in, %acc : f32
      linalg.yield %q : f32
    }
  return %s : tensor<f32>
}
)mlir";

TEST(CpuCodegen, TemporariesComeFromTheScratchArenaOnceItFits) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kTemporary, &ctx);
  ASSERT_TRUE(module);
  std::vector<uint8_t> library;
  std::string error;
  ASSERT_TRUE(mlir::loom::cpu::emitKernelLibrary(
      *module, mlir::loom::cpu::hostTarget(), library, error))
      << error;
  loom::StatusOr<loom::KernelLibrary> lib =
      loom::KernelLibrary::load(library, "test.loomx");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  loom::StatusOr<loom::KernelEntry> k = lib->lookup("sum_of_doubles");
  ASSERT_TRUE(k.ok()) << k.status().message();
  std::vector<float> a(40000, 0.25f);
  float sum = -1;
  void *ops[] = {a.data(), &sum};

  // Without an arena: malloc and free.
  (*k)(ops);
  EXPECT_EQ(sum, 20000.0f);

  loom::ScratchArena arena;
  loom::currentScratch() = &arena;
  for (int run = 0; run < 3; ++run) {
    sum = -1;
    arena.reset();
    (*k)(ops);
    EXPECT_EQ(sum, 20000.0f);
    ASSERT_TRUE(arena.fit());
  }
  loom::currentScratch() = nullptr;
  // The first run found the arena empty and fell back to malloc for its two
  // temporaries (the doubled values, and the 16 partial sums that
  // --loom-split-reductions gives the sum); it then grew to hold them, and
  // the later runs allocated nothing.
  EXPECT_EQ(arena.fallbacks(), 2u);
  EXPECT_GE(arena.capacity(), 160000u);
}

TEST(CpuCodegen, LoadRejectsBytesThatAreNotASharedObject) {
  std::vector<uint8_t> junk(100, 0x41);
  EXPECT_EQ(loom::KernelLibrary::load(junk, "bad.loomx").status().message(),
            "bad.loomx: the generated kernels are not a shared object");
  std::vector<uint8_t> elfHeaderOnly(100, 0);
  elfHeaderOnly[0] = 0x7f;
  elfHeaderOnly[1] = 'E';
  elfHeaderOnly[2] = 'L';
  elfHeaderOnly[3] = 'F';
  loom::StatusOr<loom::KernelLibrary> lib =
      loom::KernelLibrary::load(elfHeaderOnly, "bad.loomx");
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().message().rfind(
                "bad.loomx: cannot load the generated kernels: ", 0),
            0u);
}

// A shared object of kernels from before `loom_kernel_abi` (entries of the
// operands and a range) is refused: the runtime would call its entries
// with the wrong arguments.
TEST(CpuCodegen, LoadRejectsKernelsOfAnotherCallingConvention) {
  std::string dir = ::testing::TempDir();
  std::string c = dir + "/old_kernels.c", so = dir + "/old_kernels.so";
  {
    std::ofstream out(c);
    out << "void k0_entry(void **operands, long begin, long end) {}\n";
  }
  ASSERT_EQ(std::system(("cc -shared -fPIC -o " + so + " " + c).c_str()), 0);
  std::ifstream in(so, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(loom::KernelLibrary::load(bytes, "old.loomx").status().message(),
            "old.loomx: the generated kernels use calling convention 1, this "
            "runtime 2; compile the .loom program again with this loom");
}

} // namespace

namespace {

// Two reductions whose outer loop is the reduced one: a bias gradient (rows
// of squares summed into a short vector) and a sum of everything into a
// scalar. --loom-split-reductions splits both into 16 parts, which the
// runtime's threads run.
const char *const kSplit = R"mlir(
func.func @reductions(%x: tensor<4096x64xf32>, %y: tensor<1024x256xf32>,
                      %w: tensor<521x40xf32>)
    -> (tensor<64xf32>, tensor<f32>, tensor<f32>) {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64xf32>
  %f0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
  %bias = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                           affine_map<(d0, d1) -> (d1)>],
                          iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<4096x64xf32>) outs(%f0 : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %e1 = tensor.empty() : tensor<f32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                          affine_map<(d0, d1) -> ()>],
                         iterator_types = ["reduction", "reduction"]}
      ins(%y : tensor<1024x256xf32>) outs(%f1 : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  %e2 = tensor.empty() : tensor<f32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<f32>) -> tensor<f32>
  %norm = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                           affine_map<(d0, d1) -> ()>],
                          iterator_types = ["reduction", "reduction"]}
      ins(%w : tensor<521x40xf32>) outs(%f2 : tensor<f32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<f32>
  return %bias, %sum, %norm : tensor<64xf32>, tensor<f32>, tensor<f32>
}
)mlir";

TEST(CpuCodegen, SplitReductionsRunOnThreadsAndGiveOneResult) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kSplit, &ctx);
  ASSERT_TRUE(module);
  std::vector<uint8_t> library;
  std::string error;
  std::map<std::string, mlir::loom::cpu::KernelThreading> threading;
  ASSERT_TRUE(mlir::loom::cpu::emitKernelLibrary(
      *module, mlir::loom::cpu::hostTarget(), library, error,
      /*checkIndices=*/true, nullptr, &threading))
      << error;
  // The three partial sums (the fills, combines and the small partials stay
  // in the kernel); no large loop is left on one thread. The sum of squares
  // over [521, 40] (521 is prime) runs as 10 parts of 2084 elements.
  EXPECT_EQ(threading["reductions"].parallelLoops, 3);
  EXPECT_EQ(threading["reductions"].serialLoops, 0);
  loom::StatusOr<loom::KernelLibrary> lib =
      loom::KernelLibrary::load(library, "test.loomx");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  loom::StatusOr<loom::KernelEntry> k = lib->lookup("reductions");
  ASSERT_TRUE(k.ok()) << k.status().message();

  std::vector<float> x(4096 * 64), y(1024 * 256), w(521 * 40);
  std::vector<double> wantBias(64, 0.0);
  double wantSum = 0, wantNorm = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = 0.001f * float(int(i * 7919 % 2001) - 1000);
    wantBias[i % 64] += double(x[i]) * double(x[i]);
  }
  for (size_t i = 0; i < y.size(); ++i) {
    y[i] = 0.01f * float(int(i * 104729 % 1999) - 999);
    wantSum += y[i];
  }
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = 0.01f * float(int(i * 7907 % 1997) - 998);
    wantNorm += double(w[i]) * double(w[i]);
  }
  auto run = [&](std::vector<float> &bias, float &sum, float &norm) {
    bias.assign(64, -1.0f);
    sum = -1.0f;
    norm = -1.0f;
    void *ops[] = {x.data(), y.data(), w.data(), bias.data(), &sum, &norm};
    (*k)(ops);
  };

  std::vector<float> bias;
  float sum, norm;
  uint64_t before = loom::parallelLoopsRun();
  run(bias, sum, norm);
  if (omp_get_max_threads() > 1) {
    EXPECT_EQ(loom::parallelLoopsRun() - before, 3u);
  }
  EXPECT_NEAR(norm, wantNorm, 1e-5 * wantNorm);
  for (int j = 0; j < 64; ++j)
    EXPECT_NEAR(bias[j], wantBias[j], 1e-5 * wantBias[j]) << j;
  EXPECT_NEAR(sum, wantSum, 1e-2); // 262,144 terms of up to 10 in f32

  // The parts and the order they are combined in depend on the shapes
  // alone: every run, on any number of threads, gives the same bits.
  int threads = omp_get_max_threads();
  for (int t : {1, 2, 3, threads}) {
    omp_set_num_threads(t);
    for (int repeat = 0; repeat < 3; ++repeat) {
      std::vector<float> again;
      float againSum, againNorm;
      run(again, againSum, againNorm);
      EXPECT_EQ(std::memcmp(again.data(), bias.data(), 64 * sizeof(float)), 0)
          << t << " threads";
      EXPECT_EQ(std::memcmp(&againSum, &sum, sizeof sum), 0) << t << " threads";
      EXPECT_EQ(std::memcmp(&againNorm, &norm, sizeof norm), 0)
          << t << " threads";
    }
  }
  omp_set_num_threads(threads);
}

} // namespace

namespace {

// A multi-tensor kernel of four independent in-place updates (p + 1 over
// p), each under 64 KiB and 108 KiB in all: --loom-kernel-ranges gives them
// one shared range, a flat iteration space that the runtime's threads
// split, and each element must be updated exactly once however it is
// split.
const char *const kMultiTensor = R"mlir(
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#id1 = affine_map<(d0) -> (d0)>
func.func @updates(%a: tensor<1000x7xf32>, %b: tensor<3000xf32>,
                   %c: tensor<5x700xf32>, %d: tensor<3xf32>)
    -> (tensor<1000x7xf32>, tensor<3000xf32>, tensor<5x700xf32>,
        tensor<3xf32>) attributes {loom.fusion_group = "multi_tensor",
                                   loom.fusion_members = 4 : i64} {
  %one = arith.constant 1.0 : f32
  %ea = tensor.empty() : tensor<1000x7xf32>
  %ra = linalg.generic {indexing_maps = [#id2, #id2],
                        iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<1000x7xf32>) outs(%ea : tensor<1000x7xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %one : f32
    linalg.yield %s : f32
  } -> tensor<1000x7xf32>
  %eb = tensor.empty() : tensor<3000xf32>
  %rb = linalg.generic {indexing_maps = [#id1, #id1],
                        iterator_types = ["parallel"]}
      ins(%b : tensor<3000xf32>) outs(%eb : tensor<3000xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %one : f32
    linalg.yield %s : f32
  } -> tensor<3000xf32>
  %ec = tensor.empty() : tensor<5x700xf32>
  %rc = linalg.generic {indexing_maps = [#id2, #id2],
                        iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<5x700xf32>) outs(%ec : tensor<5x700xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %one : f32
    linalg.yield %s : f32
  } -> tensor<5x700xf32>
  %ed = tensor.empty() : tensor<3xf32>
  %rd = linalg.generic {indexing_maps = [#id1, #id1],
                        iterator_types = ["parallel"]}
      ins(%d : tensor<3xf32>) outs(%ed : tensor<3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %one : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  return %ra, %rb, %rc, %rd
      : tensor<1000x7xf32>, tensor<3000xf32>, tensor<5x700xf32>, tensor<3xf32>
}
)mlir";

TEST(CpuCodegen, MultiTensorNestsShareOneRangeOnThreads) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kMultiTensor, &ctx);
  ASSERT_TRUE(module);
  std::vector<uint8_t> library;
  std::string error;
  std::map<std::string, mlir::loom::cpu::KernelThreading> threading;
  ASSERT_TRUE(mlir::loom::cpu::emitKernelLibrary(
      *module, mlir::loom::cpu::hostTarget(), library, error,
      /*checkIndices=*/true, nullptr, &threading))
      << error;
  // One range for the four nests, none of which is large on its own.
  EXPECT_EQ(threading["updates"].parallelLoops, 1);
  EXPECT_EQ(threading["updates"].serialLoops, 0);
  loom::StatusOr<loom::KernelLibrary> lib =
      loom::KernelLibrary::load(library, "test.loomx");
  ASSERT_TRUE(lib.ok()) << lib.status().message();
  loom::StatusOr<loom::KernelEntry> k = lib->lookup("updates");
  ASSERT_TRUE(k.ok()) << k.status().message();

  const size_t sizes[] = {7000, 3000, 3500, 3};
  std::vector<std::vector<float>> p(4);
  for (size_t m = 0; m < 4; ++m)
    for (size_t i = 0; i < sizes[m]; ++i)
      p[m].push_back(float(m * 10000 + i));
  int threads = omp_get_max_threads();
  int runs = 0;
  for (int t : {1, 2, 3, 5, 7}) {
    omp_set_num_threads(t);
    uint64_t before = loom::parallelLoopsRun();
    void *ops[] = {p[0].data(), p[1].data(), p[2].data(), p[3].data(),
                   p[0].data(), p[1].data(), p[2].data(), p[3].data()};
    (*k)(ops);
    ++runs;
    EXPECT_EQ(loom::parallelLoopsRun() - before, t > 1 ? 1u : 0u) << t;
    // Every element updated once in every run: none skipped, none twice.
    for (size_t m = 0; m < 4; ++m)
      for (size_t i = 0; i < sizes[m]; ++i)
        ASSERT_EQ(p[m][i], float(m * 10000 + i + runs))
            << "member " << m << ", element " << i << ", " << t << " threads";
  }
  omp_set_num_threads(threads);
}

} // namespace
