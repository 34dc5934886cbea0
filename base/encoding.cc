#include "base/encoding.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "base/i18n.h"
#include "base/text.h"

namespace qun::encoding {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";

// Ends errors for a file whose encoding was guessed (translated where used).
constexpr const char* kSaveAdvice =
    N_("save it as \"CSV UTF-8\" from your spreadsheet, or pass --encoding to name its encoding");
// Ends errors for a file read in an encoding the user named.
constexpr const char* kCheckAdvice =
    N_("check that --encoding names the file's real encoding, or save it as \"CSV UTF-8\" from "
       "your spreadsheet");

// The iconv name of a non-UTF-8 encoding.
const char* IconvName(Encoding e) {
  switch (e) {
    case Encoding::kGb18030:
      return "GB18030";
    case Encoding::kUtf16Le:
      return "UTF-16LE";
    case Encoding::kUtf16Be:
      return "UTF-16BE";
    case Encoding::kUtf8:
    case Encoding::kUtf8Bom:
      break;
  }
  return "UTF-8";
}

std::string_view BomOf(Encoding e) {
  switch (e) {
    case Encoding::kUtf8:
    case Encoding::kUtf8Bom:
      return kUtf8Bom;
    case Encoding::kUtf16Le:
      return kUtf16LeBom;
    case Encoding::kUtf16Be:
      return kUtf16BeBom;
    case Encoding::kGb18030:
      break;
  }
  return {};
}

// Where a conversion stopped: the byte offset of the first byte that could
// not be converted, and whether the input simply ended mid-character.
struct ConversionError {
  size_t offset;
  bool truncated;
};

// Owns one iconv conversion descriptor. Move-only; not thread-safe (iconv
// descriptors carry shift state), so each conversion opens its own.
class Iconv {
 public:
  static Result<Iconv> Open(const char* to, const char* from) {
    iconv_t cd = iconv_open(to, from);
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      return Status::Internal(
          i18n::Format(_("this system cannot convert from {} to {} (iconv_open: {})"), from, to,
                       std::strerror(errno)));
    }
    return Iconv(cd);
  }

  Iconv(Iconv&& other) noexcept : cd_(std::exchange(other.cd_, kNone)) {}
  Iconv& operator=(Iconv&& other) noexcept {
    if (this != &other) {
      Close();
      cd_ = std::exchange(other.cd_, kNone);
    }
    return *this;
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  ~Iconv() { Close(); }

  // Converts all of `in` into `*out`; on failure returns where it stopped.
  std::optional<ConversionError> Convert(std::string_view in, std::string* out) {
    out->assign(in.size() * 2 + 16, '\0');
    size_t produced = 0;
    // Runs one iconv call, growing `out` while the output does not fit; a
    // null `in_ptr` flushes any shift state. Returns errno on failure.
    auto run = [&](char** in_ptr, size_t* in_left) -> int {
      for (;;) {
        char* out_ptr = out->data() + produced;
        size_t out_left = out->size() - produced;
        const size_t rc = iconv(cd_, in_ptr, in_left, &out_ptr, &out_left);
        const int err = errno;
        produced = out->size() - out_left;
        if (rc != static_cast<size_t>(-1)) return 0;
        if (err != E2BIG) return err;
        out->resize(out->size() * 2);
      }
    };
    // iconv takes char** for its input but does not write through it.
    char* in_ptr = const_cast<char*>(in.data());
    size_t in_left = in.size();
    int err = run(&in_ptr, &in_left);
    if (err == 0) err = run(nullptr, nullptr);
    out->resize(produced);
    if (err == 0) return std::nullopt;
    return ConversionError{static_cast<size_t>(in_ptr - in.data()), err == EINVAL};
  }

 private:
  static inline const iconv_t kNone = reinterpret_cast<iconv_t>(-1);

  explicit Iconv(iconv_t cd) : cd_(cd) {}
  void Close() {
    if (cd_ != kNone) iconv_close(cd_);
    cd_ = kNone;
  }

  iconv_t cd_;
};

// 1-based line of byte `offset` in `bytes` encoded as `e`. In UTF-8 and
// GB18030 the byte 0x0A is always a line feed (GB18030 trail bytes are
// 0x30 and above); in UTF-16 a line feed is a 16-bit unit.
int LineAt(std::string_view bytes, size_t offset, Encoding e) {
  offset = std::min(offset, bytes.size());
  int line = 1;
  if (e == Encoding::kUtf16Le || e == Encoding::kUtf16Be) {
    const size_t lf = e == Encoding::kUtf16Le ? 0 : 1;  // where the 0x0A byte sits
    for (size_t i = 0; i < offset && i + 1 < bytes.size(); i += 2) {
      if (bytes[i + lf] == '\n' && bytes[i + 1 - lf] == '\0') ++line;
    }
    return line;
  }
  for (size_t i = 0; i < offset; ++i) {
    if (bytes[i] == '\n') ++line;
  }
  return line;
}

// "line 3, byte 57": where a person finds the problem in an editor.
std::string Where(std::string_view bytes, size_t offset, Encoding e) {
  return i18n::Format(_("line {}, byte {}"), LineAt(bytes, offset, e), offset + 1);
}

std::string NormalizeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ') continue;
    out += c;
  }
  return text::AsciiLower(out);
}

