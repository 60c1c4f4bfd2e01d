//===- AST.cpp - Syntax tree of the Loom language -------------------------===//
//
// Part of Loom. This file implements the tree printer behind
// `loom compile --emit=ast`: one node per line with its line:col, and
// expressions in source syntax with every binary operation parenthesized, so
// that tests can check precedence and ranges.
//
//===----------------------------------------------------------------------===//

#include "frontend/AST.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdlib>

using namespace mlir::loom;
using namespace mlir::loom::ast;

static llvm::StringRef opSpelling(Tok op) {
  llvm::StringRef s = spell(op);
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'')
    return s.drop_front().drop_back();
  return s;
}

void ast::printExpr(const Expr &expr, llvm::raw_ostream &os) {
  auto printArgs = [&](const std::vector<Arg> &args) {
    llvm::interleaveComma(args, os, [&](const Arg &a) {
      if (!a.name.name.empty())
        os << a.name.name << " = ";
      printExpr(*a.value, os);
    });
  };
  switch (expr.kind) {
  case Expr::Kind::Int:
    os << llvm::cast<IntExpr>(expr).value;
    return;
  case Expr::Kind::Float: {
    // The shortest %g form that reads back as the same double.
    double v = llvm::cast<FloatExpr>(expr).value;
    std::string s;
    for (int precision = 1; precision <= 17; ++precision) {
      s = llvm::formatv("{0}", llvm::format("%.*g", precision, v)).str();
      if (std::strtod(s.c_str(), nullptr) == v)
        break;
    }
    if (s.find_first_of(".eEn") == std::string::npos)
      s += ".0";
    os << s;
    return;
  }
  case Expr::Kind::String:
    os << '"';
    os.write_escaped(llvm::cast<StringExpr>(expr).value);
    os << '"';
    return;
  case Expr::Kind::Bool:
    os << (llvm::cast<BoolExpr>(expr).value ? "true" : "false");
    return;
  case Expr::Kind::Name:
    os << llvm::cast<NameExpr>(expr).name;
    return;
  case Expr::Kind::Unary: {
    auto &u = llvm::cast<UnaryExpr>(expr);
    os << opSpelling(u.op) << (u.op == Tok::KwNot ? " " : "");
    printExpr(*u.operand, os);
    return;
  }
  case Expr::Kind::Binary: {
    auto &b = llvm::cast<BinaryExpr>(expr);
    os << '(';
    printExpr(*b.lhs, os);
    os << ' ' << opSpelling(b.op) << ' ';
    printExpr(*b.rhs, os);
    os << ')';
    return;
  }
  case Expr::Kind::Call: {
    auto &c = llvm::cast<CallExpr>(expr);
    printExpr(*c.callee, os);
    os << '(';
    printArgs(c.args);
    os << ')';
    return;
  }
  case Expr::Kind::Index: {
    auto &i = llvm::cast<IndexExpr>(expr);
    printExpr(*i.base, os);
    os << '[';
    llvm::interleaveComma(i.indices, os,
                          [&](const ExprPtr &e) { printExpr(*e, os); });
    os << ']';
    return;
  }
  case Expr::Kind::Slice: {
    auto &s = llvm::cast<SliceExpr>(expr);
    if (s.start)
      printExpr(*s.start, os);
    os << ':';
    if (s.stop)
      printExpr(*s.stop, os);
    if (s.step) {
      os << ':';
      printExpr(*s.step, os);
    }
    return;
  }
  case Expr::Kind::Member: {
    auto &m = llvm::cast<MemberExpr>(expr);
    printExpr(*m.base, os);
    os << '.' << m.member.name;
    return;
  }
  case Expr::Kind::Tuple: {
    auto &t = llvm::cast<TupleExpr>(expr);
    os << '(';
    printArgs(t.elements);
    if (t.elements.size() == 1)
      os << ',';
    os << ')';
    return;
  }
  case Expr::Kind::List: {
    auto &l = llvm::cast<ListExpr>(expr);
    os << '[';
    llvm::interleaveComma(l.elements, os,
                          [&](const ExprPtr &e) { printExpr(*e, os); });
    os << ']';
    return;
  }
  case Expr::Kind::Split: {
    auto &s = llvm::cast<SplitExpr>(expr);
    printExpr(*s.fraction, os);
    os << " seed ";
    printExpr(*s.seed, os);
    return;
  }
  case Expr::Kind::Every: {
    auto &e = llvm::cast<EveryExpr>(expr);
    os << "every ";
    printExpr(*e.count, os);
    os << ' ' << e.unit.name;
    if (!e.on.name.empty())
      os << " on " << e.on.name;
    if (!e.items.empty()) {
      os << ": ";
      llvm::interleaveComma(e.items, os, [&](const Ident &i) { os << i.name; });
    }
    if (e.keep) {
      os << " keep ";
      printExpr(*e.keep, os);
    }
    return;
  }
  case Expr::Kind::Prep:
    os << llvm::cast<PrepExpr>(expr).text;
    return;
  }
}

