#include "community/content.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/chinese.h"
#include "base/i18n.h"
#include "base/text.h"
#include "community/registry.h"
#include "core/db.h"
#include "core/ids.h"

namespace qun::core {

const GroupRowKind kContentKind = {"content", "title", NC_("row kind", "content item"),
                                   "qun content list"};

namespace {

// The columns every read selects, in ReadItem's order.
constexpr char kItemColumns[] =
    "c.id, c.group_id, coalesce(g.name,''), coalesce(c.title,''), coalesce(c.url,''), "
    "coalesce(c.body,''), coalesce(c.tags,''), coalesce(c.person_id,''), "
    "coalesce(p.display_name,''), coalesce(c.saved_at,0)";
// Live items of live groups, with their group and person.
constexpr char kItemJoins[] =
    "JOIN chat_group g ON g.id = c.group_id AND g.deleted = 0 "
    "LEFT JOIN person p ON p.id = c.person_id";

ContentItem ReadItem(const Statement& s) {
  ContentItem c;
  c.id = s.Text(0);
  c.group_id = s.Text(1);
  c.group_name = s.Text(2);
  c.title = s.Text(3);
  c.url = s.Text(4);
  c.body = s.Text(5);
  std::string tags = s.Text(6);  // SplitLines returns views into it
  for (std::string_view t : text::SplitLines(tags)) c.tags.emplace_back(t);
  c.person_id = s.Text(7);
  c.person_name = s.Text(8);
  c.saved_at = s.Int(9);
  return c;
}

bool SameTag(const std::string& a, const std::string& b) {
  return text::AsciiLower(a) == text::AsciiLower(b);
}

std::string TagLines(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : "\n") + t;
  return out;
}

// Empty text is stored as NULL, as for a field never set.
Value TextValue(const std::string& s) { return s.empty() ? Value() : Value(s); }

Result<std::string> CheckTitle(const std::string& title) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "title"), title));
  std::string t = text::Trim(title);
  if (t.empty())
    return Status::InvalidArgument(
        _("the title is empty; give the item a title, e.g. \"摄影入门\""));
  if (t.find('\n') != std::string::npos || t.find('\r') != std::string::npos)
    return Status::InvalidArgument(_("the title must be one line; put longer text in --body"));
  return t;
}

Status CheckPerson(Registry& reg, const std::string& person_id) {
  QUN_ASSIGN_OR_RETURN(auto removed, reg.PersonRemoved(person_id));
  if (!removed || *removed)
    return Status::NotFound(
        _("the person given with --by is not in the community; list people with `qun member "
          "list`"));
  return Status::Ok();
}

// The filter's conditions, appended to `where`, with their parameters.
void AddFilter(const ContentFilter& f, std::string& where, std::vector<std::string>& params) {
  if (f.group_id) {
    params.push_back(*f.group_id);
    where += fmt::format(" AND c.group_id = ?{}", params.size());
  }
  if (f.tag) {
    // A tag is a whole line of the tags field; ASCII case ignored.
    params.push_back(text::AsciiLower("\n" + text::Trim(*f.tag) + "\n"));
    where += fmt::format(" AND instr(lower(char(10) || coalesce(c.tags,'') || char(10)), ?{}) > 0",
                         params.size());
  }
}

Result<std::vector<ContentItem>> Query(Store& store, const std::string& where,
                                       const std::vector<std::string>& params) {
  QUN_ASSIGN_OR_RETURN(Statement s,
                       store.db().Prepare(fmt::format("SELECT {} FROM content c {} WHERE {} "
                                                      "ORDER BY c.saved_at DESC, c.id",
                                                      kItemColumns, kItemJoins, where)));
  for (size_t i = 0; i < params.size(); ++i) s.Bind(static_cast<int>(i + 1), params[i]);
  std::vector<ContentItem> out;
  while (true) {
    QUN_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadItem(s));
  }
  return out;
}

}  // namespace

Status CheckUrl(const std::string& url) {
  std::string lowered = text::AsciiLower(url);
  size_t scheme = lowered.rfind("https://", 0) == 0 ? 8 : lowered.rfind("http://", 0) == 0 ? 7 : 0;
  auto bad = [&] {
    return Status::InvalidArgument(
        i18n::Format(_("'{}' is not a web address; give one that starts with http:// or "
                       "https://, e.g. https://mp.weixin.qq.com/s/abc"),
                     url));
  };
  if (scheme == 0 || url.size() == scheme) return bad();
  if (!text::IsValidUtf8(url)) return bad();
  for (unsigned char ch : url)
    if (ch <= 0x20 || ch == 0x7f) return bad();
  // A host: something before the first '/', '?' or '#'.
  char first = url[scheme];
  if (first == '/' || first == '?' || first == '#' || first == '.') return bad();
  return Status::Ok();
}

Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& raw : tags) {
    QUN_RETURN_IF_ERROR(CheckText(C_("field", "tag"), raw));
    std::string t = text::Trim(raw);
    if (t.empty()) continue;
    if (t.find('\n') != std::string::npos || t.find('\r') != std::string::npos)
      return Status::InvalidArgument(_("a tag must be one line; give each tag with its own --tag"));
    bool seen = std::any_of(out.begin(), out.end(), [&](const auto& o) { return SameTag(o, t); });
    if (!seen) out.push_back(t);
  }
  return out;
}

