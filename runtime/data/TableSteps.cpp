//===- TableSteps.cpp - Parsing prep steps --------------------------------===//
//
// Part of Loom. The grammar is in TablePrep.h. Every error names the place
// in the steps string where the parser stopped.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrep.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace loom;
using namespace loom::data;

namespace {

struct Token {
  enum class Kind { Name, Number, Text, Punct, End };
  Kind kind = Kind::End;
  std::string text; ///< the name, the unquoted text, the punctuation
  double number = 0;
  size_t offset = 0;
};

class StepParser {
public:
  StepParser(const std::string &s, const StepLocator &where)
      : s(s), where(where) {}

  StatusOr<std::vector<PrepStep>> parse();

private:
  const std::string &s;
  const StepLocator &where;
  size_t pos = 0;
  Token tok;

  Status error(size_t off, const std::string &msg) {
    return Status::error(where(off) + msg);
  }
  Status lex();
  Status expectPunct(const char *p, const std::string &after);
  Status parseStep(PrepStep &step);
  Status parseFill(const Token &t, Fill &fill, const std::string &stepName);
};

std::string describe(const Token &t) {
  switch (t.kind) {
  case Token::Kind::End:
    return "the end";
  case Token::Kind::Text:
    return "\"" + t.text + "\"";
  default:
    return "'" + t.text + "'";
  }
}

Status StepParser::lex() {
  while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos])))
    ++pos;
  tok = Token();
  tok.offset = pos;
  if (pos >= s.size())
    return Status();
  char c = s[pos];
  if (c == '"') {
    size_t end = s.find('"', pos + 1);
    if (end == std::string::npos)
      return error(pos, "unterminated quoted name");
    tok.kind = Token::Kind::Text;
    tok.text = s.substr(pos + 1, end - pos - 1);
    if (size_t bad = firstNonUtf8(tok.text); bad != std::string::npos)
      return error(pos + 1 + bad, "the quoted text is not UTF-8");
    // A cell of a CSV file holds no line break or other control character.
    for (size_t i = 0; i < tok.text.size(); ++i)
      if (static_cast<unsigned char>(tok.text[i]) < 0x20 && tok.text[i] != '\t')
        return error(pos + 1 + i, "the quoted text holds a control character");
    pos = end + 1;
    return Status();
  }
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
      c == '.') {
    const char *begin = s.c_str() + pos;
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(begin, &end);
    if (end != begin && errno != ERANGE && std::isfinite(v)) {
      tok.kind = Token::Kind::Number;
      tok.number = v;
      tok.text = s.substr(pos, end - begin);
      pos += end - begin;
      return Status();
    }
  }
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    size_t end = pos;
    while (end < s.size() &&
           (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_' ||
            s[end] == '.' || s[end] == '-'))
      ++end;
    tok.kind = Token::Kind::Name;
    tok.text = s.substr(pos, end - pos);
    pos = end;
    return Status();
  }
  if (c == '(' || c == ')' || c == ',' || c == '=' || c == '>') {
    tok.kind = Token::Kind::Punct;
    tok.text = std::string(1, c);
    ++pos;
    return Status();
  }
  return error(pos, std::string("unexpected character '") + c + "'");
}

Status StepParser::expectPunct(const char *p, const std::string &after) {
  if (tok.kind != Token::Kind::Punct || tok.text != p)
    return error(tok.offset, "expected '" + std::string(p) + "' " + after +
                                 ", found " + describe(tok));
  return lex();
}