namespace {
/// Prints the outline with `@line:col` positions.
class TreePrinter {
public:
  TreePrinter(const llvm::SourceMgr &sm, llvm::raw_ostream &os)
      : sm(sm), os(os) {}

  void at(llvm::SMRange range) {
    if (!range.Start.isValid())
      return;
    auto [line, col] = sm.getLineAndColumn(range.Start);
    os << " @" << line << ":" << col;
  }
  void type(const TypeExpr &t) {
    os << t.dtype.name << '[';
    llvm::interleaveComma(t.dims, os,
                          [&](const ExprPtr &e) { printExpr(*e, os); });
    os << ']';
  }
  void file(const File &f) {
    os << "file \"" << f.filename << "\"\n";
    for (const ImportDecl &i : f.imports) {
      os << "  import " << i.path;
      at(i.range);
      os << "\n";
    }
    for (const auto &m : f.models)
      model(*m);
    for (const auto &t : f.trains)
      train(*t);
  }
  void model(const ModelDecl &m) {
    os << "  model " << m.name.name << '(';
    llvm::interleaveComma(m.hparams, os, [&](const HParam &h) {
      os << h.name.name << ": " << h.type.name;
      if (h.defaultValue) {
        os << " = ";
        printExpr(*h.defaultValue, os);
      }
    });
    os << ')';
    at(m.range);
    os << "\n";
    for (const Member &mem : m.members) {
      switch (mem.kind) {
      case Member::Kind::Param:
        os << "    param " << mem.name.name << ": ";
        type(*mem.type);
        if (mem.init) {
          os << " init ";
          printExpr(*mem.init, os);
        }
        if (mem.frozen)
          os << " frozen";
        if (mem.shard) {
          os << " shard ";
          printExpr(*mem.shard, os);
        }
        break;
      case Member::Kind::Repeat:
        os << "    repeat " << mem.name.name << " = repeat(";
        printExpr(*mem.repeat, os);
        os << ") ";
        printExpr(*mem.value, os);
        break;
      case Member::Kind::Value:
        os << "    member " << mem.name.name << " = ";
        printExpr(*mem.value, os);
        break;
      }
      at(mem.range);
      os << "\n";
    }
    if (m.forward) {
      const Forward &f = *m.forward;
      os << "    forward(";
      llvm::interleaveComma(f.args, os, [&](const ForwardArg &a) {
        os << a.name.name << ": ";
        type(a.type);
      });
      os << ") -> ";
      type(*f.result);
      at(f.range);
      os << "\n";
      for (const Stmt &s : f.body) {
        os << "      ";
        if (s.kind == Stmt::Kind::Return) {
          os << "return ";
        } else {
          llvm::interleaveComma(s.targets, os,
                                [&](const Ident &t) { os << t.name; });
          os << " = ";
        }
        printExpr(*s.value, os);
        at(s.range);
        os << "\n";
      }
    }
  }
  void train(const TrainDecl &t) {
    os << "  train " << t.name.name;
    at(t.range);
    os << "\n";
    for (const TrainEntry &e : t.entries) {
      os << "    " << e.key.name << " = ";
      printExpr(*e.value, os);
      at(e.key.range);
      os << "\n";
    }
  }

private:
  const llvm::SourceMgr &sm;
  llvm::raw_ostream &os;
};
} // namespace

void ast::print(const File &file, const llvm::SourceMgr &sourceMgr,
                llvm::raw_ostream &os) {
  TreePrinter(sourceMgr, os).file(file);
}
