//===- Lexer.cpp - Tokens of the Loom language ----------------------------===//
//
// Part of Loom. This file implements the lexer: identifiers and keywords,
// integer and float literals, double-quoted strings with \n \t \" \\
// escapes, `#` comments to the end of the line, and punctuation.
//
//===----------------------------------------------------------------------===//

#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cctype>

using namespace mlir::loom;

llvm::StringRef mlir::loom::spell(Tok kind) {
  switch (kind) {
  case Tok::Eof:
    return "end of file";
  case Tok::Error:
    return "invalid token";
  case Tok::Ident:
    return "identifier";
  case Tok::Int:
    return "integer";
  case Tok::Float:
    return "number";
  case Tok::String:
    return "string";
  case Tok::KwImport:
    return "'import'";
  case Tok::KwForward:
    return "'forward'";
  case Tok::KwParam:
    return "'param'";
  case Tok::KwRepeat:
    return "'repeat'";
  case Tok::KwReturn:
    return "'return'";
  case Tok::KwTrue:
    return "'true'";
  case Tok::KwFalse:
    return "'false'";
  case Tok::KwAnd:
    return "'and'";
  case Tok::KwOr:
    return "'or'";
  case Tok::KwNot:
    return "'not'";
  case Tok::LParen:
    return "'('";
  case Tok::RParen:
    return "')'";
  case Tok::LBracket:
    return "'['";
  case Tok::RBracket:
    return "']'";
  case Tok::LBrace:
    return "'{'";
  case Tok::RBrace:
    return "'}'";
  case Tok::Comma:
    return "','";
  case Tok::Colon:
    return "':'";
  case Tok::Dot:
    return "'.'";
  case Tok::Ellipsis:
    return "'...'";
  case Tok::Assign:
    return "'='";
  case Tok::Arrow:
    return "'->'";
  case Tok::Plus:
    return "'+'";
  case Tok::Minus:
    return "'-'";
  case Tok::Star:
    return "'*'";
  case Tok::Slash:
    return "'/'";
  case Tok::SlashSlash:
    return "'//'";
  case Tok::Percent:
    return "'%'";
  case Tok::At:
    return "'@'";
  case Tok::StarStar:
    return "'**'";
  case Tok::EqEq:
    return "'=='";
  case Tok::NotEq:
    return "'!='";
  case Tok::Less:
    return "'<'";
  case Tok::LessEq:
    return "'<='";
  case Tok::Greater:
    return "'>'";
  case Tok::GreaterEq:
    return "'>='";
  }
  return "token";
}

Token Lexer::make(Tok kind, const char *start, bool atLineStart) {
  Token t;
  t.kind = kind;
  t.text = llvm::StringRef(start, cur - start);
  t.atLineStart = atLineStart;
  return t;
}

Token Lexer::next() {
  bool atLineStart = cur == buffer.begin();
  // Skip whitespace and comments, noting line breaks.
  while (cur != buffer.end()) {
    char c = *cur;
    if (c == '\n') {
      atLineStart = true;
      ++cur;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++cur;
    } else if (c == '#') {
      while (cur != buffer.end() && *cur != '\n')
        ++cur;
    } else {
      break;
    }
  }
  const char *start = cur;
  if (cur == buffer.end())
    return make(Tok::Eof, start, true);

  char c = *cur++;
  auto peek = [&](char expected) {
    if (cur != buffer.end() && *cur == expected) {
      ++cur;
      return true;
    }
    return false;
  };

  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    while (cur != buffer.end() &&
           (std::isalnum(static_cast<unsigned char>(*cur)) || *cur == '_'))
      ++cur;
    llvm::StringRef word(start, cur - start);
    Tok kind = llvm::StringSwitch<Tok>(word)
                   .Case("import", Tok::KwImport)
                   .Case("forward", Tok::KwForward)
                   .Case("param", Tok::KwParam)
                   .Case("repeat", Tok::KwRepeat)
                   .Case("return", Tok::KwReturn)
                   .Case("true", Tok::KwTrue)
                   .Case("false", Tok::KwFalse)
                   .Case("and", Tok::KwAnd)
                   .Case("or", Tok::KwOr)
                   .Case("not", Tok::KwNot)
                   .Default(Tok::Ident);
    return make(kind, start, atLineStart);
  }
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '.' && cur != buffer.end() &&
       std::isdigit(static_cast<unsigned char>(*cur))))
    return lexNumber(start, atLineStart);
  if (c == '"')
    return lexString(start, atLineStart);

  switch (c) {
  case '(':
    return make(Tok::LParen, start, atLineStart);
  case ')':
    return make(Tok::RParen, start, atLineStart);
  case '[':
    return make(Tok::LBracket, start, atLineStart);
  case ']':
    return make(Tok::RBracket, start, atLineStart);
  case '{':
    return make(Tok::LBrace, start, atLineStart);
  case '}':
    return make(Tok::RBrace, start, atLineStart);
  case ',':
    return make(Tok::Comma, start, atLineStart);
  case ':':
    return make(Tok::Colon, start, atLineStart);
  case '.':
    if (cur + 1 < buffer.end() && cur[0] == '.' && cur[1] == '.') {
      cur += 2;
      return make(Tok::Ellipsis, start, atLineStart);
    }
    return make(Tok::Dot, start, atLineStart);
  case '+':
    return make(Tok::Plus, start, atLineStart);
  case '%':
    return make(Tok::Percent, start, atLineStart);
  case '@':
    return make(Tok::At, start, atLineStart);
  case '-':
    return make(peek('>') ? Tok::Arrow : Tok::Minus, start, atLineStart);
  case '*':
    return make(peek('*') ? Tok::StarStar : Tok::Star, start, atLineStart);
  case '/':
    return make(peek('/') ? Tok::SlashSlash : Tok::Slash, start, atLineStart);
  case '=':
    return make(peek('=') ? Tok::EqEq : Tok::Assign, start, atLineStart);
  case '<':
    return make(peek('=') ? Tok::LessEq : Tok::Less, start, atLineStart);
  case '>':
    return make(peek('=') ? Tok::GreaterEq : Tok::Greater, start, atLineStart);
  case '!':
    if (peek('='))
      return make(Tok::NotEq, start, atLineStart);
    break;
  default:
    break;
  }
  // A run of non-ASCII bytes (one UTF-8 character, say) is one error.
  if (static_cast<unsigned char>(c) >= 0x80)
    while (cur != buffer.end() && static_cast<unsigned char>(*cur) >= 0x80)
      ++cur;
  Token bad = make(Tok::Error, start, atLineStart);
  if (static_cast<unsigned char>(c) >= 0x20 &&
      static_cast<unsigned char>(c) < 0x7f)
    diags.error(bad.range(),
                llvm::Twine("unexpected character '") + llvm::Twine(c) + "'");
  else
    diags.error(bad.range(),
                "unexpected byte 0x" +
                    llvm::utohexstr(static_cast<unsigned char>(c)) +
                    " (Loom sources are ASCII outside strings and comments)");
  return bad;
}

