//===- Epilogue.h - Contraction epilogue groups -----------------*- C++ -*-===//
//
// Part of Loom. The contraction-epilogue rule of --loom-fuse (Epilogue.cpp):
// a contraction that accepts post-ops takes the chain of elementwise
// consumers that run as its post-ops into a `loom.fusion_group contraction`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_FUSION_EPILOGUE_H
#define LOOM_PASSES_FUSION_EPILOGUE_H

#include "mlir/IR/Block.h"

namespace mlir::loom {

/// Forms the contraction groups of `block` (run before the elementwise and
/// reduction rules, which then see each group as one opaque op).
void formContractionGroups(Block &block);

} // namespace mlir::loom

#endif // LOOM_PASSES_FUSION_EPILOGUE_H
