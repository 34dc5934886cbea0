#include "community/content.h"

#include <doctest/doctest.h>

#include "base/text.h"
#include "community/registry.h"
#include "core/ids.h"
#include "support/registry_store.h"

using namespace qun;
using testing::RegistryStore;

namespace {

struct Fixture : RegistryStore {
  std::string beijing, shanghai, zhang;

  Fixture() {
    beijing = AddGroup("北京摄影群");
    shanghai = AddGroup("上海读书会");
    auto txn = Begin("member add");
    core::PersonInput p;
    p.display_name = "张伟";
    auto id = reg.AddPerson(*txn, p);
    REQUIRE(id.ok());
    REQUIRE(txn->Commit().ok());
    zhang = *id;
  }
  Result<std::string> Add(const std::string& group, const std::string& title,
                          const std::string& body = "", std::vector<std::string> tags = {},
                          std::optional<std::string> url = std::nullopt) {
    auto txn = Begin("content add");
    core::ContentInput in;
    in.title = title;
    in.body = body;
    in.tags = std::move(tags);
    in.url = url;
    auto id = core::AddContent(*txn, group, in);
    if (id.ok()) REQUIRE(txn->Commit().ok());
    clock.Advance(1000);
    return id;
  }
  std::string MustAdd(const std::string& group, const std::string& title,
                      const std::string& body = "", std::vector<std::string> tags = {}) {
    auto id = Add(group, title, body, std::move(tags));
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    return *id;
  }
  Status Edit(const std::string& id, const core::ContentInput& in) {
    auto txn = Begin("content edit");
    Status s = core::EditContent(*txn, id, in);
    if (s.ok()) REQUIRE(txn->Commit().ok());
    return s;
  }
  // Titles of the hits, best first.
  std::vector<std::string> Search(const std::string& q, const core::ContentFilter& f = {}) {
    auto hits = core::SearchContent(*store, q, f);
    REQUIRE_MESSAGE(hits.ok(), q << ": " << hits.status().message());
    std::vector<std::string> titles;
    for (const auto& h : *hits) titles.push_back(h.item.title);
    return titles;
  }
  int64_t Rows() { return Int("SELECT count(*) FROM content"); }
};

using Titles = std::vector<std::string>;

}  // namespace

