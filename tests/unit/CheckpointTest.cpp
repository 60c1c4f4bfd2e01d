//===- CheckpointTest.cpp - safetensors files and checkpoint directories --===//
//
// Part of Loom. Checks the byte layout against the safetensors package's
// own examples, the round trip of every dtype (empty tensors and scalars
// too) and of metadata, the atomic write (a failed write leaves the old file
// and no temporary file), checkpoint names, `latest`, pruning to the newest
// K, the removal of killed writers' temporary files, every error of
// resolveCheckpoint, and a writer SIGKILLed at random moments: after each
// kill `latest` names a whole checkpoint of the last step saved or the one
// being saved. CheckpointRejectTest.cpp has the loader's rejections.
//
//===----------------------------------------------------------------------===//

#include "runtime/checkpoint/Checkpoint.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace loom;
namespace fs = std::filesystem;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// A new, empty directory, removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "loom-checkpoint-test-XXXXXX";
    const char *d = ::mkdtemp(tmpl.data());
    EXPECT_NE(d, nullptr);
    path = d ? d : ::testing::TempDir();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

std::set<std::string> listDir(const std::string &dir) {
  std::set<std::string> names;
  for (const fs::directory_entry &e : fs::directory_iterator(dir))
    names.insert(e.path().filename().string());
  return names;
}

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeText(const std::string &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// A tensor's bytes, kept alive with its view.
struct Owned {
  TensorView view;
  std::vector<uint8_t> bytes;
};

Owned tensor(std::string name, DType dtype, std::vector<int64_t> shape,
             uint8_t seed) {
  Owned t;
  uint64_t n = dtypeSize(dtype);
  for (int64_t d : shape)
    n *= uint64_t(d);
  t.bytes.resize(n);
  for (uint64_t i = 0; i < n; ++i)
    t.bytes[i] = uint8_t(seed + i * 37);
  if (dtype == DType::I1)
    for (uint8_t &b : t.bytes)
      b &= 1;
  t.view = {std::move(name), dtype, std::move(shape), nullptr, n};
  return t;
}

std::vector<TensorView> views(std::vector<Owned> &ts) {
  std::vector<TensorView> v;
  for (Owned &t : ts) {
    t.view.data = t.bytes.empty() ? nullptr : t.bytes.data();
    v.push_back(t.view);
  }
  return v;
}

/// The file's bytes as a string, to compare with a hand-written one.
std::string encodeToString(const std::vector<TensorView> &t,
                           const std::map<std::string, std::string> &m) {
  StatusOr<std::vector<uint8_t>> f = encodeSafetensors(t, m, "t");
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? std::string(f->begin(), f->end()) : "";
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[i] = char(n >> (8 * i));
  return s;
}

//===----------------------------------------------------------------------===//
// Layout and round trips
//===----------------------------------------------------------------------===//

TEST(Checkpoint, LayoutMatchesTheSafetensorsExamples) {
  // The examples of the safetensors package's own tests: one F32 tensor
  // (whose header needs no padding), no tensors, metadata only.
  float x[6] = {0, 1, 2, 3, 4, 5};
  std::string header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],"
                       "\"data_offsets\":[0,24]}}";
  ASSERT_EQ(header.size(), 64u);
  EXPECT_EQ(encodeToString({{"attn.0", DType::F32, {1, 2, 3}, x, 24}}, {}),
            le64(64) + header + std::string((const char *)x, 24));
  EXPECT_EQ(encodeToString({}, {}), le64(8) + "{}      ");
  EXPECT_EQ(encodeToString({}, {{"framework", "pt"}}),
            le64(40) + "{\"__metadata__\":{\"framework\":\"pt\"}}     ");
}

TEST(Checkpoint, DtypeNames) {
  std::vector<std::pair<DType, std::string>> names = {
      {DType::F32, "F32"},   {DType::F64, "F64"}, {DType::F16, "F16"},
      {DType::BF16, "BF16"}, {DType::I32, "I32"}, {DType::I64, "I64"},
      {DType::I1, "BOOL"}};
  for (auto &[t, s] : names) {
    EXPECT_EQ(safetensorsDtypeName(t), s);
    DType back = DType(0);
    EXPECT_TRUE(parseSafetensorsDtype(s, back));
    EXPECT_EQ(back, t);
  }
  DType t;
  EXPECT_FALSE(parseSafetensorsDtype("U8", t));
  EXPECT_FALSE(parseSafetensorsDtype("bool", t));
}