Token Lexer::lexNumber(const char *start, bool atLineStart) {
  auto digits = [&] {
    while (cur != buffer.end() &&
           (std::isdigit(static_cast<unsigned char>(*cur)) || *cur == '_'))
      ++cur;
  };
  digits();
  bool isFloat = *start == '.';
  if (cur != buffer.end() && *cur == '.' && cur + 1 != buffer.end() &&
      std::isdigit(static_cast<unsigned char>(cur[1]))) {
    ++cur;
    isFloat = true;
    digits();
  } else if (isFloat) {
    digits();
  }
  if (cur != buffer.end() && (*cur == 'e' || *cur == 'E')) {
    const char *save = cur++;
    if (cur != buffer.end() && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur != buffer.end() && std::isdigit(static_cast<unsigned char>(*cur))) {
      digits();
      isFloat = true;
    } else {
      cur = save;
    }
  }
  Token t = make(isFloat ? Tok::Float : Tok::Int, start, atLineStart);
  if (cur != buffer.end() &&
      (std::isalpha(static_cast<unsigned char>(*cur)) || *cur == '_')) {
    const char *end = cur;
    while (end != buffer.end() &&
           (std::isalnum(static_cast<unsigned char>(*end)) || *end == '_'))
      ++end;
    diags.error(
        {llvm::SMLoc::getFromPointer(start), llvm::SMLoc::getFromPointer(end)},
        "invalid number '" + llvm::StringRef(start, end - start) + "'");
    cur = end;
    return make(Tok::Error, start, atLineStart);
  }
  return t;
}

Token Lexer::lexString(const char *start, bool atLineStart) {
  // Strings name files, among others, and a NUL would cut a path short.
  const char *nul = nullptr;
  while (cur != buffer.end() && *cur != '"' && *cur != '\n') {
    if (*cur == '\\' && cur + 1 != buffer.end() && cur[1] != '\n')
      ++cur;
    if (*cur == '\0' && !nul)
      nul = cur;
    ++cur;
  }
  if (cur == buffer.end() || *cur != '"') {
    Token bad = make(Tok::Error, start, atLineStart);
    diags.error(bad.range(), "unterminated string");
    return bad;
  }
  ++cur;
  if (nul) {
    diags.error({llvm::SMLoc::getFromPointer(nul),
                 llvm::SMLoc::getFromPointer(nul + 1)},
                "a string may not hold a NUL byte");
    return make(Tok::Error, start, atLineStart);
  }
  return make(Tok::String, start, atLineStart);
}

bool mlir::loom::parseIntLiteral(llvm::StringRef text, int64_t &value) {
  uint64_t v = 0;
  for (char c : text) {
    if (c == '_')
      continue;
    uint64_t d = c - '0';
    if (v > (uint64_t(INT64_MAX) - d) / 10)
      return false;
    v = v * 10 + d;
  }
  value = static_cast<int64_t>(v);
  return true;
}

std::string mlir::loom::decodeStringLiteral(llvm::StringRef text) {
  std::string out;
  text = text.drop_front().drop_back();
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char e = text[++i];
      switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      default:
        out += e;
      }
      continue;
    }
    out += c;
  }
  return out;
}
