//===- Recipe.cpp - Module attributes the artifact records ----------------===//
//
// Part of Loom. Turns what the compiler keeps as attributes into what the
// runtime reads: the `loom.train` recipe as JSON text, and a parameter's
// `loom.init` dictionary as an InitSpec.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Recipe.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;

namespace {

void writeString(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      os << "\\\"";
      break;
    case '\\':
      os << "\\\\";
      break;
    case '\n':
      os << "\\n";
      break;
    case '\t':
      os << "\\t";
      break;
    case '\r':
      os << "\\r";
      break;
    default:
      if (c < 0x20)
        os << llvm::format("\\u%04x", c);
      else
        os << c;
    }
  }
  os << '"';
}

void writeJson(llvm::raw_ostream &os, Attribute a) {
  if (auto d = dyn_cast<DictionaryAttr>(a)) {
    os << '{';
    bool first = true;
    for (NamedAttribute n : d) {
      // Source locations (a setting's `loc`) are for the compiler's ops and
      // diagnostics; the runtime does not read them.
      if (isa<LocationAttr>(n.getValue()))
        continue;
      os << (first ? "" : ",");
      first = false;
      writeString(os, n.getName().getValue());
      os << ':';
      writeJson(os, n.getValue());
    }
    os << '}';
  } else if (auto arr = dyn_cast<ArrayAttr>(a)) {
    os << '[';
    for (auto [i, e] : llvm::enumerate(arr)) {
      os << (i ? "," : "");
      writeJson(os, e);
    }
    os << ']';
  } else if (auto dense = dyn_cast<DenseI64ArrayAttr>(a)) {
    os << '[';
    for (auto [i, e] : llvm::enumerate(dense.asArrayRef()))
      os << (i ? "," : "") << e;
    os << ']';
  } else if (auto s = dyn_cast<StringAttr>(a)) {
    writeString(os, s.getValue());
  } else if (auto b = dyn_cast<BoolAttr>(a)) {
    os << (b.getValue() ? "true" : "false");
  } else if (auto i = dyn_cast<IntegerAttr>(a)) {
    os << i.getValue().getSExtValue();
  } else if (auto f = dyn_cast<FloatAttr>(a)) {
    double v = f.getValueAsDouble();
    if (std::isfinite(v))
      os << llvm::format("%.17g", v);
    else
      os << "null";
  } else if (isa<UnitAttr>(a)) {
    os << "true";
  } else {
    std::string text;
    llvm::raw_string_ostream ts(text);
    a.print(ts);
    writeString(os, ts.str());
  }
}

std::optional<double> number(DictionaryAttr d, llvm::StringRef key) {
  if (!d)
    return std::nullopt;
  if (auto f = d.getAs<FloatAttr>(key))
    return f.getValueAsDouble();
  if (auto i = d.getAs<IntegerAttr>(key))
    return static_cast<double>(i.getInt());
  return std::nullopt;
}

} // namespace

std::string loom::cpu::toJson(Attribute attr) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeJson(os, attr);
  return os.str();
}

loom::InitSpec loom::cpu::initSpecOf(DictionaryAttr attr) {
  InitSpec spec;
  if (auto kind = attr ? attr.getAs<StringAttr>("kind") : nullptr)
    spec.kind = kind.str();
  spec.mean = number(attr, "mean").value_or(spec.mean);
  spec.std = number(attr, "std").value_or(spec.std);
  spec.low = number(attr, "low").value_or(spec.low);
  spec.high = number(attr, "high").value_or(spec.high);
  spec.gain = number(attr, "gain").value_or(spec.gain);
  spec.value = number(attr, "value").value_or(spec.value);
  spec.fanIn = number(attr, "fan_in").value_or(spec.fanIn);
  spec.fanOut = number(attr, "fan_out").value_or(spec.fanOut);
  return spec;
}
