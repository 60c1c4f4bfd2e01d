//===- Parser.h - Recursive-descent parser of Loom --------------*- C++ -*-===//
//
// Part of Loom. Parses one .loom buffer into an ast::File. On a syntax error
// it reports, skips to the next statement, member or declaration, and goes
// on, so one run reports many errors (up to the DiagnosticEngine's cap).
// Nesting deeper than kMaxDepth, or operator and postfix chains longer than
// kMaxChain, is an error, never a stack overflow.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_PARSER_H
#define LOOM_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Lexer.h"

#include <memory>

namespace mlir::loom {

class Parser {
public:
  /// Parses the main buffer `bufferId` of the diagnostics' source manager.
  Parser(DiagnosticEngine &diags, unsigned bufferId);

  /// The whole file. Always returns a tree (possibly partial); check
  /// `diags.hadError()`.
  std::unique_ptr<ast::File> parseFile();

  /// How deeply expressions may nest (brackets, calls' arguments, prefix
  /// operators).
  static constexpr unsigned kMaxDepth = 256;
  /// How many links of operator and postfix chains (`a + b`, `f(x)[i]`) the
  /// path from a statement to an expression may cross; with kMaxDepth it
  /// bounds the depth of the syntax tree, and so of every walk over it.
  static constexpr unsigned kMaxChain = 1024;

private:
  // Token stream.
  const Token &peek() const { return tok; }
  const Token &peekAhead();
  Token consume();
  bool consumeIf(Tok kind);
  bool expect(Tok kind, llvm::StringRef context);
  bool atContextualWord(llvm::StringRef word) const;
  /// Whether the current token starts a new line outside any brackets, which
  /// ends a statement.
  bool atStatementBoundary() const;
  llvm::SMRange rangeFrom(llvm::SMLoc start) const;
  void errorAtCurrent(const llvm::Twine &message);

  // Recovery.
  bool atDeclarationStart();
  void skipToTopLevel();
  void skipToLineOrClose(llvm::SMLoc itemStart);

  // Declarations.
  void parseImport(ast::File &file);
  std::unique_ptr<ast::ModelDecl> parseModel();
  bool parseHParam(ast::HParam &hparam);
  bool parseMember(ast::ModelDecl &model);
  std::unique_ptr<ast::Forward> parseForward();
  std::unique_ptr<ast::TypeExpr> parseType();
  bool parseStmt(std::vector<ast::Stmt> &body);
  std::unique_ptr<ast::TrainDecl> parseTrain();
  ast::ExprPtr parseTrainValue();
  ast::ExprPtr parsePrepValue();
  ast::ExprPtr parseEvery();
  /// A name; unless `mayStartLine`, one on the next line does not count
  /// (the current line ended too early).
  bool parseIdent(ast::Ident &ident, llvm::StringRef context,
                  bool mayStartLine = false);
  /// Whether the current token starts a new line outside brackets.
  bool atNewLine() const;
  /// Whether the last token was an operator, after which an expression may
  /// go on at the start of the next line.
  bool afterOperator() const;

  // Expressions, lowest precedence first.
  ast::ExprPtr parseExpr();
  ast::ExprPtr parseLeftChain(llvm::ArrayRef<Tok> ops,
                              ast::ExprPtr (Parser::*next)());
  ast::ExprPtr parseOr();
  ast::ExprPtr parseAnd();
  ast::ExprPtr parseNot();
  ast::ExprPtr parseComparison();
  ast::ExprPtr parseAdditive();
  ast::ExprPtr parseMultiplicative();
  ast::ExprPtr parseUnary();
  ast::ExprPtr parsePower();
  ast::ExprPtr parsePostfix();
  ast::ExprPtr parsePrimary();
  ast::ExprPtr parseIndexItem();
  bool parseArgs(Tok close, std::vector<ast::Arg> &args, bool allowNames);

  struct ChainDepth;

  DiagnosticEngine &diags;
  llvm::StringRef buffer;
  Lexer lexer;
  Token tok;
  Token ahead;
  bool haveAhead = false;
  llvm::SMLoc prevEnd;
  Tok prevKind = Tok::Eof;
  unsigned bracketDepth = 0; ///< newlines are insignificant inside brackets
  unsigned depth = 0;        ///< expression nesting
  unsigned chainLinks = 0;   ///< see kMaxChain
  bool depthReported = false;
};

} // namespace mlir::loom

#endif // LOOM_FRONTEND_PARSER_H
