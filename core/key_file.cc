#include "core/key_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/i18n.h"

namespace qun::core {
namespace {
constexpr char kMagic[] = "qunkey01";  // 8 bytes
constexpr size_t kRecord = 4 + CommunityKey::kSize;
}  // namespace

std::string KeyFilePath(const std::string& home) { return home + "/community.key"; }

namespace {

Status WriteKeys(const std::string& path, const std::vector<const CommunityKey*>& keys) {
  std::string bytes(kMagic, 8);
  bytes.reserve(8 + keys.size() * kRecord);  // no reallocation leaves key copies behind
  for (const CommunityKey* k : keys) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((k->epoch() >> (8 * i)) & 0xff));
    bytes.append(reinterpret_cast<const char*>(k->data()), CommunityKey::kSize);
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return Status::Conflict(
          i18n::Format(_("{} already exists: this node already holds the community key"), path));
    return Status::IOError(i18n::Format(_("cannot create {}: {}"), path, strerror(errno)));
  }
  bool ok =
      write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && fsync(fd) == 0;
  close(fd);
  sodium_memzero(bytes.data(), bytes.size());
  if (!ok) {
    unlink(path.c_str());
    return Status::IOError(i18n::Format(_("cannot write {}; check free disk space"), path));
  }
  return Status::Ok();
}

}  // namespace

Status WriteKeyFile(const std::string& home, const std::vector<const CommunityKey*>& keys) {
  return WriteKeys(KeyFilePath(home), keys);
}

Status AddToKeyFile(const std::string& home, const CommunityKey& key) {
  QUN_ASSIGN_OR_RETURN(std::vector<CommunityKey> held, ReadKeyFile(home));
  std::vector<const CommunityKey*> keys;
  for (const CommunityKey& k : held) {
    if (k.epoch() == key.epoch() && sodium_memcmp(k.data(), key.data(), CommunityKey::kSize) == 0)
      return Status::Ok();
    keys.push_back(&k);
  }
  keys.push_back(&key);
  std::string path = KeyFilePath(home), next = path + ".new";
  unlink(next.c_str());  // left by a crash before the rename
  QUN_RETURN_IF_ERROR(WriteKeys(next, keys));
  if (rename(next.c_str(), path.c_str()) != 0) {
    unlink(next.c_str());
    return Status::IOError(i18n::Format(_("cannot replace {}: {}"), path, strerror(errno)));
  }
  // The rename itself must reach the disk before anything sealed with the
  // new key does.
  int dir = open(home.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return Status::Ok();
}

Result<std::vector<CommunityKey>> ReadKeyFile(const std::string& home) {
  std::string path = KeyFilePath(home);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Status::NotFound(
          _("this node holds no community key yet: it has not joined a community. Ask an owner "
            "to run `qun invite YOUR-NODE-ID -o invite.qun`, then run `qun join invite.qun`"));
    return Status::IOError(i18n::Format(_("cannot read {}: {}"), path, strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    return Status::IOError(i18n::Format(
        _("the community key {0} can be read by other users; run `chmod 600 {0}` and try again"),
        path));
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = read(fd, bytes.data(), bytes.size());
  close(fd);
  if (n != st.st_size || bytes.size() < 8 || bytes.compare(0, 8, kMagic, 8) != 0 ||
      (bytes.size() - 8) % kRecord != 0 || bytes.size() == 8) {
    sodium_memzero(bytes.data(), bytes.size());
    return Status::Corruption(
        i18n::Format(_("the community key file {} is damaged; restore it from a backup"), path));
  }
  std::vector<CommunityKey> keys;
  for (size_t off = 8; off < bytes.size(); off += kRecord) {
    uint32_t epoch = 0;
    for (int i = 0; i < 4; ++i)
      epoch |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[off + i])) << (8 * i);
    keys.push_back(
        CommunityKey::FromBytes(epoch, reinterpret_cast<const uint8_t*>(bytes.data() + off + 4)));
  }
  sodium_memzero(bytes.data(), bytes.size());
  return keys;
}

}  // namespace qun::core
