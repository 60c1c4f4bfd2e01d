//===- Parser.cpp - Recursive-descent parser of Loom ----------------------===//
//
// Part of Loom. This file implements the parser of docs/language.md. Each
// grammar rule is one method; the comment above it gives the rule.
//
//===----------------------------------------------------------------------===//

#include "frontend/Parser.h"

#include "llvm/ADT/STLExtras.h"

#include <cstdlib>

using namespace mlir::loom;
using namespace mlir::loom::ast;
using llvm::SMLoc;
using llvm::SMRange;

Parser::Parser(DiagnosticEngine &diags, unsigned bufferId)
    : diags(diags),
      buffer(diags.getSourceMgr().getMemoryBuffer(bufferId)->getBuffer()),
      lexer(buffer, diags) {
  tok = lexer.next();
  prevEnd = tok.loc();
}

//===----------------------------------------------------------------------===//
// Token stream
//===----------------------------------------------------------------------===//

const Token &Parser::peekAhead() {
  if (!haveAhead) {
    ahead = lexer.next();
    haveAhead = true;
  }
  return ahead;
}

Token Parser::consume() {
  Token t = tok;
  if (t.is(Tok::Eof))
    return t;
  prevKind = t.kind;
  prevEnd = t.range().End;
  if (t.is(Tok::LParen) || t.is(Tok::LBracket))
    ++bracketDepth;
  else if ((t.is(Tok::RParen) || t.is(Tok::RBracket)) && bracketDepth > 0)
    --bracketDepth;
  if (haveAhead) {
    tok = ahead;
    haveAhead = false;
  } else {
    tok = lexer.next();
  }
  return t;
}

bool Parser::consumeIf(Tok kind) {
  if (!tok.is(kind))
    return false;
  consume();
  return true;
}

bool Parser::atContextualWord(llvm::StringRef word) const {
  return tok.is(Tok::Ident) && tok.text == word;
}

bool Parser::atStatementBoundary() const {
  return tok.is(Tok::Eof) || tok.is(Tok::RBrace) ||
         (tok.atLineStart && bracketDepth == 0);
}

SMRange Parser::rangeFrom(SMLoc start) const { return {start, prevEnd}; }

void Parser::errorAtCurrent(const llvm::Twine &message) {
  // The lexer has already reported a bad token; one error is enough.
  if (!tok.is(Tok::Error))
    diags.error(tok.range(), message);
}

bool Parser::expect(Tok kind, llvm::StringRef context) {
  if (consumeIf(kind))
    return true;
  errorAtCurrent("expected " + spell(kind) + " " + context + ", got " +
                 (tok.is(Tok::Eof)
                      ? spell(Tok::Eof)
                      : llvm::StringRef("'" + tok.text.str() + "'")));
  return false;
}

bool Parser::atNewLine() const {
  return tok.atLineStart && bracketDepth == 0 && !tok.is(Tok::Eof);
}

bool Parser::afterOperator() const {
  switch (prevKind) {
  case Tok::Plus:
  case Tok::Minus:
  case Tok::Star:
  case Tok::Slash:
  case Tok::SlashSlash:
  case Tok::Percent:
  case Tok::At:
  case Tok::StarStar:
  case Tok::EqEq:
  case Tok::NotEq:
  case Tok::Less:
  case Tok::LessEq:
  case Tok::Greater:
  case Tok::GreaterEq:
  case Tok::KwAnd:
  case Tok::KwOr:
  case Tok::KwNot:
    return true;
  default:
    return false;
  }
}

bool Parser::parseIdent(Ident &ident, llvm::StringRef context,
                        bool mayStartLine) {
  if (!mayStartLine && atNewLine()) {
    diags.error(SMRange(prevEnd, prevEnd),
                "expected a name " + context + " before the end of the line");
    return false;
  }
  if (!tok.is(Tok::Ident)) {
    errorAtCurrent("expected a name " + context + ", got " +
                   (tok.is(Tok::Eof)
                        ? spell(Tok::Eof)
                        : llvm::StringRef("'" + tok.text.str() + "'")));
    return false;
  }
  Token t = consume();
  ident = {t.text.str(), t.range()};
  return true;
}