TEST(Checkpoint, RoundTripOfEveryDtypeShapeAndMetadata) {
  std::vector<Owned> ts;
  uint8_t seed = 1;
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32,
                  DType::I64, DType::I1}) {
    std::string n = safetensorsDtypeName(t);
    ts.push_back(tensor(n + ".matrix", t, {3, 5}, seed++));
    ts.push_back(tensor(n + ".scalar", t, {}, seed++));
    ts.push_back(tensor(n + ".empty", t, {0}, seed++));
    ts.push_back(tensor(n + ".empty2", t, {4, 0, 2}, seed++));
    ts.push_back(tensor(n + ".rank8", t, {1, 2, 1, 2, 1, 2, 1, 3}, seed++));
  }
  // Names and metadata that need escaping in JSON.
  ts.push_back(tensor("quote\" back\\ nl\n tab\t nul", DType::F32, {2}, 9));
  ts.push_back(tensor("\xce\xbb.w \xf0\x9f\x98\x80", DType::F32, {1}, 8));
  std::vector<TensorView> v = views(ts);
  std::map<std::string, std::string> meta = {
      {"loom.step", "500"},
      {"", "empty key"},
      {"empty value", ""},
      {"json", "{\"a\": [1, 2]}\r\n\x01\x1f\x7f"},
      {"\xe2\x82\xac", "\xf0\x9f\x98\x80"}};
  StatusOr<std::vector<uint8_t>> f = encodeSafetensors(v, meta, "t");
  ASSERT_TRUE(f.ok()) << f.status().message();
  // The data section starts 8-byte aligned.
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t((*f)[i]) << (8 * i);
  EXPECT_EQ(n % 8, 0u);

  StatusOr<Safetensors> st = decodeSafetensors(f->data(), f->size(), "t");
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->metadata(), meta);
  ASSERT_EQ(st->tensors().size(), ts.size());
  uint64_t offset = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const SafetensorsEntry &e = st->tensors()[i];
    const TensorView &w = ts[i].view;
    EXPECT_EQ(e.name, w.name);
    EXPECT_EQ(e.dtype, w.dtype) << w.name;
    EXPECT_EQ(e.shape, w.shape) << w.name;
    EXPECT_EQ(e.offset, offset) << w.name;
    EXPECT_EQ(e.size, w.size) << w.name;
    EXPECT_EQ(std::vector<uint8_t>(st->data(e), st->data(e) + e.size),
              ts[i].bytes)
        << w.name;
    EXPECT_EQ(st->find(w.name), &e);
    offset += e.size;
  }
  EXPECT_EQ(st->dataSize(), offset);
  EXPECT_EQ(st->find("missing"), nullptr);

  // Writing what was read gives the same bytes.
  StatusOr<std::vector<uint8_t>> again =
      encodeSafetensors(st->views(), st->metadata(), "t");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *f);
}

TEST(Checkpoint, WriteAndReadAFile) {
  TempDir dir;
  std::string path = dir.path + "/model.safetensors";
  std::vector<Owned> ts = {tensor("w", DType::BF16, {4, 4}, 3),
                           tensor("b", DType::F32, {4}, 4)};
  ASSERT_TRUE(writeSafetensors(path, views(ts), {{"k", "v"}}).ok());
  // Overwriting replaces the file.
  ts[0] = tensor("w", DType::BF16, {4, 4}, 5);
  ASSERT_TRUE(writeSafetensors(path, views(ts), {{"k", "v2"}}).ok());
  StatusOr<Safetensors> st = readSafetensors(path);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->metadata().at("k"), "v2");
  const SafetensorsEntry *w = st->find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(st->data(*w), st->data(*w) + w->size),
            ts[0].bytes);
  EXPECT_EQ(listDir(dir.path), std::set<std::string>{"model.safetensors"});

  EXPECT_EQ(readSafetensors(dir.path + "/none.safetensors").status().message(),
            dir.path + "/none.safetensors: cannot open: No such file or "
                       "directory");
  EXPECT_EQ(readSafetensors(dir.path).status().message(),
            dir.path + ": not a regular file");
  writeText(dir.path + "/short.safetensors", "{}");
  EXPECT_EQ(readSafetensors(dir.path + "/short.safetensors").status().message(),
            dir.path + "/short.safetensors: truncated: the header length "
                       "needs 8 bytes but the file has 2");
}