TEST_SUITE("content") {
  TEST_CASE_FIXTURE(Fixture, "an item keeps its title, link, text, tags and author") {
    auto txn = Begin();
    core::ContentInput in;
    in.title = "  摄影入门指南 ";
    in.url = "https://mp.weixin.qq.com/s/abc";
    in.body = "光圈、快门和感光度。";
    in.tags = std::vector<std::string>{"摄影", " 入门 ", "摄影", ""};
    in.person_id = zhang;
    auto id = core::AddContent(*txn, beijing, in);
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    REQUIRE(txn->Commit().ok());
    CHECK(core::GroupOfRowId(*id) == beijing);
    auto c = core::GetContent(*store, *id);
    REQUIRE(c.ok());
    CHECK(c->title == "摄影入门指南");
    CHECK(c->url == "https://mp.weixin.qq.com/s/abc");
    CHECK(c->body == "光圈、快门和感光度。");
    CHECK(c->tags == Titles{"摄影", "入门"});
    CHECK(c->person_name == "张伟");
    CHECK(c->group_name == "北京摄影群");
    CHECK(c->saved_at == 1'700'000'000'000);
    // Tags are stored one per line.
    CHECK(std::get<std::string>(Get("SELECT tags FROM content")) == "摄影\n入门");
  }

  TEST_CASE_FIXTURE(Fixture, "items are listed newest first, by group and by tag") {
    MustAdd(beijing, "第一篇", "", {"摄影"});
    MustAdd(shanghai, "第二篇", "", {"读书"});
    MustAdd(beijing, "第三篇", "", {"AI", "摄影"});
    auto all = core::ListContent(*store, {});
    REQUIRE(all.ok());
    REQUIRE(all->size() == 3);
    CHECK((*all)[0].title == "第三篇");
    CHECK((*all)[2].title == "第一篇");
    core::ContentFilter f;
    f.group_id = beijing;
    CHECK(core::ListContent(*store, f)->size() == 2);
    core::ContentFilter t;
    t.tag = "摄影";
    CHECK(core::ListContent(*store, t)->size() == 2);
    t.tag = "ai";  // Latin tags match in any case
    CHECK(core::ListContent(*store, t)->size() == 1);
    t.tag = "摄";  // a whole tag, not a piece of one
    CHECK(core::ListContent(*store, t)->empty());
  }

  TEST_CASE_FIXTURE(Fixture, "bad input is refused and writes nothing") {
    CHECK(Add(beijing, "   ").status().code() == Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "两行\n标题").status().code() == Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "链接", "", {}, "ftp://x.cn").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "链接", "", {}, "mp.weixin.qq.com/s/abc").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "链接", "", {}, "https://").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "链接", "", {}, "https://a b.cn").status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "坏文本", std::string("\xff\xfe")).status().code() ==
          Status::Code::kInvalidArgument);
    CHECK(Add(beijing, "坏标签", "", {"a\nb"}).status().code() == Status::Code::kInvalidArgument);
    CHECK(Add(std::string(32, 'a'), "没有这个群").status().code() == Status::Code::kNotFound);
    {
      auto txn = Begin();
      core::ContentInput in;
      in.title = "谁写的";
      in.person_id = std::string(32, 'b');
      CHECK(core::AddContent(*txn, beijing, in).status().code() == Status::Code::kNotFound);
    }
    CHECK(Rows() == 0);
    CHECK(core::CheckUrl("HTTPS://Example.com/路径?q=1").ok());
    CHECK(core::CheckUrl("http://example.com").ok());
  }

  TEST_CASE_FIXTURE(Fixture, "search finds Chinese words of two, three and four characters") {
    MustAdd(beijing, "摄影入门指南", "讲解光圈和快门的基础知识");
    MustAdd(beijing, "夜景拍摄技巧", "三脚架与长曝光");
    MustAdd(shanghai, "读书笔记", "关于摄影史的一本书");
    CHECK(Search("摄影").size() == 2);  // title of one, text of another
    CHECK(Search("光圈") == Titles{"摄影入门指南"});
    CHECK(Search("长曝光") == Titles{"夜景拍摄技巧"});
    // The item holding the words as typed first, one with some of them after.
    CHECK(Search("摄影入门") == Titles{"摄影入门指南", "读书笔记"});
    CHECK(Search("三脚架与") == Titles{"夜景拍摄技巧"});
    CHECK(Search("影").size() == 2);  // one character works too
    CHECK(Search("水彩").empty());
    CHECK(Search("水彩画法").empty());
  }

  TEST_CASE_FIXTURE(Fixture, "search finds Chinese words in any order and place, all before some") {
    MustAdd(beijing, "梧桐山徒步路线和装备清单", "周六出发，集合地点见群公告");
    MustAdd(beijing, "露营装备推荐", "帐篷和睡袋");
    MustAdd(shanghai, "城市徒步", "外滩到陆家嘴");
    // No item holds 徒步装备 as written: the one holding both words first.
    Titles hits = Search("徒步装备");
    REQUIRE(hits.size() == 3);
    CHECK(hits[0] == "梧桐山徒步路线和装备清单");
    CHECK(Search("装备徒步").front() == "梧桐山徒步路线和装备清单");  // any order
    CHECK(Search("帐篷 装备") == Titles{"露营装备推荐"});             // typed terms: every one
    CHECK(Search("潜水装备") == Titles{"露营装备推荐", "梧桐山徒步路线和装备清单"});
  }

  TEST_CASE_FIXTURE(Fixture, "search folds Traditional and Simplified characters together") {
    MustAdd(beijing, "台北读书会", "每月一次");
    MustAdd(beijing, "臺灣行程", "從臺北到高雄的裝備清單");
    CHECK(Search("臺北") == Titles{"台北读书会", "臺灣行程"});
    CHECK(Search("台湾") == Titles{"臺灣行程"});
    CHECK(Search("装备清单") == Titles{"臺灣行程"});
  }

  TEST_CASE_FIXTURE(Fixture, "search ranks a match in the title above one in the text") {
    MustAdd(beijing, "读书会安排", "下周讨论摄影构图");
    MustAdd(beijing, "摄影构图十讲", "从三分法开始");
    CHECK(Search("摄影构图") == Titles{"摄影构图十讲", "读书会安排"});
  }

  TEST_CASE_FIXTURE(Fixture, "search matches mixed Chinese and Latin, Latin in any case") {
    MustAdd(beijing, "Python 数据分析", "用 Pandas 处理表格");
    MustAdd(beijing, "AI 绘画", "Stable Diffusion 入门");
    CHECK(Search("python") == Titles{"Python 数据分析"});
    CHECK(Search("PANDAS") == Titles{"Python 数据分析"});
    CHECK(Search("ai") == Titles{"AI 绘画"});      // two Latin letters: the scan, any case
    CHECK(Search("AI绘画") == Titles{"AI 绘画"});  // the words, with or without a space
    CHECK(Search("AI 绘画") == Titles{"AI 绘画"});
    CHECK(Search("diffusion 入门") == Titles{"AI 绘画"});
  }

  TEST_CASE_FIXTURE(Fixture, "every word of a query must match") {
    MustAdd(beijing, "摄影入门", "器材推荐");
    MustAdd(beijing, "摄影进阶", "后期修图");
    CHECK(Search("摄影 器材") == Titles{"摄影入门"});
    CHECK(Search("摄影 后期修图") == Titles{"摄影进阶"});
    CHECK(Search("摄影　器材") == Titles{"摄影入门"});  // ideographic space
    CHECK(Search("器材 修图").empty());
    CHECK(core::SearchContent(*store, "  　 ", {}).status().code() ==
          Status::Code::kInvalidArgument);
  }

  TEST_CASE_FIXTURE(Fixture, "search finds tags and links, within a group or a tag") {
    MustAdd(beijing, "第一篇", "", {"风光摄影"});
    auto txn = Begin();
    core::ContentInput in;
    in.title = "公众号文章";
    in.url = "https://mp.weixin.qq.com/s/xyz";
    in.tags = std::vector<std::string>{"风光摄影"};
    REQUIRE(core::AddContent(*txn, shanghai, in).ok());
    REQUIRE(txn->Commit().ok());
    CHECK(Search("风光").size() == 2);
    CHECK(Search("weixin") == Titles{"公众号文章"});
    core::ContentFilter f;
    f.group_id = beijing;
    CHECK(Search("风光", f) == Titles{"第一篇"});
    CHECK(Search("风光摄影", f) == Titles{"第一篇"});
    core::ContentFilter t;
    t.tag = "风光摄影";
    CHECK(Search("公众号", t) == Titles{"公众号文章"});
    t.tag = "人像";
    CHECK(Search("公众号", t).empty());
  }

  TEST_CASE_FIXTURE(Fixture, "hostile queries never cause a syntax error") {
    MustAdd(beijing, "C++ 与 \"引号\" (括号) 50% a_b", "OR AND NOT * - ^ : NEAR");
    for (const char* q : {"\"",
                          "\"\"",
                          "\"摄影",
                          "摄影\"",
                          "a OR b",
                          "OR",
                          "AND",
                          "NOT",
                          "NEAR(",
                          "NEAR(a b)",
                          "*",
                          "摄*",
                          "-摄影",
                          "(摄影)",
                          "^摄影",
                          "title:摄影",
                          "{title}: x",
                          "'",
                          "%",
                          "_",
                          "\\",
                          "摄影 OR 编程 AND NOT x",
                          "\"\"\"\"",
                          "c++",
                          "\"引号\"",
                          "(括号)",
                          ") (",
                          "a:b:c",
                          "+",
                          "%_%",
                          "'; DROP TABLE content; --"}) {
      auto hits = core::SearchContent(*store, q, {});
      CHECK_MESSAGE(hits.ok(), q << ": " << hits.status().message());
    }
    // Syntax characters are matched as text.
    CHECK(Search("\"引号\"").size() == 1);
    CHECK(Search("(括号)").size() == 1);
    CHECK(Search("C++").size() == 1);
    CHECK(Search("50%").size() == 1);
    CHECK(Search("NEAR").size() == 1);
    CHECK(Search("%_%").empty());  // no wildcards
    CHECK(Search("title:水彩").empty());  // no column filter: the words, none held
    CHECK(Rows() == 1);
  }

  TEST_CASE_FIXTURE(Fixture, "edits and removals show in search at once") {
    std::string id = MustAdd(beijing, "摄影入门指南", "光圈");
    core::ContentInput in;
    in.title = "人像布光笔记";
    in.body = "柔光箱";
    in.add_tags = {"人像"};
    REQUIRE(Edit(id, in).ok());
    CHECK(Search("摄影入门").empty());
    CHECK(Search("光圈").empty());
    CHECK(Search("人像布光") == Titles{"人像布光笔记"});
    CHECK(Search("柔光箱") == Titles{"人像布光笔记"});
    core::ContentInput tags;
    tags.remove_tags = {"人像"};
    tags.add_tags = {"布光"};
    REQUIRE(Edit(id, tags).ok());
    CHECK(core::GetContent(*store, id)->tags == Titles{"布光"});
    {
      auto txn = Begin();
      REQUIRE(core::RemoveContent(*txn, id).ok());
      REQUIRE(txn->Commit().ok());
    }
    CHECK(Search("人像布光").empty());
    CHECK(Search("布光").empty());
    CHECK(core::ListContent(*store, {})->empty());
    CHECK(core::GetContent(*store, id).status().code() == Status::Code::kNotFound);
    auto txn = Begin();
    CHECK(core::RemoveContent(*txn, id).code() == Status::Code::kNotFound);
  }

  TEST_CASE_FIXTURE(Fixture, "an edit with bad input is refused and changes nothing") {
    std::string id = MustAdd(beijing, "摄影入门指南", "光圈");
    int64_t ops = Int("SELECT count(*) FROM op");
    core::ContentInput in;
    in.title = "";
    CHECK(Edit(id, in).code() == Status::Code::kInvalidArgument);
    core::ContentInput url;
    url.url = "javascript:alert(1)";
    CHECK(Edit(id, url).code() == Status::Code::kInvalidArgument);
    CHECK(core::GetContent(*store, id)->title == "摄影入门指南");
    CHECK(Int("SELECT count(*) FROM op") == ops);
    core::ContentInput clear;
    clear.body = "";
    REQUIRE(Edit(id, clear).ok());
    CHECK(core::GetContent(*store, id)->body.empty());
    CHECK(Search("光圈").empty());
  }

  TEST_CASE_FIXTURE(Fixture, "items of a deleted group leave lists and search") {
    MustAdd(shanghai, "读书笔记", "摄影史");
    {
      auto txn = Begin();
      REQUIRE(txn->Set("chat_group", shanghai, "deleted", int64_t{1}).ok());
      REQUIRE(txn->Commit().ok());
    }
    CHECK(Search("摄影史").empty());
    CHECK(Search("读书").empty());
    CHECK(core::ListContent(*store, {})->empty());
  }

  TEST_CASE("query words split at ASCII and ideographic spaces — terms are quoted for FTS5") {
    CHECK(core::QueryTerms(" 摄影　入门  python\t") == Titles{"摄影", "入门", "python"});
    CHECK(core::QueryTerms("").empty());
  }

  TEST_CASE("snippets show the match, cut by display width at character boundaries") {
    std::string body =
        "这是一段很长的中文文字，用来测试摘要的截取是否正确。关键字在这里：摄影构图。"
        "后面还有很多很多的文字，一直写到超过显示宽度为止，再多写一点。";
    std::string s = core::Snippet(body, "摄影构图", 40);
    CHECK(text::IsValidUtf8(s));
    CHECK(text::DisplayWidth(s) <= 40);
    CHECK(s.find("摄影构图") != std::string::npos);
    CHECK(s.rfind("…", 0) == 0);  // cut at the front
    CHECK(s.size() >= 3);
    CHECK(s.substr(s.size() - 3) == "…");  // and at the end
    // Latin matched in any case; line breaks become spaces.
    std::string latin = core::Snippet("Line one\nPhotography basics", "PHOTO", 60);
    CHECK(latin == "Line one Photography basics");
    // No match: the start of the text.
    std::string start = core::Snippet(body, "不存在", 20);
    CHECK(start.rfind("这是一段", 0) == 0);
    CHECK(text::DisplayWidth(start) <= 20);
    // Odd widths never split a wide character.
    for (size_t w = 8; w < 30; ++w) {
      std::string cut = core::Snippet(body, "摄影", w);
      CHECK(text::IsValidUtf8(cut));
      CHECK(text::DisplayWidth(cut) <= w);
    }
  }

  TEST_CASE_FIXTURE(Fixture, "search hits carry a snippet of the text around the match") {
    MustAdd(beijing, "长文", std::string(200, 'x') + " 关键的摄影技巧 " + std::string(200, 'y'));
    auto hits = core::SearchContent(*store, "摄影技巧", {});
    REQUIRE(hits.ok());
    REQUIRE(hits->size() == 1);
    CHECK((*hits)[0].snippet.find("摄影技巧") != std::string::npos);
    CHECK(text::DisplayWidth((*hits)[0].snippet) <= core::kSnippetWidth);
    CHECK((*hits)[0].rank != 0.0);  // bm25 was used
  }
}
