//===- Elaborator.h - Evaluating Loom programs into loom IR -----*- C++ -*-===//
//
// Part of Loom. Internal to the frontend. The elaborator instantiates the
// model tree of a train block with concrete hyper-parameters, checks names,
// arity, dtypes and shapes (with the IR's own shape rules, so broadcasting
// agrees exactly), binds symbolic dims, and emits loom ops while it
// evaluates forward bodies. Errors point at the .loom source, with notes for
// where operands came from and for the chain of model calls.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_ELABORATOR_H
#define LOOM_FRONTEND_ELABORATOR_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Program.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::loom {

struct Instance;
struct BuiltinCall;

/// A `--set NAME=VALUE` of `loom compile` and `loom train`: the value of
/// hyper-parameter NAME of the train block's `model = Model(...)`, which
/// replaces the call's argument (or the default) before shapes are
/// inferred. VALUE is read as the hyper-parameter's type (int, float, bool
/// or str). `epochs`, when the model has no hyper-parameter of that name,
/// is the recipe's `epochs` setting.
struct HParamOverride {
  std::string name;
  std::string value;
};

/// A `--mesh data=D,model=M` of `loom compile` and `loom train`: the mesh
/// that replaces the train block's `mesh` setting (or gives one to a train
/// block without it). An axis it leaves out is one the mesh does not name,
/// as in a `mesh = (...)` line without it. `flag` is the flag's value as
/// given ("model=2"), for the messages that would otherwise point at the
/// `mesh` line.
struct MeshOverride {
  std::optional<int64_t> data, model;
  std::string flag;
};

/// A value during elaboration: a compile-time scalar, a tensor (an SSA value
/// of the function being built), or a model instance, function, tuple...
struct Val {
  enum class Kind {
    Int,
    Float,
    Bool,
    Str,
    DType,
    Tensor,
    Param,    ///< a parameter of the model tree (index into params)
    Fn,       ///< a builtin function, by name
    Init,     ///< an initializer (a hyper-parameter of type init)
    Model,    ///< a model definition (a constructor)
    Instance, ///< a model instance or a repeat stack
    Tuple,
    List
  };
  Kind kind = Kind::Int;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;                         ///< Str, Fn name
  mlir::Type dtype;                      ///< DType
  mlir::DictionaryAttr init;             ///< Init: as ParamInfo::init
  mlir::Value tensor;                    ///< Tensor
  llvm::SMRange origin;                  ///< where a tensor or scalar was made
  size_t param = 0;                      ///< Param
  const ast::ModelDecl *model = nullptr; ///< Model
  Instance *inst = nullptr;              ///< Instance
  std::vector<Val> elems;                ///< Tuple, List

  static Val ofInt(int64_t v, llvm::SMRange r = {}) {
    Val x;
    x.kind = Kind::Int;
    x.i = v;
    x.origin = r;
    return x;
  }
  static Val ofFloat(double v, llvm::SMRange r = {}) {
    Val x;
    x.kind = Kind::Float;
    x.f = v;
    x.origin = r;
    return x;
  }
  static Val ofBool(bool v, llvm::SMRange r = {}) {
    Val x;
    x.kind = Kind::Bool;
    x.b = v;
    x.origin = r;
    return x;
  }
  static Val ofTensor(mlir::Value v, llvm::SMRange r) {
    Val x;
    x.kind = Kind::Tensor;
    x.tensor = v;
    x.origin = r;
    return x;
  }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const { return kind == Kind::Int ? double(i) : f; }
};

/// How a train block's `mesh` and the parameters' `shard` lists lower.
enum class ShardingLowering {
  /// A `mesh.shard` of each sharded parameter's argument, which every use
  /// reads (`loom compile --emit=ir`: the input of loom-opt's sharding
  /// passes).
  Ops,
  /// A `loom.shard` attribute on each sharded parameter's argument, which
  /// --loom-partition-step reads once the whole step is built (training).
  ArgAttrs,
};

/// One parameter of the model tree.
struct ParamInfo {
  std::string path; ///< blocks.0.attn.qkv.weight
  mlir::RankedTensorType type;
  mlir::DictionaryAttr init; ///< {kind = "normal", mean = .., std = ..}
  bool frozen = false;
  llvm::SMRange range; ///< the member
  /// `shard [...]`: per dimension, the index of the mesh axis it is split over
  /// (0 data, 1 model), or -1 for replicated; empty when the parameter is
  /// whole.
  std::vector<int> shard;
  llvm::SMRange shardRange; ///< the `shard` list
};

/// An instantiated model (or, with `isStack`, a repeat stack of them).
struct Instance {
  const ast::ModelDecl *decl = nullptr;
  std::string path; ///< "" for the root, "blocks.0" below
  llvm::StringMap<Val> env;
  bool isStack = false;
  std::vector<std::unique_ptr<Instance>> stack;
  llvm::SMRange createdAt;
};

