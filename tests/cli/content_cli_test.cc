// `qun content ...` end to end: saving posts and links for a group, listing,
// editing, removing, and searching them in Chinese and Latin text.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/cli_steps.h"

using nlohmann::json;
using qun::testing::CliResult;
using qun::testing::Contains;
using qun::testing::Ok;
using qun::testing::OkJson;
using qun::testing::TempHome;
using qun::testing::TwoHomes;

namespace {

void Setup(const TempHome& h) {
  Ok(h, {"init", "--name", "摄影爱好者", "--admin", "小林"});
  Ok(h, {"group", "add", "北京摄影群"});
  Ok(h, {"group", "add", "上海读书会"});
  Ok(h, {"member", "add", "张伟", "--wechat", "zw_001", "--group", "北京摄影群"});
}

std::vector<std::string> Titles(const json& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.at("title"));
  return out;
}

std::vector<std::string> Search(const TempHome& h, std::vector<std::string> args) {
  args.insert(args.begin(), {"content", "search"});
  return Titles(OkJson(h, args));
}

using Titles_ = std::vector<std::string>;

}  // namespace

TEST_SUITE("cli content") {
  TEST_CASE("content is saved, listed, shown, edited and removed") {
    TempHome h;
    Setup(h);
    json added = OkJson(h, {"content", "add", "北京摄影群", "摄影入门指南", "--url",
                            "https://mp.weixin.qq.com/s/abc", "--body", "光圈、快门和感光度",
                            "--tag", "摄影", "--tag", "入门", "--by", "张伟"});
    CHECK(added.at("title") == "摄影入门指南");
    CHECK(added.at("group") == "北京摄影群");
    CHECK(added.at("tags") == json({"摄影", "入门"}));
    CHECK(added.at("person") == "张伟");
    std::string id = added.at("short_id");
    CliResult text = Ok(h, {"content", "add", "上海读书会", "读书笔记：摄影史", "--tag", "读书"});
    CHECK(Contains(text.out, "Saved 读书笔记：摄影史"));

    CHECK(Titles(OkJson(h, {"content", "list"})) == Titles_{"读书笔记：摄影史", "摄影入门指南"});
    CHECK(Titles(OkJson(h, {"content", "list", "--group", "北京摄影群"})) ==
          Titles_{"摄影入门指南"});
    CHECK(Titles(OkJson(h, {"content", "list", "--tag", "读书"})) == Titles_{"读书笔记：摄影史"});
    CliResult list = Ok(h, {"content", "list"});
    CHECK(Contains(list.out, "#摄影 #入门"));
    CHECK(Contains(list.out, "2 items"));

    CliResult show = Ok(h, {"content", "show", id});
    CHECK(Contains(show.out, "https://mp.weixin.qq.com/s/abc"));
    CHECK(Contains(show.out, "光圈、快门和感光度"));
    CHECK(Contains(show.out, "张伟"));
    CHECK(OkJson(h, {"content", "show", "摄影入门指南"}).at("short_id") == id);

    json edited = OkJson(h, {"content", "edit", id, "--title", "摄影入门（新版）", "--add-tag",
                             "器材", "--remove-tag", "入门", "--url", ""});
    CHECK(edited.at("title") == "摄影入门（新版）");
    CHECK(edited.at("tags") == json({"摄影", "器材"}));
    CHECK(edited.at("url") == "");
    CHECK(edited.at("changed_fields") == 3);
    CHECK(Contains(Ok(h, {"content", "edit", id, "--title", "摄影入门（新版）"}).out,
                   "Nothing changed"));

    CliResult removed = Ok(h, {"content", "remove", id});
    CHECK(Contains(removed.out, "Removed 摄影入门（新版）"));
    CHECK(Titles(OkJson(h, {"content", "list"})) == Titles_{"读书笔记：摄影史"});
    CliResult gone = h.Qun({"content", "show", id});
    CHECK_EXIT(gone, 3);
    CHECK(Contains(gone.err, "qun content list"));
    CHECK_EXIT(h.Qun({"content", "remove", id}), 3);
  }

  TEST_CASE("content text can come from a file or standard input") {
    TempHome h;
    Setup(h);
    std::string file = h.Write("post.md", "# 器材推荐\n入门相机选择：微单。\n");
    json a = OkJson(h, {"content", "add", "北京摄影群", "器材推荐", "--body-file", file});
    CHECK(a.at("body") == "# 器材推荐\n入门相机选择：微单。\n");
    qun::testing::CliOptions in;
    in.stdin_bytes = "夜景要带三脚架";
    json b = OkJson(h, {"content", "add", "北京摄影群", "夜景", "--body-file", "-"}, in);
    CHECK(b.at("body") == "夜景要带三脚架");
    CHECK(Search(h, {"三脚架"}) == Titles_{"夜景"});
  }

  TEST_CASE("content add refuses bad input with a clear message and writes nothing") {
    TempHome h;
    Setup(h);
    std::string hash = Ok(h, {"state-hash"}).out;
    CHECK_EXIT(h.Qun({"content", "add", "北京摄影群"}), 2);  // no title
    CliResult empty = h.Qun({"content", "add", "北京摄影群", "  "});
    CHECK_EXIT(empty, 2);
    CHECK(Contains(empty.err, "title is empty"));
    CliResult url = h.Qun({"content", "add", "北京摄影群", "链接", "--url", "weixin.qq.com/s/1"});
    CHECK_EXIT(url, 2);
    CHECK(Contains(url.err, "http://"));
    CliResult by = h.Qun({"content", "add", "北京摄影群", "谁写的", "--by", "不存在的人"});
    CHECK_EXIT(by, 3);
    CHECK(Contains(by.err, "--by"));
    CliResult group = h.Qun({"content", "add", "广州群", "标题"});
    CHECK_EXIT(group, 3);
    CHECK(Contains(group.err, "qun group list"));
    CliResult both =
        h.Qun({"content", "add", "北京摄影群", "两份", "--body", "x", "--body-file", "-"});
    CHECK_EXIT(both, 2);
    CHECK(Contains(both.err, "either --body or --body-file"));
    CHECK_EXIT(h.Qun({"content", "add", "北京摄影群", "无文件", "--body-file", h.Beside("nope")}),
               3);
    std::string bad = h.Write("bad.txt", "\xff\xfe GBK?");
    CliResult utf8 = h.Qun({"content", "add", "北京摄影群", "坏编码", "--body-file", bad});
    CHECK_EXIT(utf8, 2);
    CHECK(Contains(utf8.err, "UTF-8"));
    CHECK(OkJson(h, {"content", "list"}).empty());
    CHECK(Ok(h, {"state-hash"}).out == hash);
    CHECK_EXIT(h.Qun({"content", "edit", "ffffffff", "--title", "x"}), 3);
    CHECK_EXIT(h.Qun({"content", "show", "没有这篇"}), 3);
  }

  TEST_CASE("content search works for Chinese words of any length, Latin in any case") {
    TempHome h;
    Setup(h);
    Ok(h, {"content", "add", "北京摄影群", "摄影入门指南", "--body", "讲解光圈和快门的基础知识",
           "--tag", "摄影"});
    Ok(h, {"content", "add", "北京摄影群", "Python 数据分析", "--body", "用 Pandas 处理照片元数据",
           "--tag", "编程"});
    Ok(h, {"content", "add", "上海读书会", "读书笔记", "--body", "一本关于摄影史的书", "--tag",
           "读书"});
    CHECK(Search(h, {"摄影"}).size() == 2);
    CHECK(Search(h, {"光圈"}) == Titles_{"摄影入门指南"});                 // 2 characters
    // 3: the item holding 摄影史 first, then one holding 摄影 only.
    CHECK(Search(h, {"摄影史"}) == Titles_{"读书笔记", "摄影入门指南"});
    CHECK(Search(h, {"基础知识"}) == Titles_{"摄影入门指南"});             // 4
    CHECK(Search(h, {"pandas", "元数据"}) == Titles_{"Python 数据分析"});  // mixed, any case
    CHECK(Search(h, {"PYTHON"}) == Titles_{"Python 数据分析"});
    CHECK(Search(h, {"摄影", "光圈"}) == Titles_{"摄影入门指南"});  // all words
    CHECK(Search(h, {"摄影", "--group", "上海读书会"}) == Titles_{"读书笔记"});
    CHECK(Search(h, {"摄影", "--tag", "摄影"}) == Titles_{"摄影入门指南"});
    CHECK(Search(h, {"水彩"}).empty());
    json hit = OkJson(h, {"content", "search", "快门"});
    REQUIRE(hit.size() == 1);
    CHECK(Contains(hit[0].at("snippet").get<std::string>(), "快门"));
    CliResult text = Ok(h, {"content", "search", "快门"});
    CHECK(Contains(text.out, "摄影入门指南"));
    CHECK(Contains(text.out, "1 match"));
    CHECK(Contains(Ok(h, {"content", "search", "水彩"}).out, "Nothing matches"));
  }

  TEST_CASE("content search finds unspaced Chinese words and Traditional forms") {
    TempHome h;
    Setup(h);
    Ok(h, {"content", "add", "北京摄影群", "梧桐山徒步路线和装备清单", "--body", "周六集合"});
    Ok(h, {"content", "add", "北京摄影群", "臺北攝影展", "--body", "展期兩週"});
    // The trial: 徒步装备 found nothing, the item holding both words unspaced.
    CHECK(Search(h, {"徒步装备"}) == Titles_{"梧桐山徒步路线和装备清单"});
    CHECK(Search(h, {"装备", "徒步"}) == Titles_{"梧桐山徒步路线和装备清单"});
    CHECK(Search(h, {"台北摄影"}) == Titles_{"臺北攝影展"});
    CHECK(Search(h, {"台北摄影", "--lang", "zh"}) == Titles_{"臺北攝影展"});
  }

  TEST_CASE("content search takes any query text without a syntax error") {
    TempHome h;
    Setup(h);
    Ok(h, {"content", "add", "北京摄影群", "C++ 与 \"引号\" (括号)", "--body", "OR AND NOT *"});
    for (const char* q : {"\"", "\"摄影", "a OR b", "NOT", "NEAR(a b)", "摄*", "(摄影)",
                          "title:摄影", "'; DROP TABLE content; --", "%", "\"\"\"\""}) {
      CliResult r = h.Qun({"content", "search", q});
      CHECK_EXIT(r, 0);
    }
    CHECK_EXIT(h.Qun({"content", "search", "--", "-摄影"}), 0);
    CHECK(Search(h, {"\"引号\""}).size() == 1);
    CHECK(Search(h, {"(括号)"}).size() == 1);
    CHECK(Search(h, {"OR", "AND"}).size() == 1);
    CliResult blank = h.Qun({"content", "search", "  "});
    CHECK_EXIT(blank, 2);
    CHECK(Contains(blank.err, "no words"));
  }

  TEST_CASE("content edited or removed leaves search at once") {
    TempHome h;
    Setup(h);
    std::string id = OkJson(h, {"content", "add", "北京摄影群", "夜景拍摄技巧", "--body", "长曝光"})
                         .at("short_id");
    Ok(h, {"content", "edit", id, "--title", "人像布光", "--body", "柔光箱"});
    CHECK(Search(h, {"夜景"}).empty());
    CHECK(Search(h, {"长曝光"}).empty());
    CHECK(Search(h, {"柔光箱"}) == Titles_{"人像布光"});
    Ok(h, {"content", "remove", id});
    CHECK(Search(h, {"人像"}).empty());
  }

  TEST_CASE("content saved on another admin's node is searchable after sync") {
    TwoHomes t;
    Ok(t.a, {"group", "add", "北京摄影群"});
    t.Send(t.a, t.b);
    Ok(t.b, {"content", "add", "北京摄影群", "夜景摄影技巧", "--body", "三脚架与长曝光"});
    CHECK(Search(t.a, {"夜景"}).empty());
    t.Send(t.b, t.a);
    CHECK(Search(t.a, {"夜景"}) == Titles_{"夜景摄影技巧"});
    CHECK(Search(t.a, {"三脚架与长曝光"}) == Titles_{"夜景摄影技巧"});
  }
}