Status StepParser::parseFill(const Token &t, Fill &fill,
                             const std::string &stepName) {
  if (t.kind == Token::Kind::Number) {
    fill.how = Fill::How::Number;
    fill.number = t.number;
    return Status();
  }
  if (t.kind == Token::Kind::Text) {
    fill.how = Fill::How::Text;
    fill.text = t.text;
    return Status();
  }
  if (t.kind == Token::Kind::Name) {
    if (t.text == "mean")
      fill.how = Fill::How::Mean;
    else if (t.text == "median")
      fill.how = Fill::How::Median;
    else if (t.text == "mode")
      fill.how = Fill::How::Mode;
    else if (t.text == "drop")
      fill.how = Fill::How::Drop;
    else
      return error(t.offset, stepName + ": '" + t.text +
                                 "' is not mean, median, mode, drop, a "
                                 "number or a quoted \"text\"");
    return Status();
  }
  return error(t.offset, stepName +
                             ": expected mean, median, mode, drop, a "
                             "number or a quoted \"text\", found " +
                             describe(t));
}

Status StepParser::parseStep(PrepStep &step) {
  if (tok.kind != Token::Kind::Name)
    return error(tok.offset, "expected a prep step, found " + describe(tok));
  std::string name = tok.text;
  step.offset = tok.offset;
  static const std::pair<const char *, PrepStep::Kind> kinds[] = {
      {"dedup", PrepStep::Kind::Dedup},
      {"impute", PrepStep::Kind::Impute},
      {"outliers", PrepStep::Kind::Outliers},
      {"standardize", PrepStep::Kind::Standardize},
      {"minmax", PrepStep::Kind::MinMax},
      {"onehot", PrepStep::Kind::OneHot}};
  bool known = false;
  for (const auto &k : kinds)
    if (name == k.first) {
      step.kind = k.second;
      known = true;
    }
  if (!known)
    return error(tok.offset, "unknown prep step '" + name +
                                 "'; the steps are dedup, impute, outliers, "
                                 "standardize, minmax and onehot");
  if (Status st = lex(); !st)
    return st;
  // The arguments: [NAME ('=' | '>')] VALUE, comma-separated.
  struct Arg {
    Token key, value;
    std::string op;
  };
  std::vector<Arg> args;
  size_t close = step.offset + name.size();
  if (tok.kind == Token::Kind::Punct && tok.text == "(") {
    if (Status st = lex(); !st)
      return st;
    while (true) {
      Arg a;
      if (tok.kind == Token::Kind::Punct || tok.kind == Token::Kind::End)
        return error(tok.offset, "expected an argument of " + name +
                                     ", found " + describe(tok));
      a.value = tok;
      if (Status st = lex(); !st)
        return st;
      if (tok.kind == Token::Kind::Punct &&
          (tok.text == "=" || tok.text == ">")) {
        a.op = tok.text;
        a.key = a.value;
        if (Status st = lex(); !st)
          return st;
        if (tok.kind == Token::Kind::Punct || tok.kind == Token::Kind::End)
          return error(tok.offset, "expected a value after '" + a.op +
                                       "', found " + describe(tok));
        a.value = tok;
        if (Status st = lex(); !st)
          return st;
      }
      args.push_back(a);
      if (tok.kind == Token::Kind::Punct && tok.text == ",") {
        if (Status st = lex(); !st)
          return st;
        continue;
      }
      close = tok.offset + 1;
      if (Status st = expectPunct(")", "after the arguments of " + name); !st)
        return st;
      break;
    }
  }
  step.text = s.substr(step.offset, close - step.offset);
  auto columnName = [](const Token &t) {
    return t.kind == Token::Kind::Name || t.kind == Token::Kind::Text;
  };

  switch (step.kind) {
  case PrepStep::Kind::Dedup:
    for (size_t i = 0; i < args.size(); ++i) {
      const Arg &a = args[i];
      bool ok = i == 0 ? a.op == "=" && a.key.kind == Token::Kind::Name &&
                             a.key.text == "key"
                       : a.op.empty();
      if (!ok || !columnName(a.value))
        return error(i == 0 && !a.op.empty() ? a.key.offset : a.value.offset,
                     "dedup takes 'key = COLUMN, ...' (the columns that make "
                     "two rows the same)");
      step.columns.push_back(a.value.text);
      step.columnOffsets.push_back(a.value.offset);
    }
    break;
  case PrepStep::Kind::Impute:
    if (args.empty())
      return error(step.offset, "impute needs a fill: impute(median), "
                                "impute(COLUMN = mean, ...)");
    for (const Arg &a : args) {
      if (a.op == ">")
        return error(a.key.offset, "impute: expected 'COLUMN = FILL' or a "
                                   "fill, found '>'");
      Fill fill;
      if (Status st = parseFill(a.value, fill, "impute"); !st)
        return st;
      if (a.op.empty()) {
        if (step.hasDefault)
          return error(a.value.offset,
                       "impute: a second fill for every other column");
        step.hasDefault = true;
        step.defaultFill = fill;
        continue;
      }
      if (!columnName(a.key))
        return error(a.key.offset, "impute: expected a column name before "
                                   "'=', found " +
                                       describe(a.key));
      step.columns.push_back(a.key.text);
      step.columnOffsets.push_back(a.key.offset);
      step.fills.push_back(fill);
    }
    break;
  case PrepStep::Kind::Outliers: {
    if (args.size() != 2 || args[0].op != ">" ||
        args[0].key.kind != Token::Kind::Name ||
        (args[0].key.text != "zscore" && args[0].key.text != "mahalanobis"))
      return error(args.empty() ? step.offset
                                : (args[0].op.empty() ? args[0].value.offset
                                                      : args[0].key.offset),
                   "outliers takes '(zscore > T, ACTION)' or '(mahalanobis > "
                   "T, ACTION)', ACTION one of drop, clip, flag");
    step.mahalanobis = args[0].key.text == "mahalanobis";
    const Token &t = args[0].value;
    if (t.kind != Token::Kind::Number || !(t.number > 0))
      return error(t.offset, "outliers: the threshold must be a positive "
                             "number, not " +
                                 describe(t));
    step.threshold = t.number;
    const Arg &act = args[1];
    if (!act.op.empty() || act.value.kind != Token::Kind::Name ||
        (act.value.text != "drop" && act.value.text != "clip" &&
         act.value.text != "flag"))
      return error(act.op.empty() ? act.value.offset : act.key.offset,
                   "outliers: the action is drop, clip or flag, not " +
                       describe(act.op.empty() ? act.value : act.key));
    step.action = act.value.text == "drop"   ? PrepStep::Action::Drop
                  : act.value.text == "clip" ? PrepStep::Action::Clip
                                             : PrepStep::Action::Flag;
    break;
  }
  case PrepStep::Kind::Standardize:
  case PrepStep::Kind::MinMax:
    if (!args.empty())
      return error(args[0].op.empty() ? args[0].value.offset
                                      : args[0].key.offset,
                   name + " takes no arguments");
    break;
  case PrepStep::Kind::OneHot:
    for (const Arg &a : args) {
      if (a.op != "=" || a.key.text != "max" ||
          a.value.kind != Token::Kind::Number || a.value.number < 1 ||
          a.value.number != std::floor(a.value.number) ||
          a.value.number > 100000)
        return error(a.op.empty() ? a.value.offset : a.key.offset,
                     "onehot takes 'max = N', the most categories a column "
                     "may have (1 to 100000)");
      step.maxCategories = static_cast<int64_t>(a.value.number);
    }
    break;
  }
  return Status();
}

StatusOr<std::vector<PrepStep>> StepParser::parse() {
  std::vector<PrepStep> steps;
  if (Status st = lex(); !st)
    return st;
  if (tok.kind == Token::Kind::End)
    return error(0, "no prep steps");
  while (true) {
    PrepStep step;
    if (Status st = parseStep(step); !st)
      return st;
    steps.push_back(step);
    if (tok.kind == Token::Kind::End)
      return steps;
    if (Status st = expectPunct(",", "between prep steps"); !st)
      return st;
  }
}

} // namespace

StatusOr<std::vector<PrepStep>>
loom::data::parsePrepSteps(const std::string &text, const StepLocator &where) {
  return StepParser(text, where).parse();
}
