//===- ParseExpr.cpp - Expressions of the Loom parser ---------------------===//
//
// Part of Loom. This file implements the expression half of the parser, by
// precedence from lowest to highest; each method's comment gives its rule.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstdlib>

using namespace mlir::loom;
using namespace mlir::loom::ast;
using llvm::SMLoc;
using llvm::SMRange;

/// Each link of an operator or postfix chain deepens the tree by one (a
/// left-deep tree: `x + x + x` is `(x + x) + x`), so that the links of the
/// chains on the path to an expression count against Parser::kMaxChain: `x +
/// x + ... + x` with 100,000 terms is an error, not a 100,000-deep tree that
/// every later walk of the syntax tree recurses down. They are no nesting:
/// kMaxDepth counts brackets and prefix operators only.
struct Parser::ChainDepth {
  explicit ChainDepth(Parser &p) : p(p), saved(p.chainLinks) {}
  ~ChainDepth() { p.chainLinks = saved; }
  bool next() {
    if (p.chainLinks + 1 > kMaxChain) {
      if (!p.depthReported)
        p.errorAtCurrent("expression too long: more than " +
                         llvm::Twine(kMaxChain) +
                         " operators or calls in a row; give parts of it "
                         "names");
      p.depthReported = true;
      failed = true;
      return false;
    }
    ++p.chainLinks;
    return true;
  }
  Parser &p;
  unsigned saved;
  bool failed = false;
};

namespace {
/// Counts expression nesting; see Parser::kMaxDepth.
struct DepthGuard {
  DepthGuard(unsigned &depth) : depth(depth) { ++depth; }
  ~DepthGuard() { --depth; }
  unsigned &depth;
};

SMLoc startOf(const ExprPtr &e) { return e->range.Start; }
} // namespace

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

// expr := or
ExprPtr Parser::parseExpr() {
  if (depth >= kMaxDepth) {
    if (!depthReported)
      errorAtCurrent("expression nested too deeply (more than " +
                     llvm::Twine(kMaxDepth) + " levels)");
    depthReported = true;
    return nullptr;
  }
  DepthGuard guard(depth);
  return parseOr();
}

/// Parses the left-associative chain `next (op next)*` for the operators
/// in `ops`. An operator that starts a line outside brackets ends the chain.
ExprPtr Parser::parseLeftChain(llvm::ArrayRef<Tok> ops,
                               ExprPtr (Parser::*next)()) {
  ChainDepth chain(*this);
  ExprPtr lhs = (this->*next)();
  while (lhs && llvm::is_contained(ops, tok.kind) && !atStatementBoundary() &&
         chain.next()) {
    Token op = consume();
    ExprPtr rhs = (this->*next)();
    if (!rhs)
      return nullptr;
    SMRange r{startOf(lhs), prevEnd};
    lhs = std::make_unique<BinaryExpr>(r, op.kind, op.range(), std::move(lhs),
                                       std::move(rhs));
  }
  return chain.failed ? nullptr : std::move(lhs);
}

// or := and ('or' and)*
ExprPtr Parser::parseOr() {
  return parseLeftChain({Tok::KwOr}, &Parser::parseAnd);
}

// and := not ('and' not)*
ExprPtr Parser::parseAnd() {
  return parseLeftChain({Tok::KwAnd}, &Parser::parseNot);
}

// not := 'not' not | comparison
ExprPtr Parser::parseNot() {
  if (!tok.is(Tok::KwNot))
    return parseComparison();
  if (depth >= kMaxDepth)
    return parseExpr(); // reports the depth error
  DepthGuard guard(depth);
  Token op = consume();
  ExprPtr operand = parseNot();
  if (!operand)
    return nullptr;
  return std::make_unique<UnaryExpr>(rangeFrom(op.loc()), op.kind,
                                     std::move(operand));
}

static bool isComparison(Tok k) {
  return k == Tok::EqEq || k == Tok::NotEq || k == Tok::Less ||
         k == Tok::LessEq || k == Tok::Greater || k == Tok::GreaterEq;
}