// Converts `body` (BOM already removed) from `from` to UTF-8. `bytes` is the
// whole input and `bom_size` the length of the removed BOM, so that offsets
// in errors refer to the file as the user has it. `advice` ends the message.
Result<std::string> ConvertToUtf8(std::string_view bytes, size_t bom_size, Encoding from,
                                  const char* advice) {
  const std::string_view body = bytes.substr(bom_size);
  if (from == Encoding::kUtf8 || from == Encoding::kUtf8Bom) {
    const size_t bad = text::FirstInvalidUtf8(body);
    if (bad == std::string_view::npos) return std::string(body);
    return Status::InvalidArgument(
        i18n::Format(_("the file is not valid UTF-8 (first undecodable byte at {}); {}"),
                     Where(bytes, bom_size + bad, from), _(advice)));
  }
  QUN_ASSIGN_OR_RETURN(Iconv cd, Iconv::Open("UTF-8", IconvName(from)));
  std::string out;
  if (std::optional<ConversionError> err = cd.Convert(body, &out)) {
    const size_t offset = bom_size + err->offset;
    const char* message =
        err->truncated
            ? _("the file is not valid {} (it ends in the middle of a character, at {}); {}")
            : _("the file is not valid {} (first undecodable byte at {}); {}");
    return Status::InvalidArgument(
        i18n::Format(message, Name(from), Where(bytes, offset, from), _(advice)));
  }
  return out;
}

// True when valid UTF-8 text is more likely GB18030/GBK bytes that happen to
// form valid UTF-8 too: short GBK texts often do (郑叶 is D6 A3 D2 B6, which
// reads as U+05A3 U+04B6). Such a misreading yields only code points below
// U+0800, and mixes unrelated scripts inside one word (a Hebrew accent next to
// a Cyrillic letter) or contains C1 control characters; genuine text in those
// scripts keeps to one script per word.
bool LooksLikeMisreadGb18030(std::string_view utf8) {
  auto bucket = [](char32_t cp) -> int {
    if (cp < 0x370) return 0;  // Latin-1, Latin Extended, IPA, combining marks
    if (cp < 0x400) return 1;  // Greek
    if (cp < 0x530) return 2;  // Cyrillic
    if (cp < 0x590) return 3;  // Armenian
    if (cp < 0x600) return 4;  // Hebrew
    if (cp < 0x700) return 5;  // Arabic
    return 6;                  // Syriac, Thaana, N'Ko
  };
  bool suspicious = false;
  int run_bucket = -1;
  // Decoded in place, not into a copy of the whole text: a file of hundreds
  // of megabytes would need four bytes per character more. `utf8` is valid.
  for (size_t i = 0; i < utf8.size();) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    const size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? b0 : len == 2 ? b0 & 0x1F : len == 3 ? b0 & 0x0F : b0 & 0x07;
    for (size_t k = 1; k < len && i + k < utf8.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += len;
    if (cp < 0x80) {
      run_bucket = -1;
      continue;
    }
    if (cp >= 0x800) return false;     // real UTF-8 beyond what a misreading makes
    if (cp < 0xA0) suspicious = true;  // C1 controls never appear in a sheet
    int b = bucket(cp);
    if (run_bucket >= 0 && b != run_bucket) suspicious = true;
    run_bucket = b;
  }
  return suspicious;
}

}  // namespace

const char* Name(Encoding e) {
  switch (e) {
    case Encoding::kUtf8:
      return "UTF-8";
    case Encoding::kUtf8Bom:
      return "UTF-8 with BOM";
    case Encoding::kGb18030:
      return "GB18030";
    case Encoding::kUtf16Le:
      return "UTF-16LE";
    case Encoding::kUtf16Be:
      return "UTF-16BE";
  }
  return "unknown";
}