/// Where a value is looked up while evaluating.
struct Scope {
  Instance *inst = nullptr;    ///< hyper-parameters and members
  llvm::StringMap<Val> locals; ///< forward locals and bound symbolic dims
  bool inForward = false;
};

class Elaborator {
public:
  Elaborator(mlir::MLIRContext &ctx, const Program &program,
             DiagnosticEngine &diags);

  /// Lowers train block `train` to a module with @forward, @loss and the
  /// recipe. Null (with diagnostics) on error.
  mlir::OwningOpRef<mlir::ModuleOp> lowerTrain(const ast::TrainDecl &train);

  /// Instantiates `decl` with its default hyper-parameters and elaborates
  /// its forward on inputs whose free dimensions are 2 (`loom check`).
  /// False (with diagnostics) on error.
  bool checkModel(const ast::ModelDecl &decl);

  /// What to add to "unknown name 'X'" or "unknown model 'X'": the standard
  /// library module to import when one defines a model X, else the closest
  /// of `candidates` (the program's models when none are given).
  std::string modelHint(llvm::StringRef name,
                        std::vector<std::string> candidates = {}) const;

  /// When set, replaces the recipe's `batch` (a command-line override) and
  /// compiles for one rank: the program of one process at that batch.
  std::optional<int64_t> batchOverride;
  /// When set, the ranks of the mesh's data axis (the ranks `loom train`
  /// runs on); a `mesh` that asks for another count is an error.
  std::optional<int64_t> ranksOverride;
  /// The command line's `--set`s, applied to the train block's model; a
  /// `--set epochs=N` that names no hyper-parameter of it replaces the
  /// recipe's `epochs` (epochsOverride).
  std::vector<HParamOverride> hparamOverrides;
  std::optional<int64_t> epochsOverride;
  /// The command line's `--mesh`, which replaces the train block's `mesh`.
  std::optional<MeshOverride> meshOverride;
  /// After an error that depends on the mesh: with meshOverride, a note
  /// that the mesh is the command line's.
  void noteMeshOverride();
  /// The ranks of the data axis this train block is compiled for (its
  /// `mesh`, ranksOverride or 1): each rank runs batch / dataRanks examples.
  int64_t dataRanks = 1;
  /// Reads the train block's `mesh` setting into dataRanks; false after an
  /// error.
  bool lowerMesh(const ast::TrainEntry *mesh);
  /// How a `mesh` and the parameters' `shard` lists lower (Sharding.cpp,
  /// docs/sharding.md).
  ShardingLowering sharding = ShardingLowering::ArgAttrs;
  /// While checkModel runs: a model instantiated without a train block,
  /// whose `shard` lists no mesh can check.
  bool withoutMesh = false;
  /// The ranks of the mesh axes the train block's `mesh` names (data,
  /// model; 0 for an axis it does not name).
  int64_t meshRanks[2] = {0, 0};
  /// Reads `shard [...]` of a parameter of `inst` into `info.shard` (after
  /// its type), checking it against the mesh; false after an error.
  bool evalShard(const ast::Expr &shard, const Instance &inst, ParamInfo &info);
  /// With a `mesh` (for ArgAttrs, one whose `model` axis has several
  /// ranks): adds `mesh.mesh @mesh` to `module`.
  void buildMesh(mlir::ModuleOp module);
  /// Marks each sharded parameter's argument of the function being built:
  /// a `mesh.shard` that becomes the parameter's value (Ops), or a
  /// `loom.shard` argument attribute (ArgAttrs).
  void shardParams();

