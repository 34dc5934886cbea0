// `qun event import-chat`: a 接龙 list pasted from the chat, read back into
// an event's sign-ups (community/events.h, PlanChatImport), with a report of
// what was matched, added, and left for the organizer to settle.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/dates.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/output.h"
#include "community/events.h"
#include "core/ids.h"

namespace qun::cli {
namespace {

// Why a line of the pasted list signed nobody up.
std::string MatchReason(const core::ChatMatch& m, const std::map<std::string, std::string>& labels,
                        const std::string& group) {
  using Kind = core::ChatMatch::Kind;
  if (m.kind == Kind::kDuplicate)
    return i18n::Format(_("listed again (first at line {}); skipped"), m.first_line);
  if (m.kind == Kind::kAmbiguous) {
    std::string names;
    for (const auto& id : m.candidates) {
      auto it = labels.find(id);
      names += (names.empty() ? "" : ", ") + (it == labels.end() ? core::ShortId(id) : it->second);
    }
    return i18n::Format(_("'{0}' matches {1} people in {2}: {3}"), m.matched_name,
                        m.candidates.size(), group, names);
  }
  return i18n::Format(_("nobody in {} goes by '{}'"), group, m.entry.name());
}

}  // namespace

void AddEventChatCommand(App& app, CLI::App* event) {
  {  // import-chat
    struct ImportArgs {
      std::string event, file;
      bool dry_run = false;
    };
    auto args = std::make_shared<ImportArgs>();
    CLI::App* paste = event->add_subcommand(
        "import-chat", _("sign up the people of a 接龙 list pasted from the chat"));
    paste->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    paste->add_option("FILE", args->file, _("the pasted list (- for stdin)"))->required();
    paste->add_flag("--dry-run", args->dry_run, _("show what would be done; write nothing"));
    paste->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, events.Resolve(args->event));
        QUN_ASSIGN_OR_RETURN(core::Event e, events.Get(id));
        QUN_ASSIGN_OR_RETURN(std::string pasted, ReadInput(args->file));
        QUN_ASSIGN_OR_RETURN(core::ChatImportPlan plan, events.PlanChatImport(e, pasted));
        if (!args->dry_run && !plan.to_add.empty()) {
          QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event import-chat"));
          QUN_RETURN_IF_ERROR(events.ApplyChatImport(*txn, e, plan));
          QUN_RETURN_IF_ERROR(txn->Commit());
        }
        QUN_ASSIGN_OR_RETURN(auto people, events.ChatPeople(e.group_id));
        std::map<std::string, std::string> labels, names;
        for (const auto& p : people) {
          labels[p.id] = p.label;
          names[p.id] = p.names.empty() ? core::ShortId(p.id) : p.names[0];
        }
        QUN_ASSIGN_OR_RETURN(core::SignupList after, events.Signups(e));
        std::map<std::string, const core::Signup*> placed;
        for (const auto* l : {&after.in, &after.waitlist})
          for (const auto& s : *l) placed[s.person_id] = &s;
        using Kind = core::ChatMatch::Kind;
        auto entry_json = [&](const core::ChatMatch& m) {
          nlohmann::json j = {{"line", m.entry.line},
                              {"text", m.entry.text},
                              {"person_id", m.person_id},
                              {"name", names[m.person_id]},
                              {"guests", m.entry.guests},
                              {"note", m.note},
                              {"from_waitlist", m.entry.waitlist}};
          if (auto it = placed.find(m.person_id); it != placed.end() && !args->dry_run) {
            j["status"] = it->second->waitlisted ? "waitlisted" : "in";
            j["position"] = it->second->position;
          }
          return j;
        };
        std::vector<const core::ChatMatch*> problems, duplicates;
        for (const auto& m : plan.matches) {
          if (m.kind == Kind::kUnmatched || m.kind == Kind::kAmbiguous) problems.push_back(&m);
          if (m.kind == Kind::kDuplicate) duplicates.push_back(&m);
        }
        if (app.options.json) {
          nlohmann::json j = {{"event_id", e.id}, {"dry_run", args->dry_run}};
          j["matched"] = nlohmann::json::array();
          j["already"] = nlohmann::json::array();
          j["unmatched"] = nlohmann::json::array();
          j["duplicates"] = nlohmann::json::array();
          for (size_t i : plan.to_add) j["matched"].push_back(entry_json(plan.matches[i]));
          for (size_t i : plan.already) j["already"].push_back(entry_json(plan.matches[i]));
          for (const auto* m : problems) {
            nlohmann::json u = {{"line", m->entry.line},
                                {"text", m->entry.text},
                                {"name", m->entry.name()},
                                {"reason", m->kind == Kind::kAmbiguous ? "ambiguous" : "unknown"},
                                {"candidates", m->candidates}};
            j["unmatched"].push_back(u);
          }
          for (const auto* m : duplicates)
            j["duplicates"].push_back({{"line", m->entry.line},
                                       {"text", m->entry.text},
                                       {"person_id", m->person_id},
                                       {"first_line", m->first_line}});
          app.PrintJson(j);
          return Status::Ok();
        }
        const int64_t entries = static_cast<int64_t>(plan.parsed.entries.size());
        const int64_t skipped = static_cast<int64_t>(plan.parsed.headers + plan.parsed.empty_slots);
        std::string out = i18n::Format(
            P_("Read {} entry from the list ({}).\n", "Read {} entries from the list ({}).\n",
               entries),
            entries,
            i18n::Format(P_("{} other line skipped", "{} other lines skipped", skipped), skipped));
        if (!plan.to_add.empty()) {
          out += i18n::Format(args->dry_run ? _("Would sign up {}:\n") : _("Signed up {}:\n"),
                              plan.to_add.size());
          for (size_t i : plan.to_add) {
            const auto& m = plan.matches[i];
            std::string line = i18n::Format(_("  line {}: {}"), m.entry.line, names[m.person_id]);
            if (m.entry.guests > 0) line += fmt::format(" +{}", m.entry.guests);
            if (!m.note.empty()) line += " " + m.note;
            if (auto it = placed.find(m.person_id); it != placed.end() && !args->dry_run)
              line += it->second->waitlisted
                          ? i18n::Format(_(" (waitlist, position {})"), it->second->position)
                          : i18n::Format(_(" (number {})"), it->second->position);
            out += line + "\n";
          }
        } else {
          out += _("No one new to sign up.\n");
        }
        if (!plan.already.empty()) {
          std::string list;
          for (size_t i : plan.already)
            list += (list.empty() ? "" : ", ") + names[plan.matches[i].person_id];
          out += i18n::Format(_("Already on the list, left as they are ({}): {}\n"),
                              plan.already.size(), list);
        }
        if (!duplicates.empty()) {
          out += i18n::Format(_("Listed twice, skipped ({}):\n"), duplicates.size());
          for (const auto* m : duplicates)
            out += i18n::Format(_("  line {}: {} (first at line {})\n"), m->entry.line,
                                m->entry.text, m->first_line);
        }
        if (!problems.empty()) {
          out += i18n::Format(P_("Could not match {} line:\n", "Could not match {} lines:\n",
                                 static_cast<int64_t>(problems.size())),
                              problems.size());
          for (const auto* m : problems)
            out += i18n::Format(_("  line {}: {} — {}\n"), m->entry.line, m->entry.text,
                                MatchReason(*m, labels, e.group_name));
          bool ambiguous = std::any_of(problems.begin(), problems.end(),
                                       [](const auto* m) { return m->kind == Kind::kAmbiguous; });
          out += i18n::Format(
              _("To sign them up, add each person to the group: `qun member add NAME --group {} "
                "--nickname NAME-IN-CHAT`, or `qun member join {} PERSON` for someone already in "
                "the registry. {}Then import the same list again: people already on the list are "
                "not added twice.\n"),
              core::ShortId(e.group_id), core::ShortId(e.group_id),
              ambiguous ? _("A name several people share needs one of them to get another "
                            "nickname (`qun member edit PERSON --nickname ...`), or sign them up "
                            "by id with `qun event signup`. ")
                        : "");
        }
        if (args->dry_run) out += _("Nothing written (--dry-run).\n");
        app.Print(out);
        return Status::Ok();
      };
    });
  }
}

}  // namespace qun::cli
