// `qun content add|list|show|edit|remove|search`: curated content (精华).
#include <fmt/format.h>

#include "base/text.h"
#include "cli/app.h"
#include "cli/argv.h"
#include "cli/output.h"
#include "community/content.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

nlohmann::json ContentJson(const core::ContentItem& c) {
  return {{"id", c.id},
          {"short_id", core::ShortRowId(c.id)},
          {"group_id", c.group_id},
          {"group", c.group_name},
          {"title", c.title},
          {"url", c.url},
          {"body", c.body},
          {"tags", c.tags},
          {"person_id", c.person_id},
          {"person", c.person_name},
          {"saved_at", c.saved_at}};
}

// "#摄影 #入门"
std::string TagsText(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "#" : " #") + t;
  return out;
}

// The fields `content add` and `content edit` share.
struct ContentFlags {
  std::optional<std::string> url, body, body_file, by;
  std::vector<std::string> tags;

  void Register(CLI::App* cmd, bool edit) {
    cmd->add_option("--url", url,
                    edit ? _("the link (\"\" removes it)") : _("the link: http(s)://..."));
    cmd->add_option("--body", body, _("the text (post, summary or notes)"));
    cmd->add_option("--body-file", body_file,
                    _("read the text from a file (- for standard input)"));
    cmd->add_option("--tag", tags,
                    edit ? _("the tags, replacing all (repeatable)") : _("a tag (repeatable)"));
    cmd->add_option("--by", by,
                    edit ? _("who wrote or shared it (\"\" removes it)")
                         : _("who wrote or shared it: a person of the community"));
  }

  Status Fill(core::Registry& reg, core::ContentInput& in, bool edit) const {
    if (body && body_file)
      return Status::InvalidArgument(
          _("give the text with either --body or --body-file, not both"));
    in.url = url;
    in.body = body;
    if (body_file) {
      QUN_ASSIGN_OR_RETURN(std::string bytes, ReadInput(*body_file));
      QUN_RETURN_IF_ERROR(core::CheckText(C_("field", "body file"), bytes));
      in.body = bytes;
    }
    if (!tags.empty() || !edit) in.tags = SplitList(tags);
    if (by) {
      if (by->empty()) {
        in.person_id = "";
      } else {
        auto r = reg.ResolvePerson(*by);
        if (!r.ok()) return r.status().WithContext("--by");
        in.person_id = *r;
      }
    }
    return Status::Ok();
  }
};

// The item ITEM names, among --group's when given.
Result<std::string> ResolveItem(core::Registry& reg, core::Database& db, const std::string& ref,
                                const std::optional<std::string>& group) {
  std::optional<std::string> group_id;
  if (group) {
    QUN_ASSIGN_OR_RETURN(group_id, reg.ResolveGroup(*group));
  }
  return core::ResolveGroupRow(db, core::kContentKind, ref, group_id);
}

Result<core::ContentFilter> MakeFilter(core::Registry& reg, const std::optional<std::string>& group,
                                       const std::optional<std::string>& tag) {
  core::ContentFilter f;
  if (group) {
    QUN_ASSIGN_OR_RETURN(f.group_id, reg.ResolveGroup(*group));
  }
  f.tag = tag;
  return f;
}

std::string ShowText(const core::ContentItem& c) {
  Details d;
  d.Add(_("Title"), c.title);
  d.Add(_("Id"), core::ShortRowId(c.id));
  d.Add(_("Group"), c.group_name);
  if (!c.url.empty()) d.Add(_("Link"), c.url);
  if (!c.tags.empty()) d.Add(_("Tags"), TagsText(c.tags));
  if (!c.person_id.empty())
    d.Add(_("By"), fmt::format("{} ({})", c.person_name, core::ShortId(c.person_id)));
  d.Add(_("Saved"), FormatTime(c.saved_at));
  std::string out = d.Render();
  if (!c.body.empty()) out += "\n" + c.body + (c.body.back() == '\n' ? "" : "\n");
  return out;
}

}  // namespace