Result<Encoding> Parse(std::string_view name) {
  const std::string n = NormalizeName(name);
  if (n == "utf8") return Encoding::kUtf8;
  if (n == "utf8bom" || n == "utf8sig") return Encoding::kUtf8Bom;
  if (n == "gb18030" || n == "gbk" || n == "gb2312" || n == "cp936") return Encoding::kGb18030;
  if (n == "utf16le") return Encoding::kUtf16Le;
  if (n == "utf16be") return Encoding::kUtf16Be;
  return Status::InvalidArgument(
      i18n::Format(_("unknown encoding \"{}\"; use one of utf-8, utf-8-bom, gb18030 (also gbk, "
                     "gb2312), utf-16le, utf-16be"),
                   name));
}

Result<Decoded> DecodeAuto(std::string_view bytes) {
  if (bytes.starts_with(kUtf8Bom)) {
    QUN_ASSIGN_OR_RETURN(std::string utf8,
                         ConvertToUtf8(bytes, kUtf8Bom.size(), Encoding::kUtf8Bom, kSaveAdvice));
    return Decoded{std::move(utf8), Encoding::kUtf8Bom};
  }
  for (Encoding e : {Encoding::kUtf16Le, Encoding::kUtf16Be}) {
    if (bytes.starts_with(BomOf(e))) {
      QUN_ASSIGN_OR_RETURN(std::string utf8, ConvertToUtf8(bytes, BomOf(e).size(), e, kSaveAdvice));
      return Decoded{std::move(utf8), e};
    }
  }
  const size_t bad_utf8 = text::FirstInvalidUtf8(bytes);
  const bool valid_utf8 = bad_utf8 == std::string_view::npos;
  if (valid_utf8 && !LooksLikeMisreadGb18030(bytes))
    return Decoded{std::string(bytes), Encoding::kUtf8};

  QUN_ASSIGN_OR_RETURN(Iconv cd, Iconv::Open("UTF-8", IconvName(Encoding::kGb18030)));
  std::string utf8;
  const std::optional<ConversionError> err = cd.Convert(bytes, &utf8);
  if (!err) return Decoded{std::move(utf8), Encoding::kGb18030};
  if (valid_utf8) return Decoded{std::string(bytes), Encoding::kUtf8};

  // Report the reading that got further: it is the more likely intent.
  const bool closer_to_utf8 = bad_utf8 >= err->offset;
  const size_t offset = closer_to_utf8 ? bad_utf8 : err->offset;
  const Encoding as = closer_to_utf8 ? Encoding::kUtf8 : Encoding::kGb18030;
  return Status::InvalidArgument(i18n::Format(
      _("the file is neither UTF-8 nor GB18030 (first undecodable byte at {0}, when read as "
        "{1}); {2}"),
      Where(bytes, offset, as), Name(as), _(kSaveAdvice)));
}

Result<std::string> DecodeAs(std::string_view bytes, Encoding from) {
  const std::string_view bom = BomOf(from);
  const size_t bom_size = !bom.empty() && bytes.starts_with(bom) ? bom.size() : 0;
  return ConvertToUtf8(bytes, bom_size, from, kCheckAdvice);
}

Result<std::string> EncodeAs(std::string_view utf8, Encoding to) {
  const size_t bad = text::FirstInvalidUtf8(utf8);
  if (bad != std::string_view::npos) {
    return Status::InvalidArgument(
        i18n::Format(_("the text to write is not valid UTF-8 (byte {})"), bad + 1));
  }
  switch (to) {
    case Encoding::kUtf8:
      return std::string(utf8);
    case Encoding::kUtf8Bom:
      return std::string(kUtf8Bom) + std::string(utf8);
    case Encoding::kGb18030:
    case Encoding::kUtf16Le:
    case Encoding::kUtf16Be:
      break;
  }
  QUN_ASSIGN_OR_RETURN(Iconv cd, Iconv::Open(IconvName(to), "UTF-8"));
  std::string out(BomOf(to));
  std::string converted;
  if (std::optional<ConversionError> err = cd.Convert(utf8, &converted)) {
    return Status::Internal(
        i18n::Format(_("cannot convert the text to {} (at byte {})"), Name(to), err->offset + 1));
  }
  out += converted;
  return out;
}

}  // namespace qun::encoding
