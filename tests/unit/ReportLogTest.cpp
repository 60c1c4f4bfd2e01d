//===- ReportLogTest.cpp - The metrics.jsonl writer -----------------------===//
//
// Part of Loom. Checks LogRecord's JSON (key order, integers, floats,
// non-finite numbers) and MetricsLog's files: fresh, appended, and cut back
// to a step for a resumed run (runtime/report/MetricsLog.h).
//
//===----------------------------------------------------------------------===//

#include "runtime/report/MetricsLog.h"

#include "runtime/report/JsonObject.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom;

namespace {

/// A fresh directory under gtest's temporary directory, removed at the end.
class TempDir {
public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "loom-report-log-XXXXXX";
    const char *d = mkdtemp(tmpl.data());
    EXPECT_NE(d, nullptr);
    dir = d ? d : ::testing::TempDir();
  }
  ~TempDir() {
    for (const std::string &name : names())
      std::remove(path(name).c_str());
    ::rmdir(dir.c_str());
  }
  std::string path(const std::string &name) const { return dir + "/" + name; }
  /// The names in the directory, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    if (DIR *d = ::opendir(dir.c_str())) {
      while (dirent *e = ::readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
          out.push_back(e->d_name);
      ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  std::string dir;
};

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

LogRecord train(int64_t step) {
  return LogRecord(LogRecord::Kind::Train, step, 1)
      .set("loss", 2.5)
      .set("tokens", step * 1024);
}

TEST(ReportLog, RecordJsonKeepsOrderAndTypes) {
  LogRecord r(LogRecord::Kind::Eval, 500, 2);
  r.set("loss", 2.3412f)
      .set("accuracy", 0.97)
      .set("items", size_t(4096))
      .set("note", "best \"so far\"")
      .set("accuracy", 0.5); // replaces in place
  EXPECT_EQ(r.json(), "{\"kind\":\"eval\",\"step\":500,\"epoch\":2,"
                      "\"loss\":2.3412,\"accuracy\":0.5,\"items\":4096,"
                      "\"note\":\"best \\\"so far\\\"\"}");
  // A double keeps the digits that tell it apart.
  LogRecord d(LogRecord::Kind::Train, 1, 0);
  d.set("x", static_cast<double>(2.3412f));
  EXPECT_EQ(d.json(), "{\"kind\":\"train\",\"step\":1,\"epoch\":0,"
                      "\"x\":2.341200113296509}");
}

TEST(ReportLog, NonFiniteNumbersAreNullAndNamed) {
  LogRecord r(LogRecord::Kind::Train, 7, 0);
  r.set("loss", std::numeric_limits<float>::quiet_NaN())
      .set("lr", 0.001)
      .set("grad_norm", std::numeric_limits<double>::infinity())
      .set("low", -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.json(), "{\"kind\":\"train\",\"step\":7,\"epoch\":0,"
                      "\"loss\":null,\"lr\":0.001,\"grad_norm\":null,"
                      "\"low\":null,\"nonfinite\":{\"loss\":\"nan\","
                      "\"grad_norm\":\"inf\",\"low\":\"-inf\"}}");
}

TEST(ReportLog, ReservedNamesAreRejected) {
  TempDir tmp;
  MetricsLog log;
  ASSERT_TRUE(log.open(tmp.path("metrics.jsonl")).ok());
  Status s = log.write(LogRecord(LogRecord::Kind::Train, 1, 0).set("step", 3));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), tmp.path("metrics.jsonl") +
                             ": metrics record: field name 'step' is reserved");
  s = log.write(LogRecord(LogRecord::Kind::Train, 1, 0).set("", 3));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), tmp.path("metrics.jsonl") +
                             ": metrics record: a field has an empty name");
  EXPECT_EQ(readFile(tmp.path("metrics.jsonl")), "");
}

TEST(ReportLog, WritesFlushedLines) {
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  MetricsLog log;
  EXPECT_FALSE(log.write(train(1)).ok()); // not open
  ASSERT_TRUE(log.open(path).ok());
  ASSERT_TRUE(log.write(train(1)).ok());
  // Flushed: readable before close.
  EXPECT_EQ(readFile(path), "{\"kind\":\"train\",\"step\":1,\"epoch\":1,"
                            "\"loss\":2.5,\"tokens\":1024}\n");
  ASSERT_TRUE(log.write(LogRecord(LogRecord::Kind::Summary, 2, 1)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path),
            "{\"kind\":\"train\",\"step\":1,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":1024}\n"
            "{\"kind\":\"summary\",\"step\":2,\"epoch\":1}\n");
  // Truncate starts over; Append keeps.
  ASSERT_TRUE(log.open(path, MetricsLog::Mode::Append).ok());
  ASSERT_TRUE(log.write(train(3)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path),
            "{\"kind\":\"train\",\"step\":1,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":1024}\n"
            "{\"kind\":\"summary\",\"step\":2,\"epoch\":1}\n"
            "{\"kind\":\"train\",\"step\":3,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":3072}\n");
  ASSERT_TRUE(log.open(path, MetricsLog::Mode::Truncate).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path), "");
}

