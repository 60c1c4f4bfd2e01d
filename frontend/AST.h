//===- AST.h - Syntax tree of the Loom language -----------------*- C++ -*-===//
//
// Part of Loom. The tree the parser builds: a file holds imports, model
// definitions and train blocks. Every node keeps its source range, which
// diagnostics underline and lowering turns into an MLIR FileLineColLoc.
// Expressions use LLVM-style RTTI (kind + classof), so passes over the tree
// use llvm::dyn_cast.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_AST_H
#define LOOM_FRONTEND_AST_H

#include "frontend/Lexer.h"

#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::loom::ast {

using llvm::SMRange;

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr {
  enum class Kind {
    Int,
    Float,
    String,
    Bool,
    Name,
    Unary,
    Binary,
    Call,
    Index,
    Slice,
    Member,
    Tuple,
    List,
    Split,
    Every,
    Prep
  };
  Expr(Kind kind, SMRange range) : kind(kind), range(range) {}
  virtual ~Expr() = default;

  const Kind kind;
  SMRange range;
};
using ExprPtr = std::unique_ptr<Expr>;

/// A name with the range where it is written.
struct Ident {
  std::string name;
  SMRange range;
};

#define LOOM_EXPR_CLASSOF(K)                                                   \
  static bool classof(const Expr *e) { return e->kind == Kind::K; }

struct IntExpr : Expr {
  IntExpr(SMRange r, int64_t v) : Expr(Kind::Int, r), value(v) {}
  LOOM_EXPR_CLASSOF(Int)
  int64_t value;
};

struct FloatExpr : Expr {
  FloatExpr(SMRange r, double v) : Expr(Kind::Float, r), value(v) {}
  LOOM_EXPR_CLASSOF(Float)
  double value;
};

struct StringExpr : Expr {
  StringExpr(SMRange r, std::string v)
      : Expr(Kind::String, r), value(std::move(v)) {}
  LOOM_EXPR_CLASSOF(String)
  std::string value;
};

struct BoolExpr : Expr {
  BoolExpr(SMRange r, bool v) : Expr(Kind::Bool, r), value(v) {}
  LOOM_EXPR_CLASSOF(Bool)
  bool value;
};

struct NameExpr : Expr {
  NameExpr(SMRange r, std::string n)
      : Expr(Kind::Name, r), name(std::move(n)) {}
  LOOM_EXPR_CLASSOF(Name)
  std::string name;
};

/// `-x`, `+x`, `not x`.
struct UnaryExpr : Expr {
  UnaryExpr(SMRange r, Tok op, ExprPtr operand)
      : Expr(Kind::Unary, r), op(op), operand(std::move(operand)) {}
  LOOM_EXPR_CLASSOF(Unary)
  Tok op;
  ExprPtr operand;
};

/// `a + b`, `a @ b`, `a == b`, `a and b`, ...; `opRange` is the operator.
struct BinaryExpr : Expr {
  BinaryExpr(SMRange r, Tok op, SMRange opRange, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, r), op(op), opRange(opRange), lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  LOOM_EXPR_CLASSOF(Binary)
  Tok op;
  SMRange opRange;
  ExprPtr lhs, rhs;
};

/// An argument of a call or an element of a tuple: positional when `name`
/// is empty, `name = value` otherwise.
struct Arg {
  Ident name;
  ExprPtr value;
};

/// `f(a, b, key = c)`.
struct CallExpr : Expr {
  CallExpr(SMRange r, ExprPtr callee, std::vector<Arg> args)
      : Expr(Kind::Call, r), callee(std::move(callee)), args(std::move(args)) {}
  LOOM_EXPR_CLASSOF(Call)
  ExprPtr callee;
  std::vector<Arg> args;
};

/// `start:stop:step` inside an index; each part may be missing.
struct SliceExpr : Expr {
  SliceExpr(SMRange r, ExprPtr start, ExprPtr stop, ExprPtr step)
      : Expr(Kind::Slice, r), start(std::move(start)), stop(std::move(stop)),
        step(std::move(step)) {}
  LOOM_EXPR_CLASSOF(Slice)
  ExprPtr start, stop, step;
};

/// `x[i, 0:T, :]`.
struct IndexExpr : Expr {
  IndexExpr(SMRange r, ExprPtr base, std::vector<ExprPtr> indices)
      : Expr(Kind::Index, r), base(std::move(base)),
        indices(std::move(indices)) {}
  LOOM_EXPR_CLASSOF(Index)
  ExprPtr base;
  std::vector<ExprPtr> indices;
};

/// `x.name`.
struct MemberExpr : Expr {
  MemberExpr(SMRange r, ExprPtr base, Ident member)
      : Expr(Kind::Member, r), base(std::move(base)),
        member(std::move(member)) {}
  LOOM_EXPR_CLASSOF(Member)
  ExprPtr base;
  Ident member;
};

