// Curated content (精华): posts and links an admin keeps for a group, with a
// title, tags and the person who wrote or shared them, and full-text search
// over them that works for Chinese as for Latin text.
//
// Each item is a group-scoped row with a random local id (table content);
// its fields merge last-writer-wins one by one, so an edit of the title on
// one node and of the tags on another both stay. Tags are one field (one
// per line): concurrent tag edits resolve whole, the later wins.
//
// Search reads the FTS5 index content_fts (trigram tokenizer, kept by
// triggers as the op applier writes content, so synced items are found
// like local ones). A trigram matches runs of three or more characters;
// shorter terms (two-character Chinese words such as 摄影 are common) are
// matched by a substring scan of the same columns instead, so every query
// works. All terms must match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "community/group_rows.h"
#include "core/oplog.h"
#include "core/store.h"

namespace qun::core {

// How references to content are resolved (community/group_rows.h).
extern const GroupRowKind kContentKind;

struct ContentInput {
  std::optional<std::string> title;
  std::optional<std::string> url;   // "" clears
  std::optional<std::string> body;  // "" clears
  // The whole tag set (replaces it); empty clears.
  std::optional<std::vector<std::string>> tags;
  std::vector<std::string> add_tags, remove_tags;
  std::optional<std::string> person_id;  // who wrote or shared it; "" clears
};

struct ContentItem {
  std::string id, group_id, group_name, title, url, body;
  std::vector<std::string> tags;  // in the order given
  std::string person_id, person_name;
  int64_t saved_at = 0;
};

struct ContentFilter {
  std::optional<std::string> group_id;
  std::optional<std::string> tag;
};

struct ContentHit {
  ContentItem item;
  // A short piece of the text around the first match, at most
  // kSnippetWidth terminal columns, cut at character boundaries.
  std::string snippet;
  double rank = 0;  // lower is better: all words found, then where (title, tag, text)
};

constexpr size_t kSnippetWidth = 60;

// InvalidArgument unless `url` is an http(s) address: "http://" or
// "https://" then a host, no spaces or control characters.
Status CheckUrl(const std::string& url);
// The tags as stored (one per line): trimmed, empty ones dropped,
// duplicates (ignoring ASCII case) dropped, order kept. InvalidArgument for
// a tag with a line break.
Result<std::vector<std::string>> NormalizeTags(const std::vector<std::string>& tags);

// Saves a new item in `group_id`; the title is required. Returns its row id.
Result<std::string> AddContent(WriteTxn& txn, const std::string& group_id, const ContentInput& in);
// Changes the given fields of a live item (its row id).
Status EditContent(WriteTxn& txn, const std::string& id, const ContentInput& in);
// Tombstones an item: it leaves lists and search; `qun log` keeps it.
Status RemoveContent(WriteTxn& txn, const std::string& id);

Result<ContentItem> GetContent(Store& store, const std::string& id);
// Live items of live groups, newest first.
Result<std::vector<ContentItem>> ListContent(Store& store, const ContentFilter& filter);

// The words of a query: split at spaces (ASCII and U+3000), empty ones
// dropped.
std::vector<std::string> QueryTerms(const std::string& query);
// Up to `width` columns of `text` around the first occurrence of `term`
// (ASCII case ignored), line breaks as spaces, "…" where it was cut; the
// start of the text when `term` does not occur.
std::string Snippet(const std::string& text, const std::string& term, size_t width);

// Items matching every term of `query` (split at spaces) by one of its
// words at least (text::Words: 徒步装备 is 徒步 and 装备; Traditional and
// Simplified alike), best first: all the words before some, then a word in
// the title before one in a tag before one in the text. InvalidArgument for
// a query with no words.
Result<std::vector<ContentHit>> SearchContent(Store& store, const std::string& query,
                                              const ContentFilter& filter);

}  // namespace qun::core
