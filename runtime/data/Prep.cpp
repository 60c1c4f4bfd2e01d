//===- Prep.cpp - Token files from text -----------------------------------===//
//
// Part of Loom. See Prep.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Prep.h"
#include "runtime/File.h"
#include "runtime/data/Bpe.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;
using namespace loom::data;

namespace {

/// Appends the text file `path` to `text`, which may not grow past
/// kMaxPrepBytes.
Status readAll(const std::string &path, std::string &text) {
  StatusOr<std::string> bytes = readInputFile(path, "text file", kMaxPrepBytes);
  if (!bytes)
    return bytes.status();
  if (text.size() + bytes->size() > kMaxPrepBytes)
    return Status::error(path + ": with the files before it, the text has " +
                         std::to_string(text.size() + bytes->size()) +
                         " bytes, more than the " +
                         std::to_string(kMaxPrepBytes) + " (" +
                         sizeText(kMaxPrepBytes) + ") loom prep reads");
  text += *bytes;
  return Status();
}

} // namespace

StatusOr<std::string>
loom::data::readTextInputs(const std::vector<std::string> &inputs,
                           PrepReport &report) {
  if (inputs.empty())
    return Status::error("no input files");
  std::string text;
  for (const std::string &in : inputs) {
    struct stat st;
    if (stat(in.c_str(), &st) != 0)
      return Status::error(in + ": cannot access: " + std::strerror(errno));
    if (S_ISREG(st.st_mode)) {
      size_t before = text.size();
      if (Status s = readAll(in, text); !s)
        return s;
      if (std::memchr(text.data() + before, 0, text.size() - before))
        return Status::error(
            in +
            ": not a text file (it holds a NUL byte at "
            "offset " +
            std::to_string(std::find(text.begin() + before, text.end(), '\0') -
                           text.begin() - before) +
            ")");
      report.files.push_back(in);
      continue;
    }
    if (!S_ISDIR(st.st_mode))
      return Status::error(in + ": not a file or a directory");
    DIR *d = opendir(in.c_str());
    if (!d)
      return Status::error(in + ": cannot list: " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent *e = readdir(d))
      names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string &name : names) {
      std::string path = in + "/" + name;
      struct stat ls;
      if (name[0] == '.' || lstat(path.c_str(), &ls) != 0 ||
          !S_ISREG(ls.st_mode))
        continue;
      size_t before = text.size();
      if (Status s = readAll(path, text); !s)
        return s;
      if (std::memchr(text.data() + before, 0, text.size() - before)) {
        text.resize(before);
        report.skipped.push_back(path);
        continue;
      }
      report.files.push_back(path);
    }
  }
  if (text.empty())
    return Status::error("the inputs hold no text");
  report.bytes = text.size();
  return text;
}

StatusOr<PrepReport>
loom::data::prepTokens(const std::vector<std::string> &inputs,
                       const std::string &output, const std::string &dtype,
                       const BpeTokenizer *bpe) {
  if (dtype != "u16" && dtype != "u32")
    return Status::error("token dtype '" + dtype +
                         "' is not supported; use \"u16\" or \"u32\"");
  if (bpe && dtype == "u16" && bpe->vocabSize() > 65536)
    return Status::error("the tokenizer has " +
                         std::to_string(bpe->vocabSize()) +
                         " tokens, more than u16 holds; use --dtype u32");
  // Before reading the inputs: `-o /dev/full` fails at once.
  if (Status s = checkReplaceable(output); !s)
    return s;
  PrepReport report;
  StatusOr<std::string> text = readTextInputs(inputs, report);
  if (!text)
    return text.status();
  size_t width = dtype == "u16" ? 2 : 4;
  std::vector<uint8_t> bytes;
  auto put = [&](size_t i, uint32_t id) { // little-endian
    for (size_t b = 0; b < width; ++b)
      bytes[i * width + b] = static_cast<uint8_t>(id >> (8 * b));
  };
  if (bpe) {
    std::vector<int32_t> ids;
    bpe->encode(*text, ids);
    *text = std::string();
    bytes.assign(ids.size() * width, 0);
    for (size_t i = 0; i < ids.size(); ++i)
      put(i, uint32_t(ids[i]));
    report.tokens = ids.size();
  } else {
    bytes.assign(text->size() * width, 0);
    for (size_t i = 0; i < text->size(); ++i)
      put(i, static_cast<unsigned char>((*text)[i]));
    report.tokens = text->size();
  }

  if (Status s = writeFileAtomically(output, {{bytes.data(), bytes.size()}});
      !s)
    return s;
  return report;
}