//===----------------------------------------------------------------------===//
// Atomic write
//===----------------------------------------------------------------------===//

TEST(Checkpoint, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  std::string path = dir.path + "/model.safetensors";
  std::vector<Owned> ts = {tensor("w", DType::F32, {1024}, 1)};
  ASSERT_TRUE(writeSafetensors(path, views(ts), {}).ok());
  std::string before = readText(path);

  // The second tensor's bytes cannot be read: write() fails with EFAULT
  // after the temporary file has the header and the first tensor.
  long page = ::sysconf(_SC_PAGESIZE);
  void *none =
      ::mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(none, MAP_FAILED);
  std::vector<TensorView> v = views(ts);
  v.push_back({"unreadable", DType::I32, {4}, none, 16});
  Status s = writeSafetensors(path, v, {});
  ::munmap(none, page);
  ASSERT_FALSE(s.ok());
  std::string want =
      path + ": cannot write '" + dir.path + "/.model." + "safetensors.tmp.";
  EXPECT_EQ(s.message().substr(0, want.size()), want) << s.message();
  EXPECT_NE(s.message().find("': Bad address"), std::string::npos);
  EXPECT_EQ(readText(path), before);
  EXPECT_EQ(listDir(dir.path), std::set<std::string>{"model.safetensors"});

  // A directory is never replaced, and nothing is left behind.
  std::string sub = dir.path + "/sub.safetensors";
  ASSERT_EQ(::mkdir(sub.c_str(), 0777), 0);
  writeText(sub + "/keep", "x");
  s = writeSafetensors(sub, views(ts), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            sub + ": is a directory; only a regular file is replaced");
  EXPECT_EQ(listDir(dir.path),
            (std::set<std::string>{"model.safetensors", "sub.safetensors"}));
  EXPECT_EQ(readText(sub + "/keep"), "x");

  // A tensor the writer rejects writes nothing at all.
  v = views(ts);
  v[0].size = 3;
  s = writeSafetensors(path, v, {});
  EXPECT_EQ(s.message(), path + ": tensor 'w': shape [1024] of F32 needs "
                                "4096 bytes but 3 are given");
  EXPECT_EQ(readText(path), before);

  // A directory that does not exist.
  s = writeSafetensors(dir.path + "/no/such.safetensors", views(ts), {});
  EXPECT_EQ(s.message().substr(0, dir.path.size() + 54),
            dir.path + "/no/such.safetensors: cannot create the temporary "
                       "file");
}

//===----------------------------------------------------------------------===//
// Checkpoint directories
//===----------------------------------------------------------------------===//

TEST(Checkpoint, FileNames) {
  EXPECT_EQ(checkpointFileName(500), "ckpt-00000500.safetensors");
  EXPECT_EQ(checkpointFileName(0), "ckpt-00000000.safetensors");
  EXPECT_EQ(checkpointFileName(123456789), "ckpt-123456789.safetensors");
  EXPECT_EQ(checkpointFileName(UINT64_MAX),
            "ckpt-18446744073709551615.safetensors");
  for (uint64_t step : {uint64_t(0), uint64_t(500), uint64_t(123456789),
                        uint64_t(UINT64_MAX)}) {
    uint64_t back = 1;
    EXPECT_TRUE(parseCheckpointFileName(checkpointFileName(step), back));
    EXPECT_EQ(back, step);
  }
  uint64_t s;
  for (const char *bad :
       {"ckpt-0000500.safetensors", "ckpt-00000500.safetensors.tmp",
        "ckpt-0000050a.safetensors", "ckpt-00000500.safetensor",
        "ckpt--0000500.safetensors", "xckpt-00000500.safetensors",
        "ckpt-18446744073709551616.safetensors",
        "ckpt-000000000000000000000.safetensors", "latest", ""})
    EXPECT_FALSE(parseCheckpointFileName(bad, s)) << bad;
}

