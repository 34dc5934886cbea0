// Chinese text as people search and name: pinyin for names (张伟 found by
// zhangwei, zhang wei or zw), words of a text without spaces (徒步装备 is
// 徒步 and 装备), Traditional and Simplified forms as one (臺北 is 台北), and
// names in pinyin order. All from ICU: its Han-Latin transliteration (with
// the surname readings of Han-Latin/Names: 曾 is zeng, 单 shan), its
// dictionary-based word break iterator, its Traditional-Simplified
// transliteration and its zh collation.
//
// Thread-safe; ICU's objects are made once, on first use (about 0.1 s).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qun::text {

// The text as compared in searches: Traditional characters as Simplified,
// full-width ASCII as ASCII, letters lower-case. 臺北ＡＢ → 台北ab.
std::string FoldForSearch(std::string_view s);

// A name's pinyin, one syllable per character, lower-case ASCII without
// tones, separated by spaces: 张伟 → "zhang wei", 曾娥 → "zeng e". Latin
// letters and digits are kept, lowered; other characters dropped.
std::string NamePinyin(std::string_view name);

// Whether what someone typed names `name` by its pinyin: the whole of it,
// spaces and case ignored (zhangwei, Zhang Wei), or its initials (zw) — for
// a typed text of ASCII letters and spaces only, two letters or more.
bool MatchesPinyin(std::string_view typed, std::string_view name);

// The words of a text, folded as FoldForSearch: Chinese split by ICU's
// dictionary (梧桐山徒步路线 → 梧桐 山 徒步 路线), Latin at spaces and
// punctuation, punctuation dropped. Single Chinese characters next to each
// other are kept together (外包 is one word, though the dictionary lacks
// it); a lone one is a word of its own (摄影史 is 摄影 and 史).
std::vector<std::string> Words(std::string_view s);

// The pinyin order of the zh collation: 阿明 < 李娜 < 张伟, then Latin
// names in alphabetical order.
bool PinyinLess(std::string_view a, std::string_view b);
// The same order as a three-way answer (negative, zero, positive), for
// SQLite's PINYIN collation (core/db.cc). Text that is not valid UTF-8
// compares by ICU's replacement characters, never by crashing.
int PinyinCompare(std::string_view a, std::string_view b);

}  // namespace qun::text
