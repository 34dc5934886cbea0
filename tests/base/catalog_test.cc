// The Chinese catalog keeps every placeholder of its English message: the
// same {} (and {0}, {:02}...) in the same order, so that a translated
// message formats the same values in the same places, and none is fuzzy or
// empty.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Entry {
  // A plural message's Chinese has one form (msgstr[0]), checked against
  // the English plural.
  std::string msgctxt, msgid, msgid_plural, msgstr;
  bool fuzzy = false;
  int line = 0;
};

// Reads the PO format's "..." strings, continued over lines.
std::string Unquote(const std::string& s) {
  std::string out;
  size_t a = s.find('"'), b = s.rfind('"');
  for (size_t i = a + 1; i < b; ++i) {
    if (s[i] == '\\' && i + 1 < b) {
      char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<Entry> ReadPo(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<Entry> out;
  Entry e;
  std::string* target = nullptr;
  std::string line;
  int n = 0;
  auto flush = [&] {
    if (!e.msgid.empty()) out.push_back(e);
    e = Entry{};
    target = nullptr;
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("#,", 0) == 0 && line.find("fuzzy") != std::string::npos) e.fuzzy = true;
    if (line.rfind("msgctxt ", 0) == 0) {
      if (!e.msgid.empty()) flush();
      e.msgctxt = Unquote(line);
      target = &e.msgctxt;
    } else if (line.rfind("msgid ", 0) == 0) {
      if (!e.msgid.empty()) flush();
      e.line = n;
      e.msgid = Unquote(line);
      target = &e.msgid;
    } else if (line.rfind("msgid_plural ", 0) == 0) {
      e.msgid_plural = Unquote(line);
      target = &e.msgid_plural;
    } else if (line.rfind("msgstr[0] ", 0) == 0 || line.rfind("msgstr ", 0) == 0) {
      e.msgstr = Unquote(line);
      target = &e.msgstr;
    } else if (!line.empty() && line[0] == '"' && target) {
      *target += Unquote(line);
    } else if (line.empty()) {
      flush();
    }
  }
  flush();
  return out;
}

std::vector<std::string> Placeholders(const std::string& s) {
  static const std::regex kField(R"(\{[^{}]*\})");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kField); it != std::sregex_iterator();
       ++it)
    out.push_back(it->str());
  return out;
}

// Whether `translated` formats the same values as `english`: the same
// fields, in the same order unless every field names its argument ({0},
// {1:02}), which a sentence in another language may need to reorder.
bool SameFields(const std::string& english, const std::string& translated) {
  std::vector<std::string> a = Placeholders(english), b = Placeholders(translated);
  if (a == b) return true;
  for (const std::string& f : a)
    if (f.size() < 3 || !std::isdigit(static_cast<unsigned char>(f[1]))) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

TEST_CASE("every Chinese message keeps its English placeholders, and none is fuzzy or empty") {
  std::vector<Entry> entries = ReadPo(std::string(QUN_PO_DIR) + "/zh_CN.po");
  REQUIRE(entries.size() > 10);
  for (const Entry& e : entries) {
    CAPTURE(e.line);
    CAPTURE(e.msgid);
    CHECK_FALSE(e.fuzzy);
    CHECK_FALSE(e.msgstr.empty());
    CHECK(SameFields(e.msgid_plural.empty() ? e.msgid : e.msgid_plural, e.msgstr));
  }
}

TEST_CASE("the placeholder check itself sees a lost, changed or wrongly reordered field") {
  CHECK_FALSE(SameFields("{} is not {}", "{} 不是"));
  CHECK_FALSE(SameFields("{:02}:{:02}", "{}：{:02}"));
  CHECK(SameFields("{:02}:{:02}", "{:02}：{:02}"));
  CHECK(SameFields("{0} and {1}", "{1} 和 {0}"));
  CHECK_FALSE(SameFields("{0} and {1}", "{1} 和 {1}"));
}
