//===- Status.h - Errors returned by the runtime ----------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The runtime reports
// every error it can recover from as a value, never by exit() or abort():
// `Status` is ok or an error message, `StatusOr<T>` is a T or an error. Each
// error remembers the source location that created it (through the
// __builtin_FILE / __builtin_LINE default arguments gcc and clang provide),
// which logs print after the message and users never see in it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_STATUS_H
#define LOOM_RUNTIME_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace loom {

/// Ok, or an error with a message and the place in the runtime that made it.
class [[nodiscard]] Status {
public:
  /// Ok.
  Status() = default;

  /// An error. The message names what is wrong in the user's terms
  /// ("gpt.loomx: section 'kernels' checksum mismatch ...").
  static Status error(std::string message, const char *file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
    Status s;
    s.failed = true;
    s.msg = std::move(message);
    s.srcFile = file;
    s.srcLine = line;
    return s;
  }

  bool ok() const { return !failed; }
  explicit operator bool() const { return ok(); }

  /// The message ("" when ok).
  const std::string &message() const { return msg; }
  /// The runtime source file and line that made the error (nullptr / 0 when
  /// ok).
  const char *file() const { return srcFile; }
  int line() const { return srcLine; }

  /// The message with `prefix` before it, keeping the location.
  Status withPrefix(const std::string &prefix) const {
    Status s = *this;
    if (failed)
      s.msg = prefix + s.msg;
    return s;
  }

private:
  bool failed = false;
  std::string msg;
  const char *srcFile = nullptr;
  int srcLine = 0;
};

/// A T, or the error that kept it from being made.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : val(std::move(value)) {}
  /// From an error status; an ok status here is a bug in the caller and is
  /// turned into an error rather than an empty value.
  StatusOr(Status status) : st(std::move(status)) {
    if (st.ok())
      st = Status::error("internal error: StatusOr made from an ok Status");
  }

  bool ok() const { return val.has_value(); }
  explicit operator bool() const { return ok(); }
  /// Ok when there is a value.
  const Status &status() const { return st; }

  T &value() & { return *val; }
  const T &value() const & { return *val; }
  T &&value() && { return std::move(*val); }
  T &operator*() & { return *val; }
  const T &operator*() const & { return *val; }
  T *operator->() { return &*val; }
  const T *operator->() const { return &*val; }

private:
  std::optional<T> val;
  Status st;
};

} // namespace loom

#endif // LOOM_RUNTIME_STATUS_H
