#include "base/chinese.h"

#include <unicode/brkiter.h>
#include <unicode/coll.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cassert>
#include <memory>
#include <mutex>

#include "base/text.h"

namespace qun::text {
namespace {

// ICU's objects are not for two threads at once: each is used under the
// lock, made on first use.
struct Icu {
  std::mutex mu;
  std::unique_ptr<icu::Transliterator> simplified, pinyin;
  std::unique_ptr<icu::BreakIterator> words;
  std::unique_ptr<icu::Collator> collator;

  icu::Transliterator& Simplified() {
    if (!simplified) simplified = Make("Traditional-Simplified");
    return *simplified;
  }
  icu::Transliterator& Pinyin() {
    if (!pinyin) pinyin = Make("Han-Latin/Names; Latin-ASCII; Lower");
    return *pinyin;
  }
  icu::BreakIterator& WordBreaks() {
    if (!words) {
      UErrorCode status = U_ZERO_ERROR;
      words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
      assert(U_SUCCESS(status) && words);
    }
    return *words;
  }
  icu::Collator& Collation() {
    if (!collator) {
      UErrorCode status = U_ZERO_ERROR;
      collator.reset(icu::Collator::createInstance(icu::Locale("zh"), status));
      assert(U_SUCCESS(status) && collator);
    }
    return *collator;
  }

 private:
  static std::unique_ptr<icu::Transliterator> Make(const char* id) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance(id, UTRANS_FORWARD, status));
    // The rules are in libicu's data, which the package always ships.
    assert(U_SUCCESS(status) && t);
    return t;
  }
};

Icu& TheIcu() {
  static Icu icu;
  return icu;
}

std::string Utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

icu::UnicodeString Unicode(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

bool IsHan(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC); }

bool HasHan(std::string_view s) {
  for (char32_t c : CodePoints(s))
    if (IsHan(static_cast<UChar32>(c))) return true;
  return false;
}

std::string AsciiLetters(std::string_view s) {
  std::string out;
  for (char c : AsciiLower(s))
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  return out;
}

}  // namespace

std::string FoldForSearch(std::string_view s) {
  std::string folded = AsciiLower(FoldWidth(s));
  if (!HasHan(folded)) return folded;
  icu::UnicodeString u = Unicode(folded);
  {
    Icu& icu = TheIcu();
    std::lock_guard<std::mutex> lock(icu.mu);
    icu.Simplified().transliterate(u);
  }
  return Utf8(u);
}

std::string NamePinyin(std::string_view name) {
  if (!HasHan(name)) {
    std::string out;
    for (char c : AsciiLower(FoldWidth(name)))
      out.push_back((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : ' ');
    return std::string(Trim(out));
  }
  // One syllable a character, spaced, so that initials can be taken: the
  // transliteration runs on the characters with spaces between them.
  std::u32string cps = CodePoints(FoldWidth(name));
  std::string spaced;
  for (char32_t c : cps) {
    if (!spaced.empty()) spaced.push_back(' ');
    AppendUtf8(c, spaced);
  }
  icu::UnicodeString u = Unicode(spaced);
  {
    Icu& icu = TheIcu();
    std::lock_guard<std::mutex> lock(icu.mu);
    icu.Pinyin().transliterate(u);
  }
  std::string out, syllable;
  auto flush = [&] {
    if (!syllable.empty()) out += (out.empty() ? "" : " ") + syllable;
    syllable.clear();
  };
  for (char c : Utf8(u)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      syllable.push_back(c);
    else
      flush();
  }
  flush();
  return out;
}

bool MatchesPinyin(std::string_view typed, std::string_view name) {
  std::string folded = AsciiLower(FoldWidth(typed));
  for (char c : folded)
    if (!((c >= 'a' && c <= 'z') || c == ' ')) return false;
  std::string want = AsciiLetters(folded);
  if (want.size() < 2 || !HasHan(name)) return false;
  std::string pinyin = NamePinyin(name);
  if (AsciiLetters(pinyin) == want) return true;
  std::string initials;
  for (size_t i = 0; i < pinyin.size(); ++i)
    if (i == 0 || pinyin[i - 1] == ' ') initials.push_back(pinyin[i]);
  return initials == want;
}

std::vector<std::string> Words(std::string_view s) {
  std::string folded = FoldForSearch(s);
  icu::UnicodeString u = Unicode(folded);
  struct Piece {
    std::string text;
    bool lone_han;  // a single Chinese character
  };
  std::vector<Piece> pieces;
  {
    Icu& icu = TheIcu();
    std::lock_guard<std::mutex> lock(icu.mu);
    icu::BreakIterator& breaks = icu.WordBreaks();
    breaks.setText(u);
    int32_t start = breaks.first();
    for (int32_t end = breaks.next(); end != icu::BreakIterator::DONE;
         start = end, end = breaks.next()) {
      if (breaks.getRuleStatus() == UBRK_WORD_NONE) {
        pieces.push_back({"", false});  // a space or punctuation parts words
        continue;
      }
      icu::UnicodeString piece = u.tempSubStringBetween(start, end);
      bool lone = piece.countChar32() == 1 && IsHan(piece.char32At(0));
      pieces.push_back({Utf8(piece), lone});
    }
  }
  std::vector<std::string> out;
  std::string run;  // single characters next to each other
  for (const Piece& p : pieces) {
    if (p.lone_han) {
      run += p.text;
      continue;
    }
    if (!run.empty()) out.push_back(std::move(run));
    run.clear();
    if (!p.text.empty()) out.push_back(p.text);
  }
  if (!run.empty()) out.push_back(std::move(run));
  return out;
}

bool PinyinLess(std::string_view a, std::string_view b) {
  icu::UnicodeString ua = Unicode(a), ub = Unicode(b);
  Icu& icu = TheIcu();
  std::lock_guard<std::mutex> lock(icu.mu);
  UErrorCode status = U_ZERO_ERROR;
  return icu.Collation().compare(ua, ub, status) == UCOL_LESS;
}

int PinyinCompare(std::string_view a, std::string_view b) {
  Icu& icu = TheIcu();
  std::lock_guard<std::mutex> lock(icu.mu);
  UErrorCode status = U_ZERO_ERROR;
  UCollationResult r = icu.Collation().compareUTF8(
      icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
      icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
  if (U_FAILURE(status)) return a.compare(b);
  return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

}  // namespace qun::text
