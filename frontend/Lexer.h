//===- Lexer.h - Tokens of the Loom language --------------------*- C++ -*-===//
//
// Part of Loom. Splits a .loom buffer into tokens. Newlines are not tokens;
// each token records whether it starts a line, which the parser uses to end
// statements (see docs/language.md, "Lines"). `model` and `train` are
// contextual words, not keywords, so that a train block can say
// `model = GPT(...)` and `loss = cross_entropy(model(x), y)`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_LEXER_H
#define LOOM_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir::loom {

enum class Tok {
  Eof,
  Error,
  Ident,
  Int,
  Float,
  String,
  // keywords
  KwImport,
  KwForward,
  KwParam,
  KwRepeat,
  KwReturn,
  KwTrue,
  KwFalse,
  KwAnd,
  KwOr,
  KwNot,
  // punctuation
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  Ellipsis,   // ...
  Assign,     // =
  Arrow,      // ->
  Plus,       // +
  Minus,      // -
  Star,       // *
  Slash,      // /
  SlashSlash, // //
  Percent,    // %
  At,         // @
  StarStar,   // **
  EqEq,       // ==
  NotEq,      // !=
  Less,       // <
  LessEq,     // <=
  Greater,    // >
  GreaterEq   // >=
};

/// A token: its kind, its text in the buffer, and whether it is the first
/// token on its line.
struct Token {
  Tok kind = Tok::Eof;
  llvm::StringRef text;
  bool atLineStart = false;

  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  llvm::SMRange range() const {
    return {loc(), llvm::SMLoc::getFromPointer(text.data() + text.size())};
  }
  bool is(Tok k) const { return kind == k; }
};

/// The spelling of a token kind for diagnostics ("')'", "identifier").
llvm::StringRef spell(Tok kind);

class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diags)
      : buffer(buffer), cur(buffer.begin()), diags(diags) {}

  /// The next token; Tok::Eof at the end, forever.
  Token next();

private:
  Token make(Tok kind, const char *start, bool atLineStart);
  Token lexNumber(const char *start, bool atLineStart);
  Token lexString(const char *start, bool atLineStart);

  llvm::StringRef buffer;
  const char *cur;
  DiagnosticEngine &diags;
};

/// Parses the text of an Int token; false if it does not fit in int64.
bool parseIntLiteral(llvm::StringRef text, int64_t &value);
/// Decodes the escapes of a String token's text (quotes included).
std::string decodeStringLiteral(llvm::StringRef text);

} // namespace mlir::loom

#endif // LOOM_FRONTEND_LEXER_H