void AddContentCommands(App& app) {
  CLI::App* content = app.cli.add_subcommand(
      "content", _("curated content (精华): posts and links kept for a group"));
  content->require_subcommand(1);

  {  // add
    struct Args {
      std::string group, title;
      ContentFlags flags;
    };
    auto args = std::make_shared<Args>();
    CLI::App* add = content->add_subcommand("add", _("save a post or link for a group"));
    add->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    add->add_option("TITLE", args->title, _("the title"))->required();
    args->flags.Register(add, false);
    add->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string group_id, reg.ResolveGroup(args->group));
        core::ContentInput in;
        in.title = args->title;
        QUN_RETURN_IF_ERROR(args->flags.Fill(reg, in, false));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("content add"));
        QUN_ASSIGN_OR_RETURN(std::string id, core::AddContent(*txn, group_id, in));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::ContentItem c, core::GetContent(*node->store, id));
        if (app.options.json)
          app.PrintJson(ContentJson(c));
        else
          app.Print(i18n::Format(_("Saved {} ({}) in {}\n"), c.title, core::ShortRowId(id),
                                 c.group_name));
        return Status::Ok();
      };
    });
  }

  {  // list
    struct Args {
      std::optional<std::string> group, tag;
    };
    auto args = std::make_shared<Args>();
    CLI::App* list = content->add_subcommand("list", _("list saved content, newest first"));
    list->add_option("--group", args->group, _("only this group's"));
    list->add_option("--tag", args->tag, _("only items with this tag"));
    list->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(core::ContentFilter f,
                             MakeFilter(*node->registry, args->group, args->tag));
        QUN_ASSIGN_OR_RETURN(auto items, core::ListContent(*node->store, f));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& c : items) out.push_back(ContentJson(c));
          app.PrintJson(out);
          return Status::Ok();
        }
        if (items.empty()) {
          app.Print(
              _("No content saved yet. Save some with `qun content add GROUP TITLE --url URL`.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("TITLE"), _("GROUP"), _("TAGS"), _("BY"), _("SAVED")});
        t.SetMaxWidth(1, 36);
        t.SetMaxWidth(3, 24);
        for (const auto& c : items)
          t.AddRow({core::ShortRowId(c.id), c.title, c.group_name, TagsText(c.tags), c.person_name,
                    FormatTime(c.saved_at)});
        app.Print(t.Render() +
                  i18n::Format(P_("{} item\n", "{} items\n", static_cast<int64_t>(items.size())),
                               items.size()));
        return Status::Ok();
      };
    });
  }

  {  // show
    struct Args {
      std::string item;
      std::optional<std::string> group;
    };
    auto args = std::make_shared<Args>();
    CLI::App* show = content->add_subcommand("show", _("show one item with its text"));
    show->add_option("ITEM", args->item, _("the id shown by `content list`, or the exact title"))
        ->required();
    show->add_option("--group", args->group, _("look only in this group"));
    show->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string id, ResolveItem(*node->registry, node->store->db(),
                                                         args->item, args->group));
        QUN_ASSIGN_OR_RETURN(core::ContentItem c, core::GetContent(*node->store, id));
        if (app.options.json)
          app.PrintJson(ContentJson(c));
        else
          app.Print(ShowText(c));
        return Status::Ok();
      };
    });
  }

  {  // edit
    struct Args {
      std::string item;
      std::optional<std::string> group, title;
      std::vector<std::string> add_tags, remove_tags;
      ContentFlags flags;
    };
    auto args = std::make_shared<Args>();
    CLI::App* edit = content->add_subcommand("edit", _("change an item"));
    edit->add_option("ITEM", args->item, _("the id shown by `content list`, or the exact title"))
        ->required();
    edit->add_option("--group", args->group, _("look only in this group"));
    edit->add_option("--title", args->title, _("a new title"));
    args->flags.Register(edit, true);
    edit->add_option("--add-tag", args->add_tags, _("add a tag (repeatable)"));
    edit->add_option("--remove-tag", args->remove_tags, _("remove a tag (repeatable)"));
    edit->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Registry& reg = *node->registry;
        QUN_ASSIGN_OR_RETURN(std::string id,
                             ResolveItem(reg, node->store->db(), args->item, args->group));
        core::ContentInput in;
        in.title = args->title;
        in.add_tags = args->add_tags;
        in.remove_tags = args->remove_tags;
        QUN_RETURN_IF_ERROR(args->flags.Fill(reg, in, true));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("content edit"));
        QUN_RETURN_IF_ERROR(core::EditContent(*txn, id, in));
        int64_t changed = txn->ops_written();
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::ContentItem c, core::GetContent(*node->store, id));
        if (app.options.json) {
          nlohmann::json j = ContentJson(c);
          j["changed_fields"] = changed;
          app.PrintJson(j);
        } else if (changed == 0) {
          app.Print(i18n::Format(_("Nothing changed in {} ({}): give a new value, e.g. --title\n"),
                                 c.title, core::ShortRowId(id)));
        } else {
          app.Print(i18n::Format(P_("Updated {} ({}): {} field changed\n",
                                    "Updated {} ({}): {} fields changed\n", changed),
                                 c.title, core::ShortRowId(id), changed));
        }
        return Status::Ok();
      };
    });
  }

  {  // remove
    struct Args {
      std::string item;
      std::optional<std::string> group;
    };
    auto args = std::make_shared<Args>();
    CLI::App* remove =
        content->add_subcommand("remove", _("remove an item (its history is kept in `qun log`)"));
    remove->add_option("ITEM", args->item, _("the id shown by `content list`, or the exact title"))
        ->required();
    remove->add_option("--group", args->group, _("look only in this group"));
    remove->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(std::string id, ResolveItem(*node->registry, node->store->db(),
                                                         args->item, args->group));
        QUN_ASSIGN_OR_RETURN(core::ContentItem c, core::GetContent(*node->store, id));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("content remove"));
        QUN_RETURN_IF_ERROR(core::RemoveContent(*txn, id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json)
          app.PrintJson({{"id", id}, {"title", c.title}, {"removed", true}});
        else
          app.Print(i18n::Format(_("Removed {} ({}); `qun log {}` still shows it\n"), c.title,
                                 core::ShortRowId(id), c.id));
        return Status::Ok();
      };
    });
  }

  {  // search
    struct Args {
      std::vector<std::string> words;
      std::optional<std::string> group, tag;
    };
    auto args = std::make_shared<Args>();
    CLI::App* search = content->add_subcommand(
        "search",
        _("find content by words in its title, text, tags or link (all words must match)"));
    search->add_option("QUERY", args->words, _("one or more words, e.g. 摄影 入门"))->required();
    search->add_option("--group", args->group, _("only this group's"));
    search->add_option("--tag", args->tag, _("only items with this tag"));
    search->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        QUN_ASSIGN_OR_RETURN(core::ContentFilter f,
                             MakeFilter(*node->registry, args->group, args->tag));
        std::string query;
        for (const auto& w : args->words) query += (query.empty() ? "" : " ") + w;
        QUN_ASSIGN_OR_RETURN(auto hits, core::SearchContent(*node->store, query, f));
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (const auto& h : hits) {
            nlohmann::json j = ContentJson(h.item);
            j["snippet"] = h.snippet;
            out.push_back(j);
          }
          app.PrintJson(out);
          return Status::Ok();
        }
        if (hits.empty()) {
          app.Print(i18n::Format(_("Nothing matches '{}'. Try fewer or shorter words.\n"), query));
          return Status::Ok();
        }
        std::string out;
        for (const auto& h : hits) {
          out += fmt::format("{}  {}  [{}]{}\n", core::ShortRowId(h.item.id), h.item.title,
                             h.item.group_name,
                             h.item.tags.empty() ? "" : "  " + TagsText(h.item.tags));
          if (!h.snippet.empty()) out += "          " + h.snippet + "\n";
        }
        app.Print(out +
                  i18n::Format(P_("{} match\n", "{} matches\n", static_cast<int64_t>(hits.size())),
                               hits.size()));
        return Status::Ok();
      };
    });
  }
}

}  // namespace qun::cli
