//===- Passes.td - Loom's passes ---------------------------*- tablegen -*-===//
//
// Part of Loom. Every pass of the compiler, grouped under banners,
// alphabetical in each group. One pass per file; each states its contract.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def LoomAutodiff : Pass<"loom-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of a loss function";
  let description = [{
    Builds `@<func>_grad` next to `@<func>` (default `@loss`): the same
    arguments, and results `(loss, d_param...)` with one gradient per
    trainable parameter (an argument carrying `loom.param` and no
    `loom.frozen`), in argument order, each result tagged
    `loom.grad = "<parameter path>"`.

    Precondition: `@<func>` returns one floating-point scalar.
    Postcondition: the forward ops are kept as they are; the adjoints follow,
    built by each op's `GradientOpInterface` rule in reverse order, with
    fan-out accumulated by `loom.add`. Only values that depend on a trainable
    parameter are differentiated (frozen parameters and the batch cost
    nothing); an unused parameter gets a zero gradient. An op on that path
    without a gradient rule is an error at the op.

    ```mlir
    func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xf32>) -> tensor<f32> {
      %0 = loom.mul %w, %x : tensor<3xf32>
      %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
      return %1 : tensor<f32>
    }
    ==>
    func.func @loss_grad(%w: ..., %x: ...) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
      ... forward ...
      %seed = loom.constant dense<1.0> : tensor<f32>
      %b = loom.broadcast %seed : tensor<f32> to tensor<3xf32>   // d reduce
      %dw = loom.mul %b, %x : tensor<3xf32>                      // d mul
      return %1, %dw : tensor<f32>, tensor<3xf32>
    }
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"loss\"",
           "The function to differentiate">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

#endif // LOOM_PASSES_TD