Result<std::string> AddContent(WriteTxn& txn, const std::string& group_id, const ContentInput& in) {
  Registry reg(txn.store());
  QUN_RETURN_IF_ERROR(reg.GetGroup(group_id).status());
  if (!in.title) return Status::InvalidArgument(_("a content item needs a title"));
  QUN_ASSIGN_OR_RETURN(std::string title, CheckTitle(*in.title));
  std::string url = in.url ? text::Trim(*in.url) : "";
  if (!url.empty()) QUN_RETURN_IF_ERROR(CheckUrl(url));
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "body"), in.body));
  std::vector<std::string> given = in.tags.value_or(std::vector<std::string>{});
  given.insert(given.end(), in.add_tags.begin(), in.add_tags.end());
  QUN_ASSIGN_OR_RETURN(std::vector<std::string> tags, NormalizeTags(given));
  std::string person = in.person_id.value_or("");
  if (!person.empty()) QUN_RETURN_IF_ERROR(CheckPerson(reg, person));

  std::string id = GroupRowId(group_id, RandomId());
  auto set = [&](const char* column, const Value& v) -> Status {
    if (IsNull(v)) return Status::Ok();
    return txn.Set("content", id, column, v).status();
  };
  QUN_RETURN_IF_ERROR(set("title", title));
  QUN_RETURN_IF_ERROR(set("url", TextValue(url)));
  QUN_RETURN_IF_ERROR(set("body", TextValue(in.body.value_or(""))));
  QUN_RETURN_IF_ERROR(set("tags", TextValue(TagLines(tags))));
  QUN_RETURN_IF_ERROR(set("person_id", TextValue(person)));
  QUN_RETURN_IF_ERROR(set("saved_at", NowMs(txn.store())));
  QUN_RETURN_IF_ERROR(set("deleted", int64_t{0}));
  return id;
}

Status EditContent(WriteTxn& txn, const std::string& id, const ContentInput& in) {
  Registry reg(txn.store());
  QUN_ASSIGN_OR_RETURN(ContentItem cur, GetContent(txn.store(), id));
  std::optional<std::string> title;
  if (in.title) {
    QUN_ASSIGN_OR_RETURN(title, CheckTitle(*in.title));
  }
  std::optional<std::string> url;
  if (in.url) {
    url = text::Trim(*in.url);
    if (!url->empty()) QUN_RETURN_IF_ERROR(CheckUrl(*url));
  }
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "body"), in.body));
  std::optional<std::vector<std::string>> tags;
  if (in.tags || !in.add_tags.empty() || !in.remove_tags.empty()) {
    std::vector<std::string> next = in.tags ? *in.tags : cur.tags;
    next.insert(next.end(), in.add_tags.begin(), in.add_tags.end());
    QUN_ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizeTags(next));
    std::vector<std::string> removed;
    QUN_ASSIGN_OR_RETURN(removed, NormalizeTags(in.remove_tags));
    std::erase_if(normalized, [&](const std::string& t) {
      return std::any_of(removed.begin(), removed.end(),
                         [&](const std::string& r) { return SameTag(r, t); });
    });
    tags = normalized;
  }
  if (in.person_id && !in.person_id->empty()) QUN_RETURN_IF_ERROR(CheckPerson(reg, *in.person_id));

  auto set = [&](const char* column, const Value& v) {
    return txn.Set("content", id, column, v).status();
  };
  if (title) QUN_RETURN_IF_ERROR(set("title", *title));
  if (url) QUN_RETURN_IF_ERROR(set("url", TextValue(*url)));
  if (in.body) QUN_RETURN_IF_ERROR(set("body", TextValue(*in.body)));
  if (tags) QUN_RETURN_IF_ERROR(set("tags", TextValue(TagLines(*tags))));
  if (in.person_id) QUN_RETURN_IF_ERROR(set("person_id", TextValue(*in.person_id)));
  return Status::Ok();
}

Status RemoveContent(WriteTxn& txn, const std::string& id) {
  QUN_RETURN_IF_ERROR(GetContent(txn.store(), id).status());
  return txn.Set("content", id, "deleted", int64_t{1}).status();
}

Result<ContentItem> GetContent(Store& store, const std::string& id) {
  QUN_ASSIGN_OR_RETURN(auto items, Query(store, "c.id = ?1 AND c.deleted = 0", {id}));
  if (items.empty())
    return Status::NotFound(
        i18n::Format(_("no content item {}; list them with `qun content list`"), ShortRowId(id)));
  return items[0];
}

Result<std::vector<ContentItem>> ListContent(Store& store, const ContentFilter& filter) {
  std::string where = "c.deleted = 0";
  std::vector<std::string> params;
  AddFilter(filter, where, params);
  return Query(store, where, params);
}

