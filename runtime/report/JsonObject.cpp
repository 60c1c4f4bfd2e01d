//===- JsonObject.cpp - Parsing a JSON object, with a useful message ------===//
//
// Part of Loom. This file implements parseJsonObject: nlohmann-json's DOM
// parser, run through its SAX interface so that a syntax error reports its
// byte offset and reason without exceptions.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/JsonObject.h"

using nlohmann::json;

namespace {

/// The DOM builder, keeping the first syntax error instead of throwing.
struct Builder : nlohmann::detail::json_sax_dom_parser<json> {
  Builder(json &out)
      : nlohmann::detail::json_sax_dom_parser<json>(
            out, /*allow_exceptions_=*/false) {}
  // Hides the base's: sax_parse calls it on this type.
  bool parse_error(std::size_t position, const std::string & /*lastToken*/,
                   const nlohmann::detail::exception &ex) {
    at = position ? position - 1 : 0; // the 1-based count of bytes read
    // "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error while parsing value - invalid literal; last read: 'x'"
    std::string what = ex.what();
    size_t colon = what.find(": ");
    reason = colon == std::string::npos ? what : what.substr(colon + 2);
    return false;
  }
  size_t at = 0; ///< the offset of the byte the parser stopped at
  std::string reason;
};

const char *kindOf(const json &j) {
  switch (j.type()) {
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  case json::value_t::boolean:
    return "a bool";
  case json::value_t::null:
    return "null";
  default:
    return "a number";
  }
}

} // namespace

std::string loom::report::parseJsonObject(const std::string &text, json &out) {
  out = json();
  Builder builder(out);
  if (!json::sax_parse(text, &builder) || !builder.reason.empty()) {
    out = json();
    return "invalid JSON at byte " + std::to_string(builder.at) + ": " +
           (builder.reason.empty() ? "unreadable" : builder.reason);
  }
  if (!out.is_object())
    return std::string("not a JSON object (found ") + kindOf(out) + ")";
  return "";
}
