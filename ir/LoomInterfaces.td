//===- LoomInterfaces.td - Op interfaces of the loom dialect -*- tablegen -*-===//
//
// Part of Loom. Interfaces that the compiler's generic passes program
// against, so that those passes never list op names:
//
//   * GradientOpInterface  - used by --loom-autodiff; each differentiable op
//                            builds its vector-Jacobian product in loom ops.
//   * FusionOpInterface    - used by --loom-fuse (passes/fusion/); an op's
//                            fusion class. An op without it is never fused.
//
// Sharding (planned) will use upstream MLIR's `mesh` ShardingInterface,
// attached to loom ops as external models by the sharding passes; it needs no
// declaration here.
//
// The interfaces are declared here so that every later pass builds on one
// definition; each op attaches them in the change that implements the pass
// that uses them (see ir/README.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INTERFACES_TD
#define LOOM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Loom_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::mlir::loom";
  let description = [{
    An op that reverse-mode autodiff can differentiate. Given the adjoints of
    the op's results (null where a result is unused downstream), the op builds
    the adjoints of its operands with loom ops at the builder's insertion
    point. Operands that are not differentiable (indices, masks, RNG keys) get
    a null adjoint.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{Builds the adjoints of the operands; fills `operandGrads`
                 with one value (or null) per operand.}],
      /*retTy=*/"::llvm::LogicalResult",
      /*methodName=*/"buildGradient",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                   "::mlir::ValueRange":$resultGrads,
                   "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
    InterfaceMethod<
      /*desc=*/[{Whether operand `index` carries a gradient at all.}],
      /*retTy=*/"bool",
      /*methodName=*/"isDifferentiableOperand",
      /*args=*/(ins "unsigned":$index),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{
        return ::llvm::isa<::mlir::FloatType>(::mlir::getElementTypeOrSelf(
            $_op->getOperand(index).getType()));
      }]>,
  ];
}

/// The trait list an op with a gradient rule (in ir/LoomGradients.cpp)
/// carries.
defvar Loom_Differentiable =
    DeclareOpInterfaceMethods<Loom_GradientOpInterface, ["buildGradient"]>;

def Loom_FusionOpInterface : OpInterface<"FusionOpInterface"> {
  let cppNamespace = "::mlir::loom";
  let description = [{
    Classifies an op for the fusion passes: elementwise ops (broadcasting
    included) fuse into one loop nest with their producers and consumers;
    reductions take their elementwise producers and end a group; a
    contraction that accepts post-ops (matmul) takes the chain of
    elementwise consumers that have a post-op as its epilogue; other
    contractions (convolution) and data-movement ops are not fused today; an
    op without this interface (collectives, RNG, scatter) is never fused.
  }];
  let methods = [
    StaticInterfaceMethod<
      /*desc=*/"The fusion class of this op.",
      /*retTy=*/"::mlir::loom::FusionKind",
      /*methodName=*/"getFusionKind",
      /*args=*/(ins)>,
    InterfaceMethod<
      /*desc=*/[{The post-op this elementwise op runs as in a contraction's
                 epilogue (--loom-fuse's contraction groups), "" when it has
                 none. Unary: `relu`, `tanh`, `sigmoid`, `gelu_erf`,
                 `gelu_tanh` (the op's value of the contraction's result, so
                 it must compute the same function). Binary: `add`, `sub`,
                 `mul`, `div` (the contraction's value as lhs, the other
                 operand as rhs; either side for a commutative op).}],
      /*retTy=*/"::llvm::StringRef",
      /*methodName=*/"getPostOp",
      /*args=*/(ins),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{ return ""; }]>,
    InterfaceMethod<
      /*desc=*/[{Whether a contraction runs with an epilogue of post-ops
                 (the CPU backend's oneDNN matmul does).}],
      /*retTy=*/"bool",
      /*methodName=*/"acceptsPostOps",
      /*args=*/(ins),
      /*methodBody=*/"",
      /*defaultImplementation=*/[{ return false; }]>,
  ];
}

/// The declaration that gives an op fusion class `kind` (a Loom_FusionKind
/// case); an op lists Loom_FusionOpInterface among its traits and sets
/// `extraClassDeclaration = Loom_FusesAs<"elementwise">.decl`.
class Loom_FusesAs<string kind> {
  string decl = "static ::mlir::loom::FusionKind getFusionKind() { return "
                "::mlir::loom::FusionKind::" # kind # "; }";
}

/// The declaration that makes an op run as post-op `name` of a contraction's
/// epilogue (FusionOpInterface::getPostOp); "" declares nothing.
class Loom_PostOp<string name> {
  string decl = !if(!empty(name), "",
      "::llvm::StringRef getPostOp() { return \"" # name # "\"; }");
}

#endif // LOOM_INTERFACES_TD