// comparison := additive [cmp-op additive]
ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseAdditive();
  if (!lhs || !isComparison(tok.kind) || atStatementBoundary())
    return lhs;
  Token op = consume();
  ExprPtr rhs = parseAdditive();
  if (!rhs)
    return nullptr;
  if (isComparison(tok.kind) && !atStatementBoundary()) {
    errorAtCurrent("comparisons cannot be chained; combine them with 'and'");
    return nullptr;
  }
  SMRange r{startOf(lhs), prevEnd};
  return std::make_unique<BinaryExpr>(r, op.kind, op.range(), std::move(lhs),
                                      std::move(rhs));
}

// additive := multiplicative (('+' | '-') multiplicative)*
ExprPtr Parser::parseAdditive() {
  return parseLeftChain({Tok::Plus, Tok::Minus}, &Parser::parseMultiplicative);
}

// multiplicative := unary (('*' | '/' | '//' | '%' | '@') unary)*
ExprPtr Parser::parseMultiplicative() {
  return parseLeftChain(
      {Tok::Star, Tok::Slash, Tok::SlashSlash, Tok::Percent, Tok::At},
      &Parser::parseUnary);
}

// unary := ('-' | '+') unary | power
ExprPtr Parser::parseUnary() {
  if (!tok.is(Tok::Minus) && !tok.is(Tok::Plus))
    return parsePower();
  if (depth >= kMaxDepth)
    return parseExpr(); // reports the depth error
  DepthGuard guard(depth);
  Token op = consume();
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  return std::make_unique<UnaryExpr>(rangeFrom(op.loc()), op.kind,
                                     std::move(operand));
}

// power := postfix ['**' unary]        (right-associative: a ** b ** c)
ExprPtr Parser::parsePower() {
  ExprPtr base = parsePostfix();
  if (!base || !tok.is(Tok::StarStar) || atStatementBoundary())
    return base;
  if (depth >= kMaxDepth)
    return parseExpr(); // reports the depth error
  DepthGuard guard(depth);
  Token op = consume();
  ExprPtr exponent = parseUnary();
  if (!exponent)
    return nullptr;
  SMRange r{startOf(base), prevEnd};
  return std::make_unique<BinaryExpr>(r, op.kind, op.range(), std::move(base),
                                      std::move(exponent));
}

// postfix := primary ('(' args ')' | '[' index (',' index)* ']' | '.' NAME)*
// A '(' or '[' that starts a line outside brackets starts a new statement.
ExprPtr Parser::parsePostfix() {
  ChainDepth chain(*this);
  ExprPtr e = parsePrimary();
  while (e && !atStatementBoundary() &&
         (tok.is(Tok::LParen) || tok.is(Tok::LBracket) || tok.is(Tok::Dot)) &&
         chain.next()) {
    SMLoc start = startOf(e);
    if (consumeIf(Tok::LParen)) {
      std::vector<Arg> args;
      if (!parseArgs(Tok::RParen, args, /*allowNames=*/true))
        return nullptr;
      e = std::make_unique<CallExpr>(rangeFrom(start), std::move(e),
                                     std::move(args));
    } else if (consumeIf(Tok::LBracket)) {
      std::vector<ExprPtr> items;
      do {
        ExprPtr item = parseIndexItem();
        if (!item)
          return nullptr;
        items.push_back(std::move(item));
      } while (consumeIf(Tok::Comma));
      if (!expect(Tok::RBracket, "to close the index"))
        return nullptr;
      e = std::make_unique<IndexExpr>(rangeFrom(start), std::move(e),
                                      std::move(items));
    } else if (consumeIf(Tok::Dot)) {
      Ident member;
      if (!parseIdent(member, "after '.'"))
        return nullptr;
      e = std::make_unique<MemberExpr>(rangeFrom(start), std::move(e),
                                       std::move(member));
    } else {
      break;
    }
  }
  return chain.failed ? nullptr : std::move(e);
}

// index := expr | [expr] ':' [expr] [':' [expr]]
ExprPtr Parser::parseIndexItem() {
  SMLoc start = tok.loc();
  ExprPtr first;
  if (!tok.is(Tok::Colon)) {
    first = parseExpr();
    if (!first)
      return nullptr;
    if (!tok.is(Tok::Colon))
      return first;
  }
  consume(); // ':'
  auto endsPart = [&] {
    return tok.is(Tok::Colon) || tok.is(Tok::Comma) || tok.is(Tok::RBracket);
  };
  ExprPtr stop, step;
  if (!endsPart() && !(stop = parseExpr()))
    return nullptr;
  if (consumeIf(Tok::Colon) && !endsPart() && !(step = parseExpr()))
    return nullptr;
  return std::make_unique<SliceExpr>(rangeFrom(start), std::move(first),
                                     std::move(stop), std::move(step));
}