//===----------------------------------------------------------------------===//
// Recovery
//===----------------------------------------------------------------------===//

bool Parser::atDeclarationStart() {
  if (tok.is(Tok::KwImport))
    return true;
  // `model M(` and `train t {`, not a train block's `model = ...` setting.
  return (atContextualWord("model") || atContextualWord("train")) &&
         peekAhead().is(Tok::Ident);
}

void Parser::skipToTopLevel() {
  do
    consume();
  while (!tok.is(Tok::Eof) && !(tok.atLineStart && atDeclarationStart()));
  bracketDepth = 0;
}

void Parser::skipToLineOrClose(SMLoc itemStart) {
  auto done = [&] {
    if (tok.is(Tok::Eof) || (tok.is(Tok::RBrace) && bracketDepth == 0))
      return true;
    if (!tok.atLineStart)
      return false;
    // Inside an unclosed bracket, a line goes on unless it plainly starts a
    // new item: a closing brace, `return`, `forward`, or `name =`.
    if (bracketDepth == 0 || tok.is(Tok::RBrace) || tok.is(Tok::KwReturn) ||
        tok.is(Tok::KwForward))
      return true;
    return tok.is(Tok::Ident) &&
           (peekAhead().is(Tok::Assign) || peekAhead().is(Tok::Comma));
  };
  // A line-starting token other than the item's first one begins the next
  // item: keep it. Otherwise always make progress.
  if (!(tok.atLineStart && tok.loc() != itemStart && done()) &&
      !tok.is(Tok::Eof) && !(tok.is(Tok::RBrace) && bracketDepth == 0)) {
    do
      consume();
    while (!done());
  }
  bracketDepth = 0;
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

// file := (import | model | train)*
std::unique_ptr<File> Parser::parseFile() {
  auto file = std::make_unique<File>();
  while (!tok.is(Tok::Eof) && !diags.tooManyErrors()) {
    switch (tok.kind) {
    case Tok::KwImport:
      parseImport(*file);
      break;
    default:
      if (atContextualWord("model")) {
        if (auto model = parseModel())
          file->models.push_back(std::move(model));
        break;
      }
      if (atContextualWord("train")) {
        if (auto train = parseTrain())
          file->trains.push_back(std::move(train));
        break;
      }
      errorAtCurrent("expected 'import', 'model' or 'train' at the top level, "
                     "got '" +
                     tok.text + "'");
      skipToTopLevel();
    }
  }
  return file;
}

// import := 'import' NAME ('.' NAME)*
void Parser::parseImport(File &file) {
  SMLoc start = consume().loc();
  ImportDecl decl;
  Ident part;
  if (!parseIdent(part, "after 'import'"))
    return skipToTopLevel();
  decl.path = part.name;
  while (consumeIf(Tok::Dot)) {
    if (!parseIdent(part, "after '.' in an import"))
      return skipToTopLevel();
    decl.path += "." + part.name;
  }
  decl.range = rangeFrom(start);
  if (!atStatementBoundary()) {
    errorAtCurrent("expected a new line after the import, got '" + tok.text +
                   "'");
    return skipToTopLevel();
  }
  file.imports.push_back(std::move(decl));
}

// model := 'model' NAME '(' [hparam (',' hparam)*] ')' '{' member* '}'
std::unique_ptr<ModelDecl> Parser::parseModel() {
  SMLoc start = consume().loc();
  auto model = std::make_unique<ModelDecl>();
  if (!parseIdent(model->name, "after 'model'") ||
      !expect(Tok::LParen, "after the model name")) {
    skipToTopLevel();
    return nullptr;
  }
  if (!tok.is(Tok::RParen)) {
    do {
      HParam hparam;
      if (!parseHParam(hparam)) {
        skipToTopLevel();
        return nullptr;
      }
      model->hparams.push_back(std::move(hparam));
    } while (consumeIf(Tok::Comma));
  }
  if (!expect(Tok::RParen, "to close the hyper-parameters")) {
    skipToTopLevel();
    return nullptr;
  }
  SMRange open = tok.range();
  if (!expect(Tok::LBrace, "to open the model body")) {
    skipToTopLevel();
    return nullptr;
  }
  while (!tok.is(Tok::RBrace) && !tok.is(Tok::Eof) && !diags.tooManyErrors()) {
    if (tok.is(Tok::KwForward)) {
      SMRange at = tok.range();
      auto forward = parseForward();
      if (!forward)
        continue;
      if (model->forward) {
        diags.error(at, "model '" + model->name.name +
                            "' has more than one forward");
        diags.note(model->forward->range, "the first forward is here");
        continue;
      }
      model->forward = std::move(forward);
      continue;
    }
    SMLoc itemStart = tok.loc();
    if (!parseMember(*model))
      skipToLineOrClose(itemStart);
  }
  if (!expect(Tok::RBrace, "to close model '" + model->name.name + "'")) {
    diags.note(open, "the model body starts here");
    return nullptr;
  }
  model->range = rangeFrom(start);
  return model;
}

// hparam := NAME ':' NAME ['=' expr]
bool Parser::parseHParam(HParam &hparam) {
  if (!parseIdent(hparam.name, "for a hyper-parameter") ||
      !expect(Tok::Colon, "after the hyper-parameter name") ||
      !parseIdent(hparam.type, "for the hyper-parameter's type (int, float, "
                               "bool, str, fn or init)"))
    return false;
  if (consumeIf(Tok::Assign)) {
    hparam.defaultValue = parseExpr();
    if (!hparam.defaultValue)
      return false;
  }
  return true;
}

// member := NAME '=' 'param' type ('init' postfix | 'frozen' | 'shard' list)*
//         | NAME '=' 'repeat' '(' expr ')' postfix
//         | NAME '=' expr
bool Parser::parseMember(ModelDecl &model) {
  Member member;
  SMLoc start = tok.loc();
  if (!parseIdent(member.name, "for a model member (or 'forward')",
                  /*mayStartLine=*/true) ||
      !expect(Tok::Assign, "after the member name"))
    return false;
  if (consumeIf(Tok::KwParam)) {
    member.kind = Member::Kind::Param;
    member.type = parseType();
    if (!member.type)
      return false;
    while (!atStatementBoundary()) {
      if (atContextualWord("init")) {
        if (member.init) {
          errorAtCurrent("'init' is given twice");
          return false;
        }
        consume();
        member.init = parsePostfix();
        if (!member.init)
          return false;
      } else if (atContextualWord("frozen")) {
        if (member.frozen) {
          errorAtCurrent("'frozen' is given twice");
          return false;
        }
        member.frozenRange = consume().range();
        member.frozen = true;
      } else if (atContextualWord("shard")) {
        if (member.shard) {
          errorAtCurrent("'shard' is given twice");
          return false;
        }
        consume();
        member.shard = parsePostfix();
        if (!member.shard)
          return false;
      } else {
        errorAtCurrent("expected 'init', 'frozen', 'shard' or a new line "
                       "after the parameter type, got '" +
                       tok.text + "'");
        return false;
      }
    }
  } else if (tok.is(Tok::KwRepeat)) {
    consume();
    member.kind = Member::Kind::Repeat;
    if (!expect(Tok::LParen, "after 'repeat'") ||
        !(member.repeat = parseExpr()) ||
        !expect(Tok::RParen, "to close the repeat count"))
      return false;
    member.value = parsePostfix();
    if (!member.value)
      return false;
  } else {
    member.kind = Member::Kind::Value;
    member.value = parseExpr();
    if (!member.value)
      return false;
  }
  member.range = rangeFrom(start);
  if (!atStatementBoundary()) {
    errorAtCurrent("expected a new line after member '" + member.name.name +
                   "', got '" + tok.text + "'");
    return false;
  }
  model.members.push_back(std::move(member));
  return true;
}

// forward := 'forward' '(' [NAME ':' type (',' NAME ':' type)*] ')'
//            '->' type '{' stmt* '}'
std::unique_ptr<Forward> Parser::parseForward() {
  SMLoc start = consume().loc();
  auto forward = std::make_unique<Forward>();
  auto fail = [&]() -> std::unique_ptr<Forward> {
    // Skip the rest of the forward: up to its closing brace.
    bracketDepth = 0;
    unsigned braces = 0;
    while (!tok.is(Tok::Eof)) {
      if (tok.is(Tok::LBrace))
        ++braces;
      if (tok.is(Tok::RBrace)) {
        // The first unmatched '}' closes this forward (its body has no
        // other braces), even when its '{' was missing.
        if (braces <= 1) {
          consume();
          break;
        }
        --braces;
      }
      consume();
    }
    return nullptr;
  };
  if (!expect(Tok::LParen, "after 'forward'"))
    return fail();
  if (!tok.is(Tok::RParen)) {
    do {
      ForwardArg arg;
      if (!parseIdent(arg.name, "for a forward argument") ||
          !expect(Tok::Colon, "after the argument name"))
        return fail();
      auto type = parseType();
      if (!type)
        return fail();
      arg.type = std::move(*type);
      forward->args.push_back(std::move(arg));
    } while (consumeIf(Tok::Comma));
  }
  if (!expect(Tok::RParen, "to close the forward arguments") ||
      !expect(Tok::Arrow, "before the forward's result type"))
    return fail();
  forward->result = parseType();
  if (!forward->result)
    return fail();
  SMRange open = tok.range();
  if (!expect(Tok::LBrace, "to open the forward body")) {
    // A forward with no body at all: leave the model's '}' to the model.
    if (tok.is(Tok::RBrace))
      return nullptr;
    return fail();
  }
  while (!tok.is(Tok::RBrace) && !tok.is(Tok::Eof) && !diags.tooManyErrors()) {
    SMLoc itemStart = tok.loc();
    if (!parseStmt(forward->body))
      skipToLineOrClose(itemStart);
  }
  if (!expect(Tok::RBrace, "to close the forward body")) {
    diags.note(open, "the forward body starts here");
    return nullptr;
  }
  forward->range = rangeFrom(start);
  return forward;
}

// type := DTYPE '[' [expr (',' expr)*] ']'
std::unique_ptr<TypeExpr> Parser::parseType() {
  auto type = std::make_unique<TypeExpr>();
  SMLoc start = tok.loc();
  if (!parseIdent(type->dtype, "for an element type (f32, f64, bf16, f16, "
                               "i32, i64, i1)") ||
      !expect(Tok::LBracket, "after the element type"))
    return nullptr;
  if (!tok.is(Tok::RBracket)) {
    do {
      ExprPtr dim = parseExpr();
      if (!dim)
        return nullptr;
      type->dims.push_back(std::move(dim));
    } while (consumeIf(Tok::Comma));
  }
  if (!expect(Tok::RBracket, "to close the shape"))
    return nullptr;
  type->range = rangeFrom(start);
  return type;
}

// stmt := 'return' expr | NAME (',' NAME)* '=' expr
bool Parser::parseStmt(std::vector<Stmt> &body) {
  Stmt stmt;
  SMLoc start = tok.loc();
  if (consumeIf(Tok::KwReturn)) {
    stmt.kind = Stmt::Kind::Return;
  } else {
    stmt.kind = Stmt::Kind::Assign;
    do {
      Ident target;
      if (!parseIdent(target, "to assign (or 'return')",
                      /*mayStartLine=*/stmt.targets.empty()))
        return false;
      stmt.targets.push_back(std::move(target));
    } while (consumeIf(Tok::Comma));
    if (!expect(Tok::Assign, "after the assigned names"))
      return false;
  }
  stmt.value = parseExpr();
  if (!stmt.value)
    return false;
  stmt.range = rangeFrom(start);
  if (!atStatementBoundary()) {
    errorAtCurrent("expected a new line after the statement, got '" + tok.text +
                   "'");
    return false;
  }
  body.push_back(std::move(stmt));
  return true;
}

// train := 'train' NAME '{' (NAME '=' train-value)* '}'
std::unique_ptr<TrainDecl> Parser::parseTrain() {
  SMLoc start = consume().loc();
  auto train = std::make_unique<TrainDecl>();
  if (!parseIdent(train->name, "after 'train'")) {
    skipToTopLevel();
    return nullptr;
  }
  SMRange open = tok.range();
  if (!expect(Tok::LBrace, "to open the train block")) {
    skipToTopLevel();
    return nullptr;
  }
  while (!tok.is(Tok::RBrace) && !tok.is(Tok::Eof) && !diags.tooManyErrors()) {
    TrainEntry entry;
    SMLoc itemStart = tok.loc();
    if (!parseIdent(entry.key, "for a train setting", /*mayStartLine=*/true) ||
        !expect(Tok::Assign, "after '" + entry.key.name + "'") ||
        !(entry.value = entry.key.name == "prep" ? parsePrepValue()
                                                 : parseTrainValue())) {
      skipToLineOrClose(itemStart);
      continue;
    }
    if (!atStatementBoundary()) {
      errorAtCurrent("expected a new line after setting '" + entry.key.name +
                     "', got '" + tok.text + "'");
      skipToLineOrClose(itemStart);
      continue;
    }
    train->entries.push_back(std::move(entry));
  }
  if (!expect(Tok::RBrace, "to close train block '" + train->name.name + "'")) {
    diags.note(open, "the train block starts here");
    return nullptr;
  }
  train->range = rangeFrom(start);
  return train;
}

// train-value := every | expr ['seed' expr]
ExprPtr Parser::parseTrainValue() {
  if (atContextualWord("every") && !peekAhead().is(Tok::LParen))
    return parseEvery();
  SMLoc start = tok.loc();
  ExprPtr value = parseExpr();
  if (value && atContextualWord("seed") && !atStatementBoundary()) {
    consume();
    ExprPtr seed = parseExpr();
    if (!seed)
      return nullptr;
    return std::make_unique<SplitExpr>(rangeFrom(start), std::move(value),
                                       std::move(seed));
  }
  return value;
}

// prep-value := the rest of the line, kept as written: the prep steps
// (runtime/data/TablePrep.h's syntax), which the elaborator parses.
ExprPtr Parser::parsePrepValue() {
  SMLoc start = tok.loc();
  if (atStatementBoundary()) {
    diags.error({prevEnd, prevEnd},
                "expected the prep steps after 'prep =', such as 'prep = "
                "dedup, impute(median), standardize'");
    return nullptr;
  }
  // The line, whatever its brackets hold: an unclosed '(' is the steps'
  // error, not a reason to read the next settings as steps.
  unsigned depth = bracketDepth;
  while (!tok.is(Tok::Eof) && !tok.is(Tok::RBrace) && !tok.atLineStart)
    consume();
  bracketDepth = depth;
  SMRange range = rangeFrom(start);
  return std::make_unique<PrepExpr>(
      range, std::string(start.getPointer(), range.End.getPointer()));
}

// every := 'every' expr NAME ['on' NAME] [':' NAME (',' NAME)*] ['keep' expr]
ExprPtr Parser::parseEvery() {
  SMLoc start = consume().loc();
  auto every = std::make_unique<EveryExpr>(SMRange());
  every->count = parseExpr();
  if (!every->count || !parseIdent(every->unit, "('steps' or 'epochs')"))
    return nullptr;
  if (atContextualWord("on") && !atStatementBoundary()) {
    consume();
    if (!parseIdent(every->on, "after 'on' (a data split such as 'val')"))
      return nullptr;
  }
  if (!atStatementBoundary() && consumeIf(Tok::Colon)) {
    do {
      Ident metric;
      if (!parseIdent(metric, "for a metric"))
        return nullptr;
      every->items.push_back(std::move(metric));
    } while (consumeIf(Tok::Comma));
  }
  if (atContextualWord("keep") && !atStatementBoundary()) {
    consume();
    every->keep = parseExpr();
    if (!every->keep)
      return nullptr;
  }
  every->range = rangeFrom(start);
  return every;
}