TEST(Checkpoint, SaveWritesTheFileAndLatest) {
  TempDir tmp;
  std::string dir = tmp.path + "/run/ckpts/";
  std::vector<Owned> ts = {tensor("w", DType::F32, {8}, 1),
                           tensor("w.m", DType::F32, {8}, 2)};
  StatusOr<std::string> p =
      saveCheckpoint(dir, 500, views(ts), {{"artifact", "abc"}}, 0);
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::string d = tmp.path + "/run/ckpts";
  EXPECT_EQ(*p, d + "/ckpt-00000500.safetensors");
  EXPECT_EQ(readText(d + "/latest"), "ckpt-00000500.safetensors\n");
  EXPECT_EQ(listDir(d),
            (std::set<std::string>{"ckpt-00000500.safetensors", "latest"}));
  StatusOr<Safetensors> st = readSafetensors(*p);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->metadata(), (std::map<std::string, std::string>{
                                {"artifact", "abc"}, {"loom.step", "500"}}));
  EXPECT_EQ(st->tensors().size(), 2u);

  StatusOr<std::string> r = resolveCheckpoint(dir);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, *p);
  r = resolveCheckpoint(*p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, *p);

  // An error names the directory.
  writeText(tmp.path + "/file", "x");
  p = saveCheckpoint(tmp.path + "/file", 1, views(ts), {}, 0);
  EXPECT_EQ(p.status().message(), tmp.path + "/file: not a directory");
}

std::set<std::string> checkpointsIn(const std::string &dir) {
  std::set<std::string> out;
  uint64_t s;
  for (const std::string &n : listDir(dir))
    if (parseCheckpointFileName(n, s))
      out.insert(n);
  return out;
}

TEST(Checkpoint, KeepPrunesAllButTheNewestK) {
  TempDir tmp;
  std::vector<Owned> ts = {tensor("w", DType::F32, {4}, 1)};
  for (uint64_t step = 1; step <= 6; ++step)
    ASSERT_TRUE(saveCheckpoint(tmp.path, step * 100, views(ts), {}, 2).ok());
  EXPECT_EQ(checkpointsIn(tmp.path),
            (std::set<std::string>{"ckpt-00000500.safetensors",
                                   "ckpt-00000600.safetensors"}));
  // An older step saved again (a resumed run) is kept as well, and latest.
  ASSERT_TRUE(saveCheckpoint(tmp.path, 300, views(ts), {}, 2).ok());
  EXPECT_EQ(checkpointsIn(tmp.path),
            (std::set<std::string>{"ckpt-00000300.safetensors",
                                   "ckpt-00000500.safetensors",
                                   "ckpt-00000600.safetensors"}));
  EXPECT_EQ(readText(tmp.path + "/latest"), "ckpt-00000300.safetensors\n");
  // keep = 1 by step order; keep = 0 keeps everything.
  ASSERT_TRUE(saveCheckpoint(tmp.path, 700, views(ts), {}, 1).ok());
  EXPECT_EQ(checkpointsIn(tmp.path),
            std::set<std::string>{"ckpt-00000700.safetensors"});
  for (uint64_t step = 800; step <= 1000; step += 100)
    ASSERT_TRUE(saveCheckpoint(tmp.path, step, views(ts), {}, 0).ok());
  EXPECT_EQ(checkpointsIn(tmp.path).size(), 4u);
}

TEST(Checkpoint, SaveRemovesTheTemporaryFilesOfKilledWriters) {
  TempDir tmp;
  pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0)
    ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  std::string d = std::to_string(dead), me = std::to_string(::getpid()),
              alive = std::to_string(::getppid());
  std::vector<std::string> stale = {
      ".ckpt-00000001.safetensors.tmp." + d + ".0", ".latest.tmp." + d + ".7"};
  std::vector<std::string> kept = {
      ".ckpt-00000002.safetensors.tmp." + me + ".0", // this process's
      ".latest.tmp." + alive + ".3",                 // a live process's
      ".notes.txt.tmp." + d + ".0",                  // not a checkpoint's
      ".latest.tmp." + d + ".x",
      "notes.txt",
      "ckpt-00000001.safetensors.bak"};
  for (const std::string &n : stale)
    writeText(tmp.path + "/" + n, "partial");
  for (const std::string &n : kept)
    writeText(tmp.path + "/" + n, "x");
  std::vector<Owned> ts = {tensor("w", DType::F32, {4}, 1)};
  ASSERT_TRUE(saveCheckpoint(tmp.path, 3, views(ts), {}, 1).ok());
  std::set<std::string> want(kept.begin(), kept.end());
  want.insert("ckpt-00000003.safetensors");
  want.insert("latest");
  EXPECT_EQ(listDir(tmp.path), want);
}