  // --- used by the builtins (Builtins.cpp) --------------------------------
  mlir::OpBuilder &builder() { return b; }
  /// Checks csv's label column (RecipeData.cpp): `label` or `target` (a
  /// name, or for targets a list of distinct names), and `classes` only
  /// with `label`. `given` holds csv's arguments in recipeKinds' order,
  /// `values` their values. False after reporting.
  bool checkCsvLabel(llvm::ArrayRef<const ast::Expr *> given,
                     llvm::ArrayRef<std::optional<Val>> values,
                     llvm::SMRange call);
  /// Whether csv's `label = column` (with no `classes`) reads as a
  /// regression target: the file `path` reads as a table whose `column`
  /// holds only numbers, one of them not integral. False when the file
  /// cannot be read (its errors come later). Read once per path and column.
  bool labelReadsAsTarget(const std::string &path, const std::string &column);
  /// The csv call's `label` argument when it reads as a regression target
  /// (labelReadsAsTarget, no `target` or `classes` given), else null.
  const ast::Arg *inferredTarget(const ast::CallExpr &csv, Scope &scope);
  mlir::Location loc(llvm::SMRange range);
  void error(llvm::SMRange range, const llvm::Twine &message);
  /// An error with notes: `notes` adds them before the call-chain notes.
  void error(llvm::SMRange range, const llvm::Twine &message,
             llvm::function_ref<void()> notes);
  void note(llvm::SMRange range, const llvm::Twine &message);
  /// Reports that a tensor value came from `v.origin` (when known).
  void noteOrigin(const Val &v, llvm::StringRef what);
  /// The tensor of `v` (a Tensor or a Param), or failure with a diagnostic.
  std::optional<mlir::Value> tensorOf(const Val &v, llvm::SMRange at,
                                      const llvm::Twine &what);
  /// A rank-0 constant of `elementType` holding the scalar `v`.
  mlir::Value scalarConstant(const Val &v, mlir::Type elementType,
                             llvm::SMRange at);
  /// Formats a tensor type the Loom way: f32[8, 256, 384].
  static std::string typeStr(mlir::Type type);
  static std::string typeStr(mlir::Value value) {
    return typeStr(value.getType());
  }
  std::optional<mlir::Type> dtypeByName(llvm::StringRef name);
  /// The RNG key argument of the function being built (added on first use).
  mlir::Value rngKey();
  int64_t nextDropoutStream() { return dropoutStreams++; }
  bool training() const { return trainingMode; }

  /// l1/l2 over the parameters matching a glob (train block loss only).
  std::optional<Val> penalty(BuiltinCall &call, bool squared);

  std::optional<Val> eval(const ast::Expr &expr, Scope &scope);
  std::optional<Val> checkSize(std::optional<Val> v, llvm::SMRange at);
  std::optional<int64_t> evalInt(const ast::Expr &expr, Scope &scope,
                                 llvm::StringRef what);
  /// A shape the program writes (a parameter, an input, a reshape or
  /// broadcast target, a constant's size): every dimension at least 1
  /// (tensors without elements are not supported) and the tensor at most
  /// kMaxTensorBytes. Else an error at `at` naming `what`; false.
  bool checkWrittenShape(llvm::ArrayRef<int64_t> shape, mlir::Type elem,
                         llvm::SMRange at, const llvm::Twine &what);
  /// The most bytes one tensor may take: the artifact's arena limit, so
  /// every element count and byte offset also fits in int64.
  static constexpr uint64_t kMaxTensorBytes = uint64_t(1) << 48;

  /// Elaboration's budget. A program past one of these is an error at the
  /// construct that crossed it, not a compile that runs until memory or
  /// patience ends (`repeat(1000000000)` once ran until killed). GPT-2
  /// small (examples/gpt2.loom) builds about 700 ops from 110 instances;
  /// each limit is about a thousand times that, and still a module the
  /// later passes hold in memory. Constants need no budget of their own: every
  /// constant a program can write (zeros, ones, full, a scalar) is a splat
  /// of one element, and `arange` is an op without data.
  static constexpr int64_t kMaxOps = 1000000;
  static constexpr int64_t kMaxInstances = 100000;
  /// False, after an error at `at` (the first time only), once the ops
  /// built so far are past kMaxOps.
  bool withinBudget(llvm::SMRange at);

private:
  friend struct BuiltinCall;
  // Model instantiation (Elaborator.cpp).
  std::unique_ptr<Instance>
  instantiate(const ast::ModelDecl &decl, const ast::CallExpr *call,
              Scope &callerScope, const std::string &path, llvm::SMRange at);
  bool defineParam(Instance &inst, const ast::Member &member, Scope &scope);
  /// Reads hparamOverrides against the hyper-parameters of `decl`, the
  /// train block's model (instantiated at `at`), into rootOverrides; false
  /// after an error at `at`.
  bool readOverrides(const ast::ModelDecl &decl, llvm::SMRange at);
  /// The overridden hyper-parameters of the next instantiate (the train
  /// block's model), taken by it.
  llvm::StringMap<Val> rootOverrides;
  /// An initializer: `zeros`, `normal(0.0, 0.02)`, ... or the name of a
  /// hyper-parameter of type init.
  std::optional<mlir::DictionaryAttr> evalInit(const ast::Expr &init,
                                               Scope &scope);
  std::optional<mlir::RankedTensorType> evalType(const ast::TypeExpr &type,
                                                 Scope &scope);

