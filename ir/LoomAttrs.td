//===- LoomAttrs.td - Attributes of the loom dialect -------*- tablegen -*-===//
//
// Part of Loom. Enumerations used as op attributes. They are plain integer
// enum attributes, printed as bare keywords in the ops' assembly formats
// (`loom.reduce sum %x ...`).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_ATTRS_TD
#define LOOM_ATTRS_TD

include "mlir/IR/EnumAttr.td"

def Loom_ReduceKind : I32EnumAttr<"ReduceKind", "reduction combiner", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>,
    I32EnumAttrCase<"mean", 3>,
  ]> {
  let cppNamespace = "::mlir::loom";
}

def Loom_ComparePredicate : I32EnumAttr<"ComparePredicate", "comparison predicate", [
    I32EnumAttrCase<"eq", 0>,
    I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>,
    I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>,
    I32EnumAttrCase<"ge", 5>,
  ]> {
  let cppNamespace = "::mlir::loom";
}

def Loom_PoolKind : I32EnumAttr<"PoolKind", "pooling combiner", [
    I32EnumAttrCase<"max", 0>,
    I32EnumAttrCase<"avg", 1>,
  ]> {
  let cppNamespace = "::mlir::loom";
}

def Loom_LossReduction : I32EnumAttr<"LossReduction", "how a loss combines per-example values", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"sum", 1>,
    I32EnumAttrCase<"mean", 2>,
  ]> {
  let cppNamespace = "::mlir::loom";
}

/// How the fusion passes (planned) will treat an op (see
/// Loom_FusionOpInterface).
def Loom_FusionKind : I32EnumAttr<"FusionKind", "fusion class of an op", [
    I32EnumAttrCase<"elementwise", 0>,
    I32EnumAttrCase<"reduction", 1>,
    I32EnumAttrCase<"contraction", 2>,
    I32EnumAttrCase<"data_movement", 3>,
    I32EnumAttrCase<"opaque", 4>,
  ]> {
  let cppNamespace = "::mlir::loom";
}

#endif // LOOM_ATTRS_TD
