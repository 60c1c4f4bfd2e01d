//===- JsonObject.h - Parsing a JSON object, with a useful message -*- C++
//-*-===//
//
// Part of Loom. Plain C++17. parseJsonObject tells the two ways a text fails
// to be a JSON object apart: text that is no JSON at all ("invalid JSON at
// byte 5: ...") and valid JSON of another kind ("not a JSON object (found an
// array)"). The callers (metrics.jsonl, the recipe, the training state) put
// the file and what they were reading in front.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_JSONOBJECT_H
#define LOOM_RUNTIME_REPORT_JSONOBJECT_H

#include <nlohmann/json.hpp>

#include <string>

namespace loom::report {

/// Parses `text` into `out`. Returns "" if it is a JSON object, else why
/// not: "invalid JSON at byte N: <the parser's reason>" (N the 0-based
/// offset of the byte the parser stopped at) or "not a JSON object (found a
/// string)".
std::string parseJsonObject(const std::string &text, nlohmann::json &out);

} // namespace loom::report

#endif // LOOM_RUNTIME_REPORT_JSONOBJECT_H
