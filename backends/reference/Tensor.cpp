//===- Tensor.cpp - Host tensors of the reference backend -----------------===//
//
// Part of Loom. This file implements the reference Tensor and rounding to
// element types.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Tensor.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace mlir::loom::reference;

Tensor::Tensor(DType dtype, std::vector<int64_t> shape)
    : dtype(dtype), shape(std::move(shape)) {
  data.assign(numElements(), 0.0);
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape,
               std::vector<double> data)
    : dtype(dtype), shape(std::move(shape)), data(std::move(data)) {}

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<int64_t> Tensor::strides() const {
  std::vector<int64_t> s(shape.size(), 1);
  for (int64_t i = rank() - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

double Tensor::at(const std::vector<int64_t> &index) const {
  int64_t offset = 0;
  for (size_t i = 0; i < index.size(); ++i)
    offset = offset * shape[i] + index[i];
  return data[offset];
}

double &Tensor::at(const std::vector<int64_t> &index) {
  int64_t offset = 0;
  for (size_t i = 0; i < index.size(); ++i)
    offset = offset * shape[i] + index[i];
  return data[offset];
}

std::string Tensor::typeString() const {
  std::string s = dtypeName(dtype);
  s += '[';
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ']';
}

static double roundVia(double v, const llvm::fltSemantics &sem) {
  llvm::APFloat f(v);
  bool lost = false;
  f.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f.convertToDouble();
}

double mlir::loom::reference::roundToType(double v, DType t) {
  switch (t) {
  case DType::F64:
    return v;
  case DType::F32:
    return static_cast<double>(static_cast<float>(v));
  case DType::BF16:
    return roundVia(v, llvm::APFloat::BFloat());
  case DType::F16:
    return roundVia(v, llvm::APFloat::IEEEhalf());
  case DType::I32:
    if (!std::isfinite(v))
      return 0;
    return static_cast<double>(
        static_cast<int32_t>(static_cast<int64_t>(std::trunc(v))));
  case DType::I64:
    if (!std::isfinite(v))
      return 0;
    return static_cast<double>(static_cast<int64_t>(std::trunc(v)));
  case DType::I1:
    return v != 0 ? 1.0 : 0.0;
  }
  return v;
}

void mlir::loom::reference::roundToType(Tensor &t) {
  if (t.dtype == DType::F64)
    return;
  for (double &v : t.data)
    v = roundToType(v, t.dtype);
}

bool mlir::loom::reference::nextIndex(std::vector<int64_t> &index,
                                      const std::vector<int64_t> &shape) {
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    if (++index[i] < shape[i])
      return true;
    index[i] = 0;
  }
  return false;
}
