// Chinese text as organizers search and name: pinyin of names with their
// surname readings, words of unspaced text, Traditional folded into
// Simplified, and pinyin order.
#include "base/chinese.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace qun::text;

TEST_CASE("a name's pinyin, with the readings surnames take") {
  CHECK(NamePinyin("张伟") == "zhang wei");
  CHECK(NamePinyin("曾娥") == "zeng e");      // not ceng
  CHECK(NamePinyin("单雄") == "shan xiong");  // not dan
  CHECK(NamePinyin("Zhang Wei") == "zhang wei");
  CHECK(NamePinyin("王芳2") == "wang fang 2");
  CHECK(NamePinyin("") == "");
}

TEST_CASE("a name is found by its whole pinyin or its initials, not by a part") {
  CHECK(MatchesPinyin("zhangwei", "张伟"));
  CHECK(MatchesPinyin("zhang wei", "张伟"));
  CHECK(MatchesPinyin("ZhangWei", "张伟"));
  CHECK(MatchesPinyin("zw", "张伟"));
  CHECK(MatchesPinyin("ｚｗ", "张伟"));  // full-width, as an input method may type
  CHECK_FALSE(MatchesPinyin("zhang", "张伟"));
  CHECK_FALSE(MatchesPinyin("z", "张"));  // one letter names too many
  CHECK_FALSE(MatchesPinyin("lina", "张伟"));
  CHECK_FALSE(MatchesPinyin("张伟", "张伟"));     // characters are matched elsewhere
  CHECK_FALSE(MatchesPinyin("zw", "Zhang Wei"));  // a Latin name by its letters only
  CHECK(MatchesPinyin("zenge", "曾娥"));
}

TEST_CASE("the words of unspaced Chinese text, Latin words and punctuation") {
  CHECK(Words("徒步装备") == std::vector<std::string>{"徒步", "装备"});
  std::vector<std::string> title = Words("梧桐山徒步路线和装备清单");
  CHECK(std::count(title.begin(), title.end(), "徒步") == 1);
  CHECK(std::count(title.begin(), title.end(), "装备") == 1);
  // 设计外包: 外 and 包 alone in the dictionary's view, kept as one word.
  CHECK(Words("设计外包") == std::vector<std::string>{"设计", "外包"});
  std::vector<std::string> offer = Words("免费设计咨询");
  CHECK(std::count(offer.begin(), offer.end(), "设计") == 1);
  CHECK(Words("Photo walk, 摄影！") == std::vector<std::string>{"photo", "walk", "摄影"});
  CHECK(Words("书") == std::vector<std::string>{"书"});
  CHECK(Words("摄影史") == std::vector<std::string>{"摄影", "史"});
  CHECK(Words("  ，。 ").empty());
}

TEST_CASE("Traditional and Simplified forms fold into one, and full-width into ASCII") {
  CHECK(FoldForSearch("臺北") == "台北");
  CHECK(FoldForSearch("裝備清單") == "装备清单");
  CHECK(FoldForSearch("台北") == "台北");
  CHECK(FoldForSearch("ＡＢc") == "abc");
  CHECK(Words("臺北徒步") == Words("台北徒步"));
}

TEST_CASE("names sort in pinyin order") {
  std::vector<std::string> names = {"张伟", "阿明", "李娜", "Bob", "王芳"};
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return PinyinLess(a, b); });
  // Chinese names by pinyin, then Latin ones: the zh order of ICU.
  CHECK(names == std::vector<std::string>{"阿明", "李娜", "王芳", "张伟", "Bob"});
}