  // Forward calls and expressions (Elaborator.cpp).
  std::optional<Val> callInstance(Instance &inst, std::vector<Val> args,
                                  llvm::SMRange at);
  std::optional<Val> callForward(Instance &inst, std::vector<Val> args,
                                 llvm::SMRange at);
  bool bindType(const ast::TypeExpr &type, mlir::Value value, Scope &scope,
                llvm::StringRef what, llvm::SMRange at);
  /// The value `name` is bound to in `scope` (a forward local, then a
  /// hyper-parameter or member), or null.
  const Val *lookup(llvm::StringRef name, Scope &scope) const;
  std::optional<Val> evalName(const ast::NameExpr &name, Scope &scope);
  std::optional<Val> evalBinary(const ast::BinaryExpr &expr, Scope &scope);
  std::optional<Val> evalUnary(const ast::UnaryExpr &expr, Scope &scope);
  std::optional<Val> evalCall(const ast::CallExpr &expr, Scope &scope);
  std::optional<Val> evalIndex(const ast::IndexExpr &expr, Scope &scope);
  std::optional<Val> evalMember(const ast::MemberExpr &expr, Scope &scope);
  std::optional<Val> tensorBinary(ast::BinaryExpr const &expr, Val lhs,
                                  Val rhs);
  std::optional<Val> callBuiltin(llvm::StringRef name,
                                 const ast::CallExpr &call,
                                 std::vector<ast::Arg> const &args,
                                 Scope &scope);

  // Train blocks (Recipe.cpp).
  mlir::func::FuncOp beginFunction(mlir::ModuleOp module, llvm::StringRef name,
                                   llvm::ArrayRef<mlir::Type> inputs,
                                   llvm::ArrayRef<std::string> inputNames,
                                   llvm::SMRange at);
  bool endFunction(mlir::Value result, llvm::SMRange at);
  /// Checks that the test set reads its labels as the training data does
  /// and that a regression target is evaluated by its loss only; `data` and
  /// `test` are the recipe's #loom.data (test may be null). False after
  /// reporting.
  bool checkLabelKinds(const ast::TrainDecl &train, mlir::Attribute data,
                       mlir::Attribute test);
  /// The train block's recipe, a #loom.recipe; null (with diagnostics) on
  /// error.
  mlir::Attribute buildRecipe(const ast::TrainDecl &train, Scope &scope);
  llvm::StringMap<bool> labelTargets; ///< labelReadsAsTarget's answers
  std::optional<mlir::Attribute> toAttr(const Val &v, llvm::SMRange at);

  mlir::MLIRContext &ctx;
  const Program &program;
  DiagnosticEngine &diags;
  mlir::OpBuilder b;
  std::vector<ParamInfo> params;
  std::vector<mlir::Value> paramValues; ///< of the function being built
  mlir::func::FuncOp currentFunc;
  mlir::Value currentRng;
  int64_t dropoutStreams = 0;
  bool trainingMode = false;
  /// The chain of model calls (for notes and CallSiteLocs).
  struct Frame {
    llvm::SMRange at;
    std::string model;
    std::string instance; ///< the path of the called instance
  };
  std::vector<Frame> frames;
  /// While checkModel runs a forward: a note for every error, saying on
  /// which inputs.
  std::pair<llvm::SMRange, std::string> checking;
  std::vector<const ast::ModelDecl *> instantiating;
  /// Counts the ops `b` inserts, for the budget.
  struct BudgetCounter : mlir::OpBuilder::Listener {
    int64_t ops = 0;
    void
    notifyOperationInserted(mlir::Operation *op,
                            mlir::OpBuilder::InsertPoint previous) override;
  };
  BudgetCounter counter;
  int64_t instances = 0;
  bool budgetReported = false;
};

/// Lowers train block `trainName` (or, when empty, the program's only train
/// block) to IR; `batch`, when set, overrides the recipe's batch size (and
/// compiles for one rank); `ranks`, when set, is the number of ranks of the
/// data axis (a `mesh` that asks for another is an error); `overrides` are
/// the command line's `--set`s of the model's hyper-parameters;
/// `sharding` says how the mesh and the `shard` lists lower; `mesh`, when
/// set, is the command line's `--mesh`, which replaces the train block's.
mlir::OwningOpRef<mlir::ModuleOp>
lowerProgram(mlir::MLIRContext &ctx, const Program &program,
             DiagnosticEngine &diags, llvm::StringRef trainName,
             std::optional<int64_t> batch = std::nullopt,
             std::optional<int64_t> ranks = std::nullopt,
             llvm::ArrayRef<HParamOverride> overrides = {},
             ShardingLowering sharding = ShardingLowering::ArgAttrs,
             const std::optional<MeshOverride> &mesh = std::nullopt);

/// The closest of `candidates` to `name` (edit distance <= 2), or "".
std::string closestName(llvm::StringRef name,
                        llvm::ArrayRef<std::string> candidates);

} // namespace mlir::loom

#endif // LOOM_FRONTEND_ELABORATOR_H
