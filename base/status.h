// Status and Result<T>: how every module of Qun reports failure.
//
// A Status carries a code chosen by what the caller does next (retry, ask the
// user for another value, restore a backup...) and a message written for the
// person at the terminal: it says what went wrong and what to do about it.
// Exceptions never cross a module boundary; foreign errors (SQLite return
// codes, libsodium failures, iconv errors) are converted once, at the edge.
//
// Status and Result are value types; they are not thread-safe to share while
// being modified, like any value.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace qun {

class [[nodiscard]] Status {
 public:
  // The numeric values are the `qun` process exit codes (docs/cli.md), so
  // they must not change once released.
  enum class Code {
    kOk = 0,
    kInternal = 1,         // a bug or an unexpected system failure
    kInvalidArgument = 2,  // bad input from the command line or a file
    kNotFound = 3,         // no such group, person, file...
    kConflict = 4,         // ambiguous reference, duplicate unique value
    kBusy = 5,             // the database is locked by another process
    kCorruption = 6,       // a damaged or foreign file
    kIOError = 7,          // cannot read or write a file or folder
    kIncompatible = 8,     // written by a newer Qun
    kRejected = 9,         // an import file with bad rows; nothing written
    kBadSignature = 10,    // a change set not signed by its stated author
    kUnreachable = 11,     // a peer cannot be reached, or stopped answering
    kDenied = 12,          // a peer refused this node, or its key is not the one given
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Incompatible(std::string m) { return Status(Code::kIncompatible, std::move(m)); }
  static Status Rejected(std::string m) { return Status(Code::kRejected, std::move(m)); }
  static Status BadSignature(std::string m) { return Status(Code::kBadSignature, std::move(m)); }
  static Status Unreachable(std::string m) { return Status(Code::kUnreachable, std::move(m)); }
  static Status Denied(std::string m) { return Status(Code::kDenied, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  int exit_code() const { return static_cast<int>(code_); }

  // Short name of the code, used in --json error output.
  const char* code_name() const;

  // Prefixes the message with context, keeping the code.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    Status out = *this;
    out.message_ = context + ": " + message_;
    return out;
  }

  // A reference that named several rows: what was typed, and the ids it
  // could mean, in the order the message numbers them, so that a front end
  // can show the command to give for each.
  Status WithChoices(std::string typed, std::vector<std::string> ids) const {
    Status out = *this;
    out.typed_ = std::move(typed);
    out.choices_ = std::move(ids);
    return out;
  }
  const std::string& typed() const { return typed_; }
  const std::vector<std::string>& choices() const { return choices_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string typed_;
  std::vector<std::string> choices_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {
    assert(!std::get<Status>(v_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace qun

// Returns early from the enclosing function when `expr` is a non-ok Status.
#define QUN_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::qun::Status qun_status_ = (expr);        \
    if (!qun_status_.ok()) return qun_status_; \
  } while (0)

#define QUN_CONCAT_INNER_(a, b) a##b
#define QUN_CONCAT_(a, b) QUN_CONCAT_INNER_(a, b)

// `QUN_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define QUN_ASSIGN_OR_RETURN(lhs, expr) \
  QUN_ASSIGN_OR_RETURN_IMPL_(QUN_CONCAT_(qun_result_, __LINE__), lhs, expr)
#define QUN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
