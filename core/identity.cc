#include "core/identity.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

#include "base/i18n.h"

namespace qun::core {
namespace {

constexpr char kKeyFile[] = "node.key";
constexpr char kPubFile[] = "node.pub";

}  // namespace

Status InitSodium() {
  if (sodium_init() < 0) return Status::Internal(_("libsodium failed to initialize"));
  return Status::Ok();
}

std::string ToHex(const uint8_t* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

std::optional<PublicKey> PublicKeyFromHex(std::string_view hex) {
  PublicKey k;
  size_t len = 0;
  if (hex.size() != 2 * k.size() ||
      sodium_hex2bin(k.data(), k.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != k.size())
    return std::nullopt;
  return k;
}

SecretKey::SecretKey() {
  if (sodium_init() < 0) std::abort();  // no randomness source: nothing is safe
  bytes_ = static_cast<uint8_t*>(sodium_malloc(size()));
  if (!bytes_) throw std::bad_alloc();
  sodium_memzero(bytes_, size());
}

SecretKey::~SecretKey() {
  if (bytes_) sodium_free(bytes_);  // sodium_free zeroes before freeing
}

Identity::Signature Identity::Sign(std::string_view message) const {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const uint8_t*>(message.data()),
                       message.size(), secret_key_.data());
  return sig;
}

bool Identity::Verify(const PublicKey& signer, std::string_view message, const uint8_t* signature) {
  return crypto_sign_verify_detached(signature, reinterpret_cast<const uint8_t*>(message.data()),
                                     message.size(), signer.data()) == 0;
}

Result<std::string> Identity::SealTo(const PublicKey& recipient, std::string_view message) {
  uint8_t x25519[crypto_box_PUBLICKEYBYTES];
  if (crypto_sign_ed25519_pk_to_curve25519(x25519, recipient.data()) != 0)
    return Status::InvalidArgument(_("that is not a valid node public key"));
  std::string out(message.size() + crypto_box_SEALBYTES, '\0');
  crypto_box_seal(reinterpret_cast<uint8_t*>(out.data()),
                  reinterpret_cast<const uint8_t*>(message.data()), message.size(), x25519);
  return out;
}

Result<std::string> Identity::OpenSealed(std::string_view sealed) const {
  if (sealed.size() < crypto_box_SEALBYTES)
    return Status::Corruption(_("the sealed message is too short"));
  uint8_t pk[crypto_box_PUBLICKEYBYTES];
  SecretKey sk;  // reused as a guarded buffer for the X25519 secret key
  if (crypto_sign_ed25519_pk_to_curve25519(pk, public_key_.data()) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(sk.data(), secret_key_.data()) != 0)
    return Status::Internal(_("cannot convert this node's key for decryption"));
  std::string out(sealed.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<uint8_t*>(out.data()),
                           reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size(), pk,
                           sk.data()) != 0)
    return Status::Corruption(
        _("this was not sealed to this node's key (or it was damaged); ask for an invite made "
          "for this node's public key"));
  return out;
}

Result<Identity::CurveKey> Identity::CurvePublicKey(const PublicKey& node) {
  CurveKey out{};
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), node.data()) != 0)
    return Status::InvalidArgument(
        i18n::Format(_("{} is not a valid node id"), ToHex(node).substr(0, 16)));
  return out;
}

Status Identity::WithCurveSecret(const std::function<Status(const uint8_t*)>& use) const {
  SecretKey sk;  // a guarded buffer for the X25519 secret key
  if (crypto_sign_ed25519_sk_to_curve25519(sk.data(), secret_key_.data()) != 0)
    return Status::Internal(_("cannot convert this node's key for the network"));
  return use(sk.data());
}

Result<std::unique_ptr<Identity>> Identity::Create(const std::string& home) {
  QUN_RETURN_IF_ERROR(InitSodium());
  std::string key_path = home + "/" + kKeyFile;
  std::unique_ptr<Identity> id(new Identity());
  crypto_sign_keypair(id->public_key_.data(), id->secret_key_.data());

  // O_EXCL: never overwrite the key of an existing node.
  int fd = open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return Status::Conflict(
          i18n::Format(_("{} already exists: this home already holds a node; use it, or choose "
                         "another home with --home DIR"),
                       key_path));
    return Status::IOError(
        i18n::Format(_("cannot create {}: {}; choose a home you may write to with --home DIR"),
                     key_path, strerror(errno)));
  }
  ssize_t n = write(fd, id->secret_key_.data(), SecretKey::size());
  bool ok = n == static_cast<ssize_t>(SecretKey::size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(key_path.c_str());
    return Status::IOError(i18n::Format(_("cannot write {}; check free disk space"), key_path));
  }
  std::ofstream pub(home + "/" + kPubFile);
  pub << id->node_id() << "\n";
  return id;
}

Result<std::unique_ptr<Identity>> Identity::Load(const std::string& home) {
  QUN_RETURN_IF_ERROR(InitSodium());
  std::string key_path = home + "/" + kKeyFile;
  int fd = open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Status::NotFound(
          i18n::Format(_("no node in {} (missing {}); run `qun init --name NAME` first, or pass "
                         "the right --home"),
                       home, kKeyFile));
    return Status::IOError(i18n::Format(_("cannot read {}: {}"), key_path, strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    return Status::IOError(i18n::Format(
        _("the secret key {0} can be read by other users; run `chmod 600 {0}` and try again"),
        key_path));
  }
  std::unique_ptr<Identity> id(new Identity());
  ssize_t n = read(fd, id->secret_key_.data(), SecretKey::size());
  close(fd);
  if (n != static_cast<ssize_t>(SecretKey::size()))
    return Status::Corruption(i18n::Format(
        _("the secret key {} is damaged (wrong size); restore it from a backup"), key_path));
  crypto_sign_ed25519_sk_to_pk(id->public_key_.data(), id->secret_key_.data());
  return id;
}

}  // namespace qun::core
