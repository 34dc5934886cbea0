// Bundles: change sets in a file, for admins who sync by USB stick or mail.
//
// Format (docs/protocol.md, "Bundles"), integers little-endian:
//   "qunbndl1" (8 bytes) | community id (16)
//   | per change set: length (u32, 1 to kMaxChangeSetSize), its bytes
//   | end mark: length 0
// Nothing may follow the end mark. A bundle carries no secret of its own:
// every change set in it is signed and encrypted on its own.
//
// Writer and reader stream: memory holds one change set at a time, so a
// bundle larger than memory works. Writers write to "<path>.part" and rename
// when finished, so a bundle that exists is complete.
//
// Version vector files (`qun bundle vector -o FILE`) are text:
//   qun-vector 1
//   community <32 hex>
//   <author key, 64 hex> <seq>      one line per author
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sync/change_set.h"
#include "sync/change_set_store.h"

namespace qun::sync {

// No change set Qun writes comes near this; a larger length means damage.
constexpr uint32_t kMaxChangeSetSize = 64u << 20;

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

class BundleWriter {
 public:
  static Result<std::unique_ptr<BundleWriter>> Create(const std::string& path,
                                                      const CommunityId& community);
  // Removes the unfinished file unless Finish() succeeded.
  ~BundleWriter();
  Status Add(std::string_view change_set);
  // Writes the end mark, syncs and renames the file into place.
  Status Finish();
  uint64_t count() const { return count_; }

 private:
  BundleWriter(std::string path, File f) : path_(std::move(path)), file_(std::move(f)) {}
  std::string path_;
  File file_;
  uint64_t count_ = 0;
  bool finished_ = false;
};

class BundleReader {
 public:
  // Reads the header. Corruption when the file is not a bundle.
  static Result<std::unique_ptr<BundleReader>> Open(const std::string& path);
  const CommunityId& community() const { return community_; }
  // The next change set's bytes, or none after the end mark. Corruption when
  // the file ends early, a length is impossible, or bytes follow the end.
  Result<std::optional<std::string>> Next();
  uint64_t count() const { return count_; }

 private:
  BundleReader(std::string path, File f) : path_(std::move(path)), file_(std::move(f)) {}
  std::string path_;
  File file_;
  CommunityId community_{};
  uint64_t count_ = 0;
  bool ended_ = false;
};

// Reads a whole bundle once without keeping it, to refuse a truncated,
// damaged or altered one (a change set whose signature does not verify, or
// of another community) before anything in it is applied. Returns how many
// change sets it holds.
Result<uint64_t> CheckBundle(const std::string& path, const CommunityId& expected);

std::string FormatVectorFile(const CommunityId& community, const VersionVector& vector);
Result<VersionVector> ParseVectorFile(std::string_view text, const CommunityId& expected);

}  // namespace qun::sync