//===----------------------------------------------------------------------===//
// resolveCheckpoint
//===----------------------------------------------------------------------===//

TEST(Checkpoint, ResolveRejectsWhatIsNoCheckpoint) {
  TempDir tmp;
  std::string d = tmp.path, latest = d + "/latest";
  auto resolveError = [&](const std::string &p) {
    StatusOr<std::string> r = resolveCheckpoint(p);
    return r.ok() ? "resolved to " + *r : r.status().message();
  };
  EXPECT_EQ(resolveError(d + "/none"),
            d + "/none: cannot access: No such file or directory");
  EXPECT_EQ(resolveError("/dev/null"), "/dev/null: not a file or a directory");
  EXPECT_EQ(resolveError(d),
            d + ": no checkpoint: the directory has no 'latest' file");

  auto withLatest = [&](const std::string &text) {
    writeText(latest, text);
    return resolveError(d);
  };
  EXPECT_EQ(withLatest(""), latest + ": malformed: expected a checkpoint file "
                                     "name and a newline, found ''");
  EXPECT_EQ(withLatest("\n"), latest +
                                  ": malformed: expected a checkpoint "
                                  "file name and a newline, found '\\x0a'");
  EXPECT_EQ(withLatest("ckpt-00000001.safetensors"),
            latest + ": malformed: expected a checkpoint file name and a "
                     "newline, found 'ckpt-00000001.safetensors'");
  EXPECT_EQ(
      withLatest("ckpt-00000001.safetensors\nckpt-00000002.safetensors\n"),
      latest + ": malformed: expected a checkpoint file name and a "
               "newline, found 'ckpt-00000001.safetensors\\x0a"
               "ckpt-00000002.safetensors\\x0a'");
  EXPECT_EQ(withLatest(std::string(300, 'x')),
            latest + ": too long (more than 256 bytes; expected a checkpoint "
                     "file name and a newline)");
  EXPECT_EQ(withLatest("../other/ckpt-00000001.safetensors\n"),
            latest +
                ": names '../other/ckpt-00000001.safetensors', a path "
                "(expected a file name in " +
                d + ")");
  EXPECT_EQ(withLatest("/etc/passwd\n"),
            latest +
                ": names '/etc/passwd', a path (expected a file name "
                "in " +
                d + ")");
  EXPECT_EQ(withLatest("model.bin\n"),
            latest + ": names 'model.bin', not a checkpoint file name "
                     "(expected ckpt-<step>.safetensors)");
  EXPECT_EQ(withLatest("ckpt-00000001.safetensors \n"),
            latest + ": names 'ckpt-00000001.safetensors ', not a "
                     "checkpoint file name (expected ckpt-<step>.safetensors)");
  EXPECT_EQ(withLatest("ckpt-00000001.safetensors\n"),
            latest + ": names 'ckpt-00000001.safetensors', which does not "
                     "exist");
  ASSERT_EQ(::mkdir((d + "/ckpt-00000001.safetensors").c_str(), 0777), 0);
  EXPECT_EQ(withLatest("ckpt-00000001.safetensors\n"),
            latest + ": names 'ckpt-00000001.safetensors', which is not a "
                     "regular file");
  writeText(d + "/ckpt-00000002.safetensors", "x");
  EXPECT_EQ(withLatest("ckpt-00000002.safetensors\n"),
            "resolved to " + d + "/ckpt-00000002.safetensors");
  EXPECT_EQ(resolveError(d + "/"),
            "resolved to " + d + "/ckpt-00000002.safetensors");
}

//===----------------------------------------------------------------------===//
// A writer killed at random moments
//===----------------------------------------------------------------------===//

constexpr uint64_t kCrashSteps = 50;
constexpr unsigned kCrashKeep = 3;

/// A few MB of state whose every element is `step`.
struct CrashState {
  std::vector<float> w, m;
  std::vector<uint16_t> emb; // bf16
  std::vector<int64_t> count;
  std::vector<uint8_t> mask;