std::vector<std::string> QueryTerms(const std::string& query) {
  // U+3000 (ideographic space), as a Chinese input method types it, counts
  // as a space.
  std::string spaced;
  for (size_t i = 0; i < query.size(); ++i) {
    if (query.compare(i, 3, "\xE3\x80\x80") == 0) {
      spaced += ' ';
      i += 2;
    } else {
      char ch = query[i];
      spaced += (ch == '\t' || ch == '\n' || ch == '\r') ? ' ' : ch;
    }
  }
  std::vector<std::string> terms;
  size_t start = 0;
  while (start <= spaced.size()) {
    size_t end = spaced.find(' ', start);
    if (end == std::string::npos) end = spaced.size();
    if (end > start) terms.push_back(spaced.substr(start, end - start));
    start = end + 1;
  }
  return terms;
}

std::string Snippet(const std::string& given, const std::string& term, size_t width) {
  std::string s = given;
  // Same length, so byte offsets in the lowered copy hold in `s`.
  for (char& ch : s)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  size_t pos = term.empty() ? std::string::npos : text::AsciiLower(s).find(text::AsciiLower(term));
  if (pos == std::string::npos || width < 8) return text::Truncate(text::Trim(s), width);
  // About a quarter of the width before the match, the rest after it.
  size_t before = width / 4, used = 0, start = pos;
  while (start > 0) {
    size_t prev = start - 1;
    while (prev > 0 && (static_cast<unsigned char>(s[prev]) & 0xC0) == 0x80) --prev;
    size_t w = text::DisplayWidth(std::string_view(s).substr(prev, start - prev));
    if (used + w > before) break;
    used += w;
    start = prev;
  }
  if (start == 0) return text::Truncate(s, width);
  return "…" + text::Truncate(std::string_view(s).substr(start), width - 1);
}

Result<std::vector<ContentHit>> SearchContent(Store& store, const std::string& query,
                                              const ContentFilter& filter) {
  QUN_RETURN_IF_ERROR(CheckText(C_("field", "query"), query));
  // Each typed term as its words: 徒步装备 is 徒步 and 装备, folded as the
  // items' text is (臺北 is 台北).
  struct Term {
    std::string phrase;  // as typed, folded
    std::vector<std::string> words;
  };
  std::vector<Term> terms;
  for (const std::string& t : QueryTerms(query)) {
    Term term{text::FoldForSearch(t), text::Words(t)};
    // Punctuation alone ("%", "C++"'s pluses) is looked for as it is.
    if (term.words.empty()) term.words.push_back(term.phrase);
    terms.push_back(std::move(term));
  }
  if (terms.empty())
    return Status::InvalidArgument(_("the search has no words; e.g. `qun content search 摄影`"));
  std::string where = "c.deleted = 0";
  std::vector<std::string> params;
  AddFilter(filter, where, params);
  QUN_ASSIGN_OR_RETURN(std::vector<ContentItem> items, Query(store, where, params));

  // Every typed term must match by one of its words at least. An item
  // holding each term as typed comes first, then one holding all the
  // words, then by where they are: a word in the title counts 3, in a tag
  // 2, in the text or link 1. Items come newest first, and the sort keeps
  // that order among equals.
  struct Scored {
    ContentHit hit;
    bool phrases = true, all = true;
    int weight = 0;
  };
  std::vector<Scored> scored;
  for (ContentItem& item : items) {
    const std::string title = text::FoldForSearch(item.title);
    const std::string tags = text::FoldForSearch(TagLines(item.tags));
    const std::string body = text::FoldForSearch(item.body);
    const std::string url = text::AsciiLower(item.url);
    Scored s;
    bool every_term = true;
    std::string first;
    for (const Term& term : terms) {
      s.phrases &= title.find(term.phrase) != std::string::npos ||
                   body.find(term.phrase) != std::string::npos ||
                   tags.find(term.phrase) != std::string::npos;
      bool any = false;
      for (const std::string& w : term.words) {
        int weight = title.find(w) != std::string::npos                                      ? 3
                     : tags.find(w) != std::string::npos                                     ? 2
                     : body.find(w) != std::string::npos || url.find(w) != std::string::npos ? 1
                                                                                             : 0;
        if (weight == 0) {
          s.all = false;
          continue;
        }
        any = true;
        s.weight += weight;
        if (first.empty()) first = w;
      }
      every_term &= any;
    }
    if (!every_term) continue;
    // The snippet shows the text around the first word it holds, else its
    // start, else the link.
    const std::string& shown = item.body.empty() ? item.url : item.body;
    s.hit.snippet = Snippet(shown, first, kSnippetWidth);
    s.hit.item = std::move(item);
    scored.push_back(std::move(s));
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.phrases != b.phrases) return a.phrases;
    if (a.all != b.all) return a.all;
    return a.weight > b.weight;
  });
  std::vector<ContentHit> hits;
  for (Scored& s : scored) {
    s.hit.rank = -(s.weight + (s.all ? 1000.0 : 0.0) + (s.phrases ? 2000.0 : 0.0));
    hits.push_back(std::move(s.hit));
  }
  return hits;
}

}  // namespace qun::core
