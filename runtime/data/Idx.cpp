//===- Idx.cpp - IDX image and label files --------------------------------===//
//
// Part of Loom. Reads the IDX format of MNIST and Fashion-MNIST: a big-endian
// header (two zero bytes, a type code, the number of dimensions, then one
// u32 size per dimension) followed by the data. zlib reads gzipped and plain
// files alike.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Dataset.h"

#include "runtime/File.h"
#include "runtime/Text.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace loom;
using namespace loom::data;

namespace {

/// An IDX file of u8 data: its sizes and bytes.
struct IdxFile {
  std::vector<int64_t> dims;
  std::vector<unsigned char> data;
};

/// Reads up to `n` bytes; returns how many were read or -1 on a zlib error.
int64_t readSome(gzFile f, unsigned char *out, int64_t n) {
  int64_t total = 0;
  while (total < n) {
    unsigned chunk =
        static_cast<unsigned>(std::min<int64_t>(n - total, 1 << 30));
    int got = gzread(f, out + total, chunk);
    if (got < 0)
      return -1;
    if (got == 0)
      break;
    total += got;
  }
  return total;
}

/// Reads IDX file `path`; with `headerOnly`, its header alone (dims).
StatusOr<IdxFile> readIdx(const std::string &path, int expectDims,
                          const char *what, bool headerOnly = false) {
  uint64_t fileSize = 0;
  // The file, gzipped or not, is at most the data and the largest header.
  StatusOr<int> fd = openInputFile(path, std::string(what) + " file",
                                   kMaxIdxBytes + 4 + 4 * 3, fileSize);
  if (!fd)
    return fd.status();
  gzFile f = gzdopen(*fd, "rb"); // reads plain files as they are
  if (!f) {
    ::close(*fd);
    return Status::error(path + ": cannot open the " + what +
                         " file: " + std::strerror(errno));
  }
  struct Closer {
    gzFile f;
    ~Closer() { gzclose(f); }
  } closer{f};
  auto zerr = [&](const std::string &at) {
    int code = 0;
    const char *zmsg = gzerror(f, &code);
    std::string msg = code == Z_ERRNO ? std::strerror(errno) : zmsg;
    // zlib puts the file ("<fd:3>" for gzdopen's) in front of its own
    // messages.
    if (msg.rfind("<fd:", 0) == 0 && msg.find(">: ") != std::string::npos)
      msg = msg.substr(msg.find(">: ") + 3);
    return Status::error(path + ": " + at + ": " + msg);
  };

  unsigned char magic[4];
  int64_t got = readSome(f, magic, 4);
  if (got < 0)
    return zerr("cannot read the IDX header");
  if (got < 4)
    return Status::error(path +
                         ": truncated: the IDX header needs 4 bytes, "
                         "the file has " +
                         std::to_string(got));
  if (magic[0] != 0 || magic[1] != 0)
    return Status::error(path + ": not an IDX file (it starts with bytes " +
                         std::to_string(magic[0]) + " " +
                         std::to_string(magic[1]) + ", not 0 0)");
  if (magic[2] != 0x08) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02x", magic[2]);
    return Status::error(path + ": IDX data type " + code +
                         " is not supported; " + what +
                         " files hold unsigned bytes (0x08)");
  }
  if (magic[3] != expectDims)
    return Status::error(
        path + ": an IDX " + what + " file has " + std::to_string(expectDims) +
        " dimensions, this one has " + std::to_string(magic[3]));
  IdxFile out;
  int64_t total = 1;
  for (int d = 0; d < expectDims; ++d) {
    unsigned char s[4];
    got = readSome(f, s, 4);
    if (got < 0)
      return zerr("cannot read the IDX header");
    if (got < 4)
      return Status::error(path +
                           ": truncated: the IDX header ends inside "
                           "the size of dimension " +
                           std::to_string(d));
    int64_t size = (int64_t(s[0]) << 24) | (int64_t(s[1]) << 16) |
                   (int64_t(s[2]) << 8) | int64_t(s[3]);
    out.dims.push_back(size);
    if (size == 0)
      return Status::error(path + ": IDX dimension " + std::to_string(d) +
                           " has size 0; a dataset needs at least one");
    // size < 2^32 and total <= kMaxIdxBytes < 2^31: no overflow.
    total *= size;
    if (uint64_t(total) > kMaxIdxBytes)
      return Status::error(
          path + ": the IDX header's dimensions " + shapeText(out.dims) +
          " make more than the " + std::to_string(kMaxIdxBytes) + " bytes (" +
          sizeText(kMaxIdxBytes) + ") of data an IDX file may hold");
  }
  if (headerOnly)
    return out;
  out.data.resize(static_cast<size_t>(total));
  got = readSome(f, out.data.data(), total);
  if (got < 0)
    return zerr("cannot read the data");
  if (got < total)
    return Status::error(path + ": truncated: the header promises " +
                         std::to_string(total) + " bytes of data after byte " +
                         std::to_string(4 + 4 * expectDims) +
                         ", the file has " + std::to_string(got));
  unsigned char extra;
  if (readSome(f, &extra, 1) == 1)
    return Status::error(path + ": " + std::to_string(total) +
                         " bytes of data end at byte " +
                         std::to_string(4 + 4 * expectDims + total) +
                         " but the file goes on; is it the right file?");
  return out;
}

} // namespace

StatusOr<Examples> loom::data::loadIdx(const std::string &images,
                                       const std::string &labels) {
  StatusOr<IdxFile> img = readIdx(images, 3, "image");
  if (!img)
    return img.status();
  StatusOr<IdxFile> lab = readIdx(labels, 1, "label");
  if (!lab)
    return lab.status();
  if (img->dims[0] != lab->dims[0])
    return Status::error(labels + ": has " + std::to_string(lab->dims[0]) +
                         " labels but " + images + " has " +
                         std::to_string(img->dims[0]) + " images");
  Examples ex;
  ex.source = images;
  ex.labelSource = labels;
  ex.count = img->dims[0];
  ex.featureShape = {1, img->dims[1], img->dims[2]};
  ex.features.resize(img->data.size());
  for (size_t i = 0; i < img->data.size(); ++i)
    ex.features[i] = static_cast<float>(img->data[i]) / 255.0f;
  ex.labels.assign(lab->data.begin(), lab->data.end());
  return ex;
}

Status loom::data::probeIdx(const std::string &images,
                            const std::string &labels, std::string &which) {
  which = "images";
  StatusOr<IdxFile> img = readIdx(images, 3, "image", /*headerOnly=*/true);
  if (!img)
    return img.status();
  which = "labels";
  StatusOr<IdxFile> lab = readIdx(labels, 1, "label", /*headerOnly=*/true);
  if (!lab)
    return lab.status();
  if (img->dims[0] != lab->dims[0])
    return Status::error(labels + ": has " + std::to_string(lab->dims[0]) +
                         " labels but " + images + " has " +
                         std::to_string(img->dims[0]) + " images");
  return Status();
}
