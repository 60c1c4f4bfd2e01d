// RUN: loom-opt %s --split-input-file --verify-diagnostics

// Tests that a value passed inside an elementwise group must have the
// domain's shape (a reduction inside is not elementwise).
func.func @shape(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.fusion_group elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // expected-error@+1 {{'loom.reduce' op result has type 'tensor<4xf32>', not the shape of its elementwise group's results 'tensor<4x8xf32>'}}
    %s = loom.reduce sum %a dims [1] : tensor<4x8xf32> -> tensor<4xf32>
    %t = loom.add %a, %s : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
    loom.yield %t : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}

// -----

// Tests that the body's arguments have the inputs' types.
func.func @args(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loom.fusion_group' op input #0 has type 'tensor<4x8xf32>' but the body's argument has type 'tensor<8x4xf32>'}}
  %r = loom.fusion_group elementwise (%x) : (tensor<4x8xf32>) -> tensor<8x4xf32> {
  ^bb0(%a: tensor<8x4xf32>):
    %t = loom.neg %a : tensor<8x4xf32>
    loom.yield %t : tensor<8x4xf32>
  }
  return %x : tensor<4x8xf32>
}

// -----

// Tests that the yield gives the group's result types.
func.func @yield(%x: tensor<4x8xf32>) -> tensor<4x8xf64> {
  // expected-error@+1 {{'loom.fusion_group' op yields 'tensor<4x8xf32>' but has results of types 'tensor<4x8xf64>'}}
  %r = loom.fusion_group elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf64> {
  ^bb0(%a: tensor<4x8xf32>):
    %t = loom.neg %a : tensor<4x8xf32>
    loom.yield %t : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf64>
}

// -----

// Tests that a collective (it has side effects) cannot be fused.
func.func @collective(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.fusion_group elementwise (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // expected-error@+1 {{'loom.all_reduce' op cannot be in a fusion group: a group holds side-effect-free loom ops without regions}}
    %t = loom.all_reduce sum %a over ["data"] group_size 2 : tensor<4x8xf32>
    loom.yield %t : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}

// -----

// Tests that only elementwise, reduction and contraction groups exist today.
func.func @kind(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loom.fusion_group' op kind must be elementwise, reduction or contraction, not data_movement}}
  %r = loom.fusion_group data_movement (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %t = loom.neg %a : tensor<4x8xf32>
    loom.yield %t : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}

// -----

// Tests that a contraction group starts with a contraction that accepts
// post-ops.
func.func @contraction_head(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = loom.fusion_group contraction (%x) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    // expected-error@+1 {{'loom.neg' op cannot start a contraction group: it is not a contraction that accepts post-ops}}
    %t = loom.neg %a : tensor<4x8xf32>
    loom.yield %t : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}

// -----

// Tests that every epilogue member has a post-op.
func.func @contraction_no_post_op(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = loom.fusion_group contraction (%x) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    // expected-error@+1 {{'loom.exp' op has no post-op, so it cannot be in the epilogue of a contraction group}}
    %t = loom.exp %m : tensor<4x4xf32>
    loom.yield %t : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// Tests that an epilogue member is the one reader of the value before it.
func.func @contraction_shared(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = loom.fusion_group contraction (%x) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    // expected-error@+1 {{'loom.mul' op does not read the value of the contraction group's previous member as its one reader}}
    %t = loom.mul %m, %m : tensor<4x4xf32>
    loom.yield %t : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// Tests that a non-commutative member reads the value before it as its lhs.
func.func @contraction_rhs(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = loom.fusion_group contraction (%x, %y) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    // expected-error@+1 {{'loom.sub' op reads the previous member's value as its rhs, which its post-op cannot}}
    %t = loom.sub %b, %m : tensor<4x4xf32>
    loom.yield %t : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// Tests that a binary member's other operand is an input of the group.
func.func @contraction_other(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %r = loom.fusion_group contraction (%x) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %c = loom.constant dense<2.0> : tensor<f32>
    // expected-error@+1 {{'loom.mul' op has an operand that is not an input of the contraction group}}
    %t = loom.mul %m, %c : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    loom.yield %t : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

// Tests that a contraction group yields its last member's value alone.
func.func @contraction_yield(%x: tensor<4x4xf32>, %b: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  // expected-error@+1 {{'loom.fusion_group' op must yield the value of its contraction's last epilogue member alone}}
  %r:2 = loom.fusion_group contraction (%x, %b) : (tensor<4x4xf32>, tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  ^bb0(%a: tensor<4x4xf32>, %c: tensor<4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %s = loom.add %m, %c : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>
    loom.yield %s, %s : tensor<4x4xf32>, tensor<4x4xf32>
  }
  return %r#0, %r#1 : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Tests that every epilogue member has the contraction's result shape.
func.func @contraction_shape(%x: tensor<4x4xf32>, %y: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %r = loom.fusion_group contraction (%x, %y) : (tensor<4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>, %b: tensor<2x4x4xf32>):
    %m = loom.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    // expected-error@+1 {{'loom.add' op result has type 'tensor<2x4x4xf32>', not the shape of its contraction's result}}
    %t = loom.add %m, %b : (tensor<4x4xf32>, tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
    loom.yield %t : tensor<2x4x4xf32>
  }
  return %r : tensor<2x4x4xf32>
}

// -----

// Tests that a yield stands only in a fusion group.
func.func @stray(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loom.yield' op expects parent op to be one of 'loom.fusion_group, loom.multi_tensor_group'}}
  loom.yield %x : tensor<4x8xf32>
}

// -----

// Tests that a multi_tensor group holds member groups only.
func.func @multi_tensor_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = loom.multi_tensor_group (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error@+1 {{'loom.neg' op cannot be in a multi_tensor group: its members are elementwise or reduction fusion groups}}
    %t = loom.neg %a : tensor<4xf32>
    loom.yield %t : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that a multi_tensor group's members are independent: one may not
// read another's result.
func.func @multi_tensor_dependent(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = loom.multi_tensor_group (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %p = loom.fusion_group elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%u: tensor<4xf32>):
      %n = loom.neg %u : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    // expected-error@+1 {{'loom.fusion_group' op input #0 is not an argument of its multi_tensor group: the members of one are independent}}
    %q = loom.fusion_group elementwise (%p) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%v: tensor<4xf32>):
      %n = loom.neg %v : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    loom.yield %q : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that a multi_tensor group's members read nothing from above (the
// group is not isolated from above, its members are).
func.func @multi_tensor_from_above(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %r:2 = loom.multi_tensor_group (%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: tensor<4xf32>):
    %p = loom.fusion_group elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%u: tensor<4xf32>):
      %n = loom.neg %u : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    // expected-error@+1 {{'loom.fusion_group' op input #0 is not an argument of its multi_tensor group: the members of one are independent}}
    %q = loom.fusion_group elementwise (%y) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%v: tensor<4xf32>):
      %n = loom.neg %v : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    loom.yield %p, %q : tensor<4xf32>, tensor<4xf32>
  }
  return %r#0 : tensor<4xf32>
}

// -----

// Tests that a multi_tensor group has two or more members.
func.func @multi_tensor_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.multi_tensor_group' op has 1 member groups, not two or more}}
  %r = loom.multi_tensor_group (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %p = loom.fusion_group elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%u: tensor<4xf32>):
      %n = loom.neg %u : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    loom.yield %p : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Tests that a multi_tensor group yields what its members compute.
func.func @multi_tensor_yield(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.multi_tensor_group' op yields value #1, which no member group computes}}
  %r:2 = loom.multi_tensor_group (%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %p = loom.fusion_group elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%u: tensor<4xf32>):
      %n = loom.neg %u : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    %q = loom.fusion_group elementwise (%b) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%v: tensor<4xf32>):
      %n = loom.neg %v : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    loom.yield %p, %a : tensor<4xf32>, tensor<4xf32>
  }
  return %r#0 : tensor<4xf32>
}

// -----

// Tests that a fusion group holds no group.
func.func @nested(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = loom.fusion_group elementwise (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    // expected-error@+1 {{'loom.fusion_group' op cannot be in a fusion group: a group holds side-effect-free loom ops without regions}}
    %p = loom.fusion_group elementwise (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%u: tensor<4xf32>):
      %n = loom.neg %u : tensor<4xf32>
      %e = loom.exp %n : tensor<4xf32>
      loom.yield %e : tensor<4xf32>
    }
    loom.yield %p : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