/// `(a, b)` or `(data = 2, model = 1)`.
struct TupleExpr : Expr {
  TupleExpr(SMRange r, std::vector<Arg> elements)
      : Expr(Kind::Tuple, r), elements(std::move(elements)) {}
  LOOM_EXPR_CLASSOF(Tuple)
  std::vector<Arg> elements;
};

/// `[a, b, c]`.
struct ListExpr : Expr {
  ListExpr(SMRange r, std::vector<ExprPtr> elements)
      : Expr(Kind::List, r), elements(std::move(elements)) {}
  LOOM_EXPR_CLASSOF(List)
  std::vector<ExprPtr> elements;
};

/// The train block's `split = 0.9 seed 1337`.
struct SplitExpr : Expr {
  SplitExpr(SMRange r, ExprPtr fraction, ExprPtr seed)
      : Expr(Kind::Split, r), fraction(std::move(fraction)),
        seed(std::move(seed)) {}
  LOOM_EXPR_CLASSOF(Split)
  ExprPtr fraction, seed;
};

/// The train block's cadence form:
/// `every 250 steps [on val] [: loss, perplexity] [keep 3]`.
struct EveryExpr : Expr {
  EveryExpr(SMRange r) : Expr(Kind::Every, r) {}
  LOOM_EXPR_CLASSOF(Every)
  ExprPtr count;
  Ident unit;               ///< "steps" or "epochs"
  Ident on;                 ///< the data split, empty when absent
  std::vector<Ident> items; ///< metrics after ':'
  ExprPtr keep;             ///< null when absent
};

/// The train block's `prep = dedup, impute(median), standardize`: the steps
/// as written (runtime/data/TablePrep.h's syntax), checked when the block
/// is lowered; `range` starts at the first step.
struct PrepExpr : Expr {
  PrepExpr(SMRange r, std::string text)
      : Expr(Kind::Prep, r), text(std::move(text)) {}
  LOOM_EXPR_CLASSOF(Prep)
  std::string text;
};

#undef LOOM_EXPR_CLASSOF

//===----------------------------------------------------------------------===//
// Types, statements, declarations
//===----------------------------------------------------------------------===//

/// `f32[B, T, d]`: an element type and dimension expressions (integer
/// expressions over hyper-parameters, or symbolic dims such as `B`).
struct TypeExpr {
  Ident dtype;
  std::vector<ExprPtr> dims;
  SMRange range;
};

/// `x = e`, `q, k, v = e`, `return e`.
struct Stmt {
  enum class Kind { Assign, Return };
  Kind kind;
  SMRange range;
  std::vector<Ident> targets; ///< empty for return
  ExprPtr value;
};

/// A model hyper-parameter: `d: int`, `act: fn = gelu`.
struct HParam {
  Ident name;
  Ident type; ///< int, float, bool, str, fn
  ExprPtr defaultValue;
};

/// A member of a model body.
struct Member {
  enum class Kind {
    Param,  ///< w = param f32[a, b] init normal(0.0, 0.02) [frozen] [shard
            ///< [...]]
    Repeat, ///< blocks = repeat(n) Block(d, heads)
    Value   ///< attn = Attention(d), hd = d // heads: a sub-module or a
            ///< derived value, told apart by name resolution
  };
  Kind kind;
  Ident name;
  SMRange range;
  // Param
  std::unique_ptr<TypeExpr> type;
  ExprPtr init; ///< a call or a name (`zeros`)
  bool frozen = false;
  SMRange frozenRange;
  ExprPtr shard; ///< a list of mesh-axis names or `_`, null when absent
  // Repeat
  ExprPtr repeat; ///< the count of `repeat(n)`
  // Repeat: the constructor call; Value: the expression
  ExprPtr value;
};

struct ForwardArg {
  Ident name;
  TypeExpr type;
};

struct Forward {
  SMRange range;
  std::vector<ForwardArg> args;
  std::unique_ptr<TypeExpr> result;
  std::vector<Stmt> body;
};

struct ModelDecl {
  Ident name;
  SMRange range;
  std::vector<HParam> hparams;
  std::vector<Member> members;
  std::unique_ptr<Forward> forward;
};

struct TrainEntry {
  Ident key;
  ExprPtr value;
};

struct TrainDecl {
  Ident name;
  SMRange range;
  std::vector<TrainEntry> entries;
};

struct ImportDecl {
  std::string path; ///< dotted: "std.nn"
  SMRange range;
};

/// One parsed .loom file.
struct File {
  std::string filename;
  std::vector<ImportDecl> imports;
  std::vector<std::unique_ptr<ModelDecl>> models;
  std::vector<std::unique_ptr<TrainDecl>> trains;
};

/// Prints the tree as an indented outline with line:col of each node
/// (`loom compile --emit=ast`).
void print(const File &file, const llvm::SourceMgr &sourceMgr,
           llvm::raw_ostream &os);
/// Prints an expression in source-like syntax (for diagnostics and dumps).
void printExpr(const Expr &expr, llvm::raw_ostream &os);

} // namespace mlir::loom::ast

#endif // LOOM_FRONTEND_AST_H