TEST(ReportLog, ResumeKeepsStepsUpToN) {
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  {
    MetricsLog log;
    ASSERT_TRUE(log.open(path).ok());
    for (int64_t step = 100; step <= 500; step += 100)
      ASSERT_TRUE(log.write(train(step)).ok());
  }
  // A crash left half a line behind.
  std::string before = readFile(path);
  writeFile(path, before + "{\"kind\":\"train\",\"st");

  MetricsLog log;
  ASSERT_TRUE(log.open(path, int64_t(300)).ok());
  ASSERT_TRUE(log.write(train(400)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path),
            "{\"kind\":\"train\",\"step\":100,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":102400}\n"
            "{\"kind\":\"train\",\"step\":200,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":204800}\n"
            "{\"kind\":\"train\",\"step\":300,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":307200}\n"
            "{\"kind\":\"train\",\"step\":400,\"epoch\":1,\"loss\":2.5,"
            "\"tokens\":409600}\n");
  // The temporary file of the rewrite was renamed away.
  EXPECT_EQ(tmp.names(), std::vector<std::string>{"metrics.jsonl"});

  // A missing file resumes as an empty log.
  std::remove(path.c_str());
  ASSERT_TRUE(log.open(path, int64_t(300)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path), "");
}

TEST(ReportLog, ResumeKeepsLinesVerbatim) {
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  // Lines another writer formatted differently stay byte for byte.
  writeFile(path, "{ \"step\": 1, \"kind\": \"eval\", \"x\": 1.50 }\n"
                  "\n"
                  "{\"step\":-5}\n"
                  "{\"step\":2}\n");
  MetricsLog log;
  ASSERT_TRUE(log.open(path, int64_t(1)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path), "{ \"step\": 1, \"kind\": \"eval\", \"x\": 1.50 }\n"
                            "{\"step\":-5}\n");
}

TEST(ReportLog, ResumeRejectsABadLine) {
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  const std::string text = "{\"step\":1}\nnot json\n{\"step\":2}\n";
  writeFile(path, text);
  MetricsLog log;
  Status s = log.open(path, int64_t(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":2: invalid JSON at byte 1: syntax error "
                                "while parsing value - invalid literal; last "
                                "read: 'no'; move the file aside to start a "
                                "new log");
  EXPECT_FALSE(log.isOpen());
  EXPECT_EQ(readFile(path), text); // untouched
  writeFile(path, "{\"step\":1}\n{\"step\":\"3\"}\n");
  s = log.open(path, int64_t(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":2: record has no integer \"step\"");
  // Valid JSON of another kind says what it found.
  writeFile(path, "{\"step\":1}\n[1, 2]\n");
  s = log.open(path, int64_t(1));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":2: not a JSON object (found an array); move "
                                "the file aside to start a new log");
}

// Invalid JSON is told apart from valid JSON of the wrong kind (both were
// "not a JSON object"), with the byte where the parser stopped.
TEST(ReportLog, ParseJsonObjectSaysWhy) {
  nlohmann::json j;
  EXPECT_EQ(report::parseJsonObject("{\"a\": 1}", j), "");
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(report::parseJsonObject("{\"a\": 1,}", j),
            "invalid JSON at byte 8: syntax error while parsing object key - "
            "unexpected '}'; expected string literal");
  EXPECT_TRUE(j.is_null());
  EXPECT_EQ(report::parseJsonObject("", j),
            "invalid JSON at byte 0: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(report::parseJsonObject("{} x", j),
            "invalid JSON at byte 3: syntax error while parsing value - "
            "invalid literal; last read: '{} x'; expected end of input");
  EXPECT_EQ(report::parseJsonObject("\"w\"", j),
            "not a JSON object (found a string)");
  EXPECT_EQ(report::parseJsonObject("3.5", j),
            "not a JSON object (found a number)");
  EXPECT_EQ(report::parseJsonObject("null", j),
            "not a JSON object (found null)");
}

TEST(ReportLog, AppendCutsATornLastLine) {
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  writeFile(path, "{\"step\":1}\n{\"step\":2,\"lo");
  MetricsLog log;
  ASSERT_TRUE(log.open(path, MetricsLog::Mode::Append).ok());
  ASSERT_TRUE(log.write(LogRecord(LogRecord::Kind::Eval, 2, 0)).ok());
  ASSERT_TRUE(log.close().ok());
  EXPECT_EQ(readFile(path),
            "{\"step\":1}\n{\"kind\":\"eval\",\"step\":2,\"epoch\":0}\n");
}

TEST(ReportLog, OpenFailureIsAStatus) {
  MetricsLog log;
  Status s = log.open("/nonexistent-dir/metrics.jsonl");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "/nonexistent-dir/metrics.jsonl: cannot open for "
                         "writing: No such file or directory");
}

TEST(ReportLog, OnlyARegularFileIsOpened) {
  // A FIFO would block the open (and the resume's read) for ever; every
  // mode refuses it before it opens anything.
  TempDir tmp;
  std::string path = tmp.path("metrics.jsonl");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string want = path + ": is a FIFO; only a regular file is replaced";
  MetricsLog log;
  EXPECT_EQ(log.open(path).message(), want);
  EXPECT_EQ(log.open(path, MetricsLog::Mode::Append).message(), want);
  EXPECT_EQ(log.open(path, int64_t(3)).message(), want);
  EXPECT_FALSE(log.isOpen());
}

} // namespace
