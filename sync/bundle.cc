#include "sync/bundle.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/i18n.h"
#include "sync/community.h"
#include "sync/invite.h"

namespace qun::sync {
namespace {

constexpr char kMagic[] = "qunbndl1";
constexpr size_t kMagicSize = 8;

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t GetU32(const unsigned char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Result<std::unique_ptr<BundleWriter>> BundleWriter::Create(const std::string& path,
                                                           const CommunityId& community) {
  std::string part = path + ".part";
  // A bundle is sealed with the community key, but who sent what to whom
  // and how much is still this user's business: 0600, whatever the umask.
  int fd = open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) fchmod(fd, 0600);  // a .part left by an interrupted export
  File f(fd >= 0 ? fdopen(fd, "wb") : nullptr);
  if (fd >= 0 && !f) close(fd);
  if (!f)
    return Status::IOError(i18n::Format(_("cannot create {}: {}; choose a folder you may write to"),
                                        part, std::strerror(errno)));
  std::unique_ptr<BundleWriter> w(new BundleWriter(path, std::move(f)));
  std::string header(kMagic, kMagicSize);
  header.append(reinterpret_cast<const char*>(community.data()), community.size());
  if (std::fwrite(header.data(), 1, header.size(), w->file_.get()) != header.size())
    return Status::IOError(i18n::Format(_("cannot write {}; check free disk space"), part));
  return w;
}

BundleWriter::~BundleWriter() {
  if (!finished_) {
    file_.reset();
    std::remove((path_ + ".part").c_str());
  }
}

Status BundleWriter::Add(std::string_view change_set) {
  if (change_set.empty() || change_set.size() > kMaxChangeSetSize)
    return Status::Internal(_("a change set of impossible size cannot go in a bundle"));
  char len[4];
  PutU32(len, static_cast<uint32_t>(change_set.size()));
  if (std::fwrite(len, 1, 4, file_.get()) != 4 ||
      std::fwrite(change_set.data(), 1, change_set.size(), file_.get()) != change_set.size())
    return Status::IOError(
        i18n::Format(_("cannot write {}; check free disk space"), path_ + ".part"));
  ++count_;
  return Status::Ok();
}

Status BundleWriter::Finish() {
  char end[4];
  PutU32(end, 0);
  std::string part = path_ + ".part";
  if (std::fwrite(end, 1, 4, file_.get()) != 4 || std::fflush(file_.get()) != 0 ||
      fsync(fileno(file_.get())) != 0)
    return Status::IOError(i18n::Format(_("cannot write {}; check free disk space"), part));
  file_.reset();
  if (std::rename(part.c_str(), path_.c_str()) != 0)
    return Status::IOError(
        i18n::Format(_("cannot rename {} to {}: {}"), part, path_, std::strerror(errno)));
  finished_ = true;
  return Status::Ok();
}

Result<std::unique_ptr<BundleReader>> BundleReader::Open(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == ENOENT) return Status::NotFound(i18n::Format(_("no file {}"), path));
    return Status::IOError(i18n::Format(_("cannot read {}: {}"), path, std::strerror(errno)));
  }
  std::unique_ptr<BundleReader> r(new BundleReader(path, std::move(f)));
  unsigned char header[kMagicSize + 16];
  if (std::fread(header, 1, sizeof header, r->file_.get()) != sizeof header ||
      std::memcmp(header, kMagic, kMagicSize) != 0)
    return Status::Corruption(
        i18n::Format(_("{} is not a Qun bundle; pass the file `qun bundle export` wrote"), path));
  std::memcpy(r->community_.data(), header + kMagicSize, 16);
  return r;
}

Result<std::optional<std::string>> BundleReader::Next() {
  if (ended_) return std::optional<std::string>();
  auto truncated = [&] {
    return Status::Corruption(i18n::Format(
        _("the bundle {} is truncated or damaged after {} change sets (an interrupted copy?); "
          "nothing from it was imported. Copy it again, or ask for a new one"),
        path_, count_));
  };
  unsigned char len_bytes[4];
  if (std::fread(len_bytes, 1, 4, file_.get()) != 4) return truncated();
  uint32_t len = GetU32(len_bytes);
  if (len == 0) {
    ended_ = true;
    if (std::fgetc(file_.get()) != EOF) return truncated();
    return std::optional<std::string>();
  }
  if (len > kMaxChangeSetSize) return truncated();
  std::string bytes(len, '\0');
  if (std::fread(bytes.data(), 1, len, file_.get()) != len) return truncated();
  ++count_;
  return std::optional<std::string>(std::move(bytes));
}

Result<uint64_t> CheckBundle(const std::string& path, const CommunityId& expected) {
  QUN_ASSIGN_OR_RETURN(auto reader, BundleReader::Open(path));
  if (reader->community() != expected)
    return Status::Corruption(
        i18n::Format(_("the bundle {} belongs to another community ({}); nothing was imported"),
                     path, CommunityIdHex(reader->community()).substr(0, 8)));
  while (true) {
    QUN_ASSIGN_OR_RETURN(auto next, reader->Next());
    if (!next) return reader->count();
    // Whoever altered a byte of a change set could not sign it again as its
    // author: such a bundle is refused whole.
    auto cs = ChangeSet::Decode(*next);
    Result<ChangeSetHeader> header = cs.ok() ? Verify(*cs) : Result<ChangeSetHeader>(cs.status());
    if (!header.ok()) {
      std::string why = i18n::Format(
          _("change set {0} of the bundle {1} was altered or damaged ({2}); nothing from it was "
            "imported. Ask for a new bundle"),
          reader->count(), path, header.status().message());
      return header.status().code() == Status::Code::kBadSignature ? Status::BadSignature(why)
                                                                   : Status::Corruption(why);
    }
    if (header->community_id != expected)
      return Status::Corruption(
          i18n::Format(_("change set {0} of the bundle {1} belongs to another community; nothing "
                         "from it was imported"),
                       reader->count(), path));
  }
}

std::string FormatVectorFile(const CommunityId& community, const VersionVector& vector) {
  std::string out = "qun-vector 1\ncommunity " + CommunityIdHex(community) + "\n";
  for (const auto& [author, seq] : vector) out += fmt::format("{} {}\n", core::ToHex(author), seq);
  return out;
}

Result<VersionVector> ParseVectorFile(std::string_view text, const CommunityId& expected) {
  std::istringstream in{std::string(text)};
  std::string line;
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument(
        i18n::Format(_("this is not a version vector file ({}); pass the file `qun bundle vector "
                       "-o FILE` wrote on the other node"),
                     why));
  };
  if (!std::getline(in, line) || line != "qun-vector 1") return bad(_("its first line is wrong"));
  if (!std::getline(in, line) || line.rfind("community ", 0) != 0)
    return bad(_("no community line"));
  QUN_ASSIGN_OR_RETURN(CommunityId id, ParseCommunityId(line.substr(10)));
  if (id != expected)
    return Status::InvalidArgument(
        _("this version vector comes from a node of another community; nothing was exported"));
  VersionVector v;
  int n = 2;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    size_t space = line.find(' ');
    if (space == std::string::npos) return bad(i18n::Format(_("line {} has no seq"), n));
    auto author = ParseNodeId(line.substr(0, space));
    if (!author.ok()) return bad(i18n::Format(_("line {} has no author key"), n));
    std::string seq = line.substr(space + 1);
    if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos)
      return bad(i18n::Format(_("line {} has no seq"), n));
    v[*author] = std::stoull(seq);
  }
  return v;
}

}  // namespace qun::sync