// args := [arg (',' arg)* [',']] close      arg := [NAME '='] expr
bool Parser::parseArgs(Tok close, std::vector<Arg> &args, bool allowNames) {
  while (!tok.is(close)) {
    Arg arg;
    if (allowNames && tok.is(Tok::Ident) && peekAhead().is(Tok::Assign)) {
      Token name = consume();
      arg.name = {name.text.str(), name.range()};
      consume(); // '='
    }
    arg.value = parseExpr();
    if (!arg.value)
      return false;
    args.push_back(std::move(arg));
    if (!consumeIf(Tok::Comma))
      break;
  }
  return expect(close, "to close the argument list");
}

// primary := INT | FLOAT | STRING | 'true' | 'false' | NAME
//          | '(' ')' | '(' expr ')' | '(' arg (',' arg)* [','] ')'
//          | '[' [expr (',' expr)* [',']] ']'
ExprPtr Parser::parsePrimary() {
  SMLoc start = tok.loc();
  if (atNewLine() && !afterOperator()) {
    diags.error(SMRange(prevEnd, prevEnd),
                "expected an expression before the end of the line");
    return nullptr;
  }
  switch (tok.kind) {
  case Tok::Int: {
    Token t = consume();
    int64_t value;
    if (!parseIntLiteral(t.text, value)) {
      diags.error(t.range(),
                  "integer literal '" + t.text + "' does not fit in 64 bits");
      return nullptr;
    }
    return std::make_unique<IntExpr>(t.range(), value);
  }
  case Tok::Float: {
    Token t = consume();
    std::string digits;
    for (char c : t.text)
      if (c != '_')
        digits += c;
    double value = std::strtod(digits.c_str(), nullptr);
    if (!std::isfinite(value)) {
      diags.error(t.range(), "number '" + t.text + "' is too large");
      return nullptr;
    }
    return std::make_unique<FloatExpr>(t.range(), value);
  }
  case Tok::String: {
    Token t = consume();
    return std::make_unique<StringExpr>(t.range(), decodeStringLiteral(t.text));
  }
  case Tok::KwTrue:
  case Tok::KwFalse: {
    Token t = consume();
    return std::make_unique<BoolExpr>(t.range(), t.is(Tok::KwTrue));
  }
  case Tok::Ident:
  case Tok::Ellipsis: { // `...` is a dimension wildcard in types
    Token t = consume();
    return std::make_unique<NameExpr>(t.range(), t.text.str());
  }
  case Tok::LParen: {
    consume();
    std::vector<Arg> elements;
    bool trailingComma = false;
    while (!tok.is(Tok::RParen)) {
      Arg arg;
      if (tok.is(Tok::Ident) && peekAhead().is(Tok::Assign)) {
        Token name = consume();
        arg.name = {name.text.str(), name.range()};
        consume();
      }
      arg.value = parseExpr();
      if (!arg.value)
        return nullptr;
      elements.push_back(std::move(arg));
      trailingComma = consumeIf(Tok::Comma);
      if (!trailingComma)
        break;
    }
    if (!expect(Tok::RParen, "to close the parenthesis"))
      return nullptr;
    if (elements.size() == 1 && !trailingComma && elements[0].name.name.empty())
      return std::move(elements[0].value);
    return std::make_unique<TupleExpr>(rangeFrom(start), std::move(elements));
  }
  case Tok::LBracket: {
    consume();
    std::vector<ExprPtr> elements;
    while (!tok.is(Tok::RBracket)) {
      ExprPtr e = parseExpr();
      if (!e)
        return nullptr;
      elements.push_back(std::move(e));
      if (!consumeIf(Tok::Comma))
        break;
    }
    if (!expect(Tok::RBracket, "to close the list"))
      return nullptr;
    return std::make_unique<ListExpr>(rangeFrom(start), std::move(elements));
  }
  case Tok::Error:
    consume(); // already reported by the lexer
    return nullptr;
  default:
    errorAtCurrent("expected an expression, got " +
                   (tok.is(Tok::Eof)
                        ? spell(Tok::Eof)
                        : llvm::StringRef("'" + tok.text.str() + "'")));
    return nullptr;
  }
}