  CrashState()
      : w(256 * 1024), m(256 * 1024), emb(512 * 512), count(1), mask(999) {}
  void fill(uint64_t step) {
    std::fill(w.begin(), w.end(), float(step));
    std::fill(m.begin(), m.end(), -float(step));
    std::fill(emb.begin(), emb.end(), uint16_t(step));
    count[0] = int64_t(step);
    std::fill(mask.begin(), mask.end(), uint8_t(step & 1));
  }
  std::vector<TensorView> views() const {
    return {{"w", DType::F32, {256, 1024}, w.data(), w.size() * 4},
            {"w.m", DType::F32, {256, 1024}, m.data(), m.size() * 4},
            {"emb", DType::BF16, {512, 512}, emb.data(), emb.size() * 2},
            {"count", DType::I64, {}, count.data(), 8},
            {"mask", DType::I1, {999}, mask.data(), mask.size()}};
  }
};

/// The step of the checkpoint `dir` resolves to, after checking that it
/// loads and that each of its tensors holds the step it names.
uint64_t checkLatest(const std::string &dir) {
  StatusOr<std::string> path = resolveCheckpoint(dir);
  EXPECT_TRUE(path.ok()) << path.status().message();
  if (!path.ok())
    return 0;
  StatusOr<Safetensors> st = readSafetensors(*path);
  EXPECT_TRUE(st.ok()) << st.status().message();
  if (!st.ok())
    return 0;
  uint64_t step = std::stoull(st->metadata().at("loom.step"));
  EXPECT_EQ(*path, dir + "/" + checkpointFileName(step));
  CrashState want;
  want.fill(step);
  std::vector<TensorView> v = want.views();
  EXPECT_EQ(st->tensors().size(), v.size());
  for (const TensorView &t : v) {
    const SafetensorsEntry *e = st->find(t.name);
    EXPECT_TRUE(e && e->size == t.size &&
                std::memcmp(st->data(*e), t.data, t.size) == 0)
        << t.name << " of step " << step;
  }
  return step;
}

TEST(Checkpoint, AWriterKilledAtAnyMomentLosesNothing) {
  TempDir tmp;
  std::string dir = tmp.path + "/ckpt";
  CrashState state;
  state.fill(0);
  // Step 0 in this process: there is always a checkpoint, and its time
  // scales the moments the writer is killed at.
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(saveCheckpoint(dir, 0, state.views(), {}, kCrashKeep).ok());
  double save =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> moment(0, 2.5 * save);

  uint64_t last = 0; // the step `latest` names
  int kills = 0;
  bool finished = false;
  while (!finished) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The writer: resumes after the last checkpoint, reports each step
      // saved, and is killed, or finishes.
      ::close(fds[0]);
      CrashState s;
      for (uint64_t step = last + 1; step <= kCrashSteps; ++step) {
        s.fill(step);
        if (!saveCheckpoint(dir, step, s.views(), {}, kCrashKeep).ok())
          ::_exit(1);
        if (::write(fds[1], &step, sizeof step) != sizeof step)
          ::_exit(2);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    bool kill = kills < 25;
    if (kill) {
      std::this_thread::sleep_for(std::chrono::duration<double>(moment(rng)));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    uint64_t reported = last, step;
    while (::read(fds[0], &step, sizeof step) == sizeof step)
      reported = step;
    ::close(fds[0]);
    if (WIFSIGNALED(status)) {
      ++kills;
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
      finished = true;
    }
    // Nothing reported saved is lost; at most the step being written when
    // the kill came is there besides.
    uint64_t now = checkLatest(dir);
    EXPECT_GE(now, reported) << "after kill " << kills;
    EXPECT_LE(now, reported + 1) << "after kill " << kills;
    last = now;
  }
  EXPECT_GE(kills, 20);
  EXPECT_EQ(last, kCrashSteps);
  // The last writer ran to the end: the newest K checkpoints, latest, and
  // no temporary file of any killed writer.
  std::set<std::string> want = {"latest"};
  for (uint64_t s = kCrashSteps - kCrashKeep + 1; s <= kCrashSteps; ++s)
    want.insert(checkpointFileName(s));
  EXPECT_EQ(listDir(dir), want);
}

} // namespace
