// `qun event add|list|show|edit|signup|withdraw|attend|retro|import-chat`:
// a group's events and their sign-up lists (接龙). See community/events.h for
// how the list and its waitlist are computed.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/dates.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/argv.h"
#include "cli/output.h"
#include "cli/words.h"
#include "community/events.h"
#include "core/ids.h"

namespace qun::cli {

// event import-chat (cmd_event_chat.cc).
void AddEventChatCommand(App& app, CLI::App* event);

namespace {

// Options shared by `event add` and `event edit`; unset ones are left alone.
struct EventFlags {
  std::optional<std::string> title, at, until, place, capacity, status;
  bool online = false, offline = false, yes = false;

  void Register(CLI::App* cmd, bool edit) {
    if (edit) cmd->add_option("--title", title, _("new title"));
    auto* at_opt = cmd->add_option(
        "--at", at,
        _("start, local time: \"2026-12-12 14:00\", \"周六 下午2点\", \"12/12 14:00\""));
    if (!edit) at_opt->required();
    cmd->add_option("--until", until,
                    edit
                        ? _("end, local time (\"\" removes it; a time alone is on the start's day)")
                        : _("end, local time (a time alone is on the start's day)"));
    cmd->add_option("--place", place, edit ? _("where (\"\" removes it)") : _("where"));
    if (!edit)
      cmd->add_flag("--yes", yes,
                    _("record it even though its start has passed (an event held "
                      "already)"));
    cmd->add_flag("--online", online, _("held online"));
    cmd->add_flag("--offline", offline, _("held in person (the default)"));
    cmd->add_option("--capacity", capacity,
                    edit ? _("most places, guests included (none: no limit)")
                         : _("most places, guests included (default: no limit)"));
    if (edit)
      cmd->add_option("--status", status, _("open, closed (no more sign-ups) or cancelled"));
  }

  // `now_ms`: what "周六" and "明天" count from. `starts_at`: the start the
  // event has now (event edit), for an end given as a time alone.
  Result<core::EventInput> ToInput(int64_t now_ms, std::optional<int64_t> starts_at = {}) const {
    core::EventInput in;
    in.title = title;
    in.place = place;
    in.status = status;
    if (online && offline)
      return Status::InvalidArgument(_("give --online or --offline, not both"));
    if (online) in.mode = "online";
    if (offline) in.mode = "offline";
    if (at) {
      QUN_ASSIGN_OR_RETURN(in.starts_at, TimeArg(*at, now_ms, core::Lean::kFuture, "--at"));
      starts_at = in.starts_at;
    }
    if (until) {
      if (text::Trim(*until).empty()) {
        in.ends_at = 0;
      } else {
        // A time alone ends the event on the day it starts.
        QUN_ASSIGN_OR_RETURN(in.ends_at, TimeArg(*until, now_ms, core::Lean::kFuture, "--until",
                                                 core::LocalDay(starts_at.value_or(now_ms))));
      }
    }
    if (capacity) {
      std::string c = text::Trim(*capacity);
      if (c == "none" || c == "0" || c.empty()) {
        in.capacity = 0;
      } else {
        bool digits = c.size() <= 6 && std::all_of(c.begin(), c.end(),
                                                   [](char ch) { return ch >= '0' && ch <= '9'; });
        if (!digits)
          return Status::InvalidArgument(i18n::Format(
              _("--capacity must be a number of places, e.g. 20, or none for no limit (got '{}')"),
              c));
        in.capacity = std::stoll(c);
      }
    }
    return in;
  }
};

std::string TimeText(const core::Event& e) {
  std::string out = core::FormatLocalTime(e.starts_at);
  if (e.ends_at > 0) {
    std::string end = core::FormatLocalTime(e.ends_at);
    out += " – " + (end.substr(0, 10) == out.substr(0, 10) ? end.substr(11) : end);
  }
  return out;
}

std::string PlacesText(const core::Event& e, const core::SignupList& l) {
  if (!e.capacity) return fmt::format("{}", l.places_taken);
  return fmt::format("{}/{}", l.places_taken, *e.capacity);
}

// "李娜 +1 带孩子"
std::string EntryText(const core::Signup& s) {
  std::string out = s.name;
  if (s.guests > 0) out += fmt::format(" +{}", s.guests);
  if (!s.note.empty()) out += " " + s.note;
  return out;
}

nlohmann::json EventJson(const core::Event& e) {
  nlohmann::json j = {{"id", e.id},
                      {"short_id", core::ShortRowId(e.id)},
                      {"group_id", e.group_id},
                      {"group", e.group_name},
                      {"title", e.title},
                      {"starts_at", e.starts_at},
                      {"starts_at_local", core::FormatLocalTime(e.starts_at)},
                      {"ends_at", e.ends_at > 0 ? nlohmann::json(e.ends_at) : nlohmann::json()},
                      {"place", e.place},
                      {"mode", e.mode},
                      {"capacity", e.capacity ? nlohmann::json(*e.capacity) : nlohmann::json()},
                      {"status", e.status},
                      {"retro", e.retro},
                      {"created_at", e.created_at}};
  return j;
}

nlohmann::json SignupJson(const core::Signup& s) {
  return {{"position", s.position},   {"person_id", s.person_id}, {"name", s.name},
          {"chat_name", s.chat_name}, {"guests", s.guests},       {"note", s.note},
          {"signed_at", s.signed_at}, {"attended", s.attended}};
}

nlohmann::json ListJson(const core::SignupList& l) {
  nlohmann::json j;
  auto arr = [](const std::vector<core::Signup>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : v) a.push_back(SignupJson(s));
    return a;
  };
  j["signups"] = arr(l.in);
  j["waitlist"] = arr(l.waitlist);
  j["withdrawn"] = arr(l.withdrawn);
  j["places_taken"] = l.places_taken;
  j["walk_ins"] = nlohmann::json::array();
  for (const auto& a : l.walk_ins)
    j["walk_ins"].push_back({{"person_id", a.person_id}, {"name", a.name}});
  return j;
}

std::string ShowText(const core::Event& e, const core::SignupList& l) {
  Details d;
  d.Add(_("Event"), e.title);
  d.Add(_("Id"), core::ShortRowId(e.id));
  d.Add(_("Group"), fmt::format("{} ({})", e.group_name, core::ShortId(e.group_id)));
  d.Add(_("Time"), TimeText(e));
  std::string where =
      e.place.empty() ? (e.mode == "online" ? Word(kEventMode, "online") : "") : e.place;
  if (!e.place.empty()) where += fmt::format(" ({})", Word(kEventMode, e.mode));
  if (!where.empty()) d.Add(_("Place"), where);
  if (e.capacity)
    d.Add(_("Capacity"),
          i18n::Format(_("{} places: {} taken, {} free"), *e.capacity, l.places_taken,
                       std::max<int64_t>(0, *e.capacity - l.places_taken)));
  else
    d.Add(_("Capacity"), i18n::Format(_("no limit ({} places taken)"), l.places_taken));
  d.Add(_("Status"), Word(kEventStatus, e.status));
  if (!l.attended.empty())
    d.Add(_("Attended"),
          i18n::Format(_("{} ({} from the list, {} without signing up)"), l.attended.size(),
                       l.attended.size() - l.walk_ins.size(), l.walk_ins.size()));
  if (!e.retro.empty()) d.Add(_("Retro"), e.retro);
  std::string out = d.Render();
  auto block = [&](const std::vector<core::Signup>& v) {
    size_t w = 0;
    for (const auto& s : v) w = std::max(w, text::DisplayWidth(EntryText(s)));
    w = std::min<size_t>(w, 40);
    std::string b;
    for (const auto& s : v) {
      std::string line =
          fmt::format("  {:>3}. {}", s.position, text::PadRightNoTruncate(EntryText(s), w));
      if (s.attended) line += std::string("  ") + _("✓ attended");
      while (!line.empty() && line.back() == ' ') line.pop_back();
      b += line + "\n";
    }
    return b;
  };
  if (l.in.empty() && l.waitlist.empty()) {
    out += i18n::Format(_("\nNo sign-ups yet; add one with `qun event signup {} PERSON`.\n"),
                        core::ShortRowId(e.id));
  } else {
    out +=
        i18n::Format(P_("\nSign-ups ({} person, {} places):\n",
                        "\nSign-ups ({} people, {} places):\n", static_cast<int64_t>(l.in.size())),
                     l.in.size(), l.places_taken);
    out += block(l.in);
    if (!l.waitlist.empty()) {
      out += i18n::Format(_("Waitlist ({}):\n"), l.waitlist.size());
      out += block(l.waitlist);
    }
  }
  if (!l.withdrawn.empty()) {
    std::string names;
    for (const auto& s : l.withdrawn) names += (names.empty() ? "" : ", ") + s.name;
    out += i18n::Format(_("Withdrawn: {}\n"), names);
  }
  if (!l.walk_ins.empty()) {
    std::string names;
    for (const auto& a : l.walk_ins) names += (names.empty() ? "" : ", ") + a.name;
    out += i18n::Format(_("Attended without signing up: {}\n"), names);
  }
  return out;
}

// A command taking EVENT PERSON.
struct PairArgs {
  std::string event, person;
};

struct Resolved {
  core::Event event;
  std::string person_id;
  core::Person person;
};

// A refusal of the same kind as `like` (its exit code), saying `message`.
Status LikeStatus(const Status& like, std::string message) {
  switch (like.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(std::move(message));
    case Status::Code::kConflict:
      return Status::Conflict(std::move(message));
    default:
      return Status::InvalidArgument(std::move(message));
  }
}

Result<Resolved> ResolvePair(Node& node, core::Events& events, const PairArgs& a) {
  Resolved r;
  QUN_ASSIGN_OR_RETURN(std::string id, events.Resolve(a.event));
  QUN_ASSIGN_OR_RETURN(r.event, events.Get(id));
  QUN_ASSIGN_OR_RETURN(r.person_id, node.registry->ResolvePerson(a.person, r.event.group_id));
  QUN_ASSIGN_OR_RETURN(r.person, node.registry->GetPerson(r.person_id));
  return r;
}

}  // namespace

void AddEventCommands(App& app) {
  CLI::App* event = app.cli.add_subcommand("event", _("events and their sign-up lists (接龙)"));
  event->require_subcommand(1);

  {  // add
    struct AddArgs {
      std::string group, title;
      EventFlags flags;
    };
    auto args = std::make_shared<AddArgs>();
    CLI::App* add = event->add_subcommand("add", _("add an event to a group; prints its id"));
    add->add_option("GROUP", args->group, _("group id, id prefix or name"))->required();
    add->add_option("TITLE", args->title, _("what the event is called, e.g. 周六读书会"))
        ->required();
    args->flags.Register(add, false);
    add->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string group_id, node->registry->ResolveGroup(args->group));
        int64_t now = core::NowMs(*node->store);
        QUN_ASSIGN_OR_RETURN(core::EventInput in, args->flags.ToInput(now));
        if (in.starts_at && *in.starts_at < now && !args->flags.yes)
          return Status::InvalidArgument(
              i18n::Format(_("--at {}: {} has passed already; to record an event held before, "
                             "add --yes"),
                           *args->flags.at, core::FormatLocalTime(*in.starts_at)));
        in.title = args->title;
        if (in.capacity && *in.capacity == 0) in.capacity.reset();
        if (in.ends_at && *in.ends_at == 0) in.ends_at.reset();
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event add"));
        QUN_ASSIGN_OR_RETURN(std::string id, events.Add(*txn, group_id, in));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Event e, events.Get(id));
        if (app.options.json)
          app.PrintJson(EventJson(e));
        else
          app.Print(core::ShortRowId(id) + "\n");
        return Status::Ok();
      };
    });
  }

  {  // list
    struct ListArgs {
      std::optional<std::string> group;
      bool all = false;
    };
    auto args = std::make_shared<ListArgs>();
    CLI::App* list = event->add_subcommand("list", _("list upcoming events"));
    list->add_option("--group", args->group, _("only this group's events"));
    list->add_flag("--all", args->all, _("include past and cancelled events"));
    list->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        std::optional<std::string> group_id;
        if (args->group) {
          QUN_ASSIGN_OR_RETURN(group_id, node->registry->ResolveGroup(*args->group));
        }
        QUN_ASSIGN_OR_RETURN(auto list,
                             events.List(group_id, args->all, core::NowMs(*node->store)));
        std::vector<core::SignupList> lists;
        for (const auto& e : list) {
          QUN_ASSIGN_OR_RETURN(core::SignupList l, events.Signups(e));
          lists.push_back(std::move(l));
        }
        if (app.options.json) {
          nlohmann::json out = nlohmann::json::array();
          for (size_t i = 0; i < list.size(); ++i) {
            nlohmann::json j = EventJson(list[i]);
            j["signed_up"] = lists[i].in.size();
            j["places_taken"] = lists[i].places_taken;
            j["waitlisted"] = lists[i].waitlist.size();
            out.push_back(j);
          }
          app.PrintJson(out);
          return Status::Ok();
        }
        if (list.empty()) {
          app.Print(args->all ? _("No events yet. Add one with `qun event add GROUP TITLE --at "
                                  "\"YYYY-MM-DD HH:MM\"`.\n")
                              : _("No upcoming events. `qun event list --all` shows past and "
                                  "cancelled ones; `qun event add` adds one.\n"));
          return Status::Ok();
        }
        Table t({_("ID"), _("TIME"), _("TITLE"), _("GROUP"), _("PLACE"), _("PLACES"), _("WAITLIST"),
                 _("STATUS")});
        t.SetMaxWidth(2, 30);
        t.SetMaxWidth(4, 24);
        for (size_t i = 0; i < list.size(); ++i) {
          const auto& e = list[i];
          t.AddRow({core::ShortRowId(e.id), TimeText(e), e.title, e.group_name,
                    e.place.empty() && e.mode == "online" ? Word(kEventMode, "online") : e.place,
                    PlacesText(e, lists[i]),
                    lists[i].waitlist.empty() ? "" : std::to_string(lists[i].waitlist.size()),
                    Word(kEventStatus, e.status)});
        }
        app.Print(t.Render());
        return Status::Ok();
      };
    });
  }

  {  // show
    struct ShowArgs {
      std::string event;
      bool chat = false;
    };
    auto args = std::make_shared<ShowArgs>();
    CLI::App* show = event->add_subcommand("show", _("show an event and its sign-up list"));
    show->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    show->add_flag("--chat", args->chat,
                   _("print the list in the numbered 接龙 form to paste into the chat"));
    show->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, events.Resolve(args->event));
        QUN_ASSIGN_OR_RETURN(core::Event e, events.Get(id));
        QUN_ASSIGN_OR_RETURN(core::SignupList l, events.Signups(e));
        if (args->chat && !app.options.json) {
          QUN_ASSIGN_OR_RETURN(std::string chat, events.ChatText(e));
          app.Print(chat);
          return Status::Ok();
        }
        if (app.options.json) {
          nlohmann::json j = EventJson(e);
          j.update(ListJson(l));
          if (args->chat) {
            QUN_ASSIGN_OR_RETURN(std::string chat, events.ChatText(e));
            j["chat"] = chat;
          }
          app.PrintJson(j);
          return Status::Ok();
        }
        app.Print(ShowText(e, l));
        return Status::Ok();
      };
    });
  }

  {  // edit
    struct EditArgs {
      std::string event;
      EventFlags flags;
    };
    auto args = std::make_shared<EditArgs>();
    CLI::App* edit = event->add_subcommand("edit", _("change an event"));
    edit->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    args->flags.Register(edit, true);
    edit->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, events.Resolve(args->event));
        QUN_ASSIGN_OR_RETURN(core::Event before, events.Get(id));
        QUN_ASSIGN_OR_RETURN(core::EventInput in,
                             args->flags.ToInput(core::NowMs(*node->store), before.starts_at));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event edit"));
        QUN_RETURN_IF_ERROR(events.Edit(*txn, id, in));
        int64_t changed = txn->ops_written();
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Event e, events.Get(id));
        if (app.options.json) {
          nlohmann::json j = EventJson(e);
          j["changed_fields"] = changed;
          app.PrintJson(j);
        } else if (changed == 0) {
          app.Print(
              i18n::Format(_("Nothing changed for {} ({})\n"), e.title, core::ShortRowId(id)));
        } else {
          app.Print(i18n::Format(P_("Updated {} ({}): {} field changed\n",
                                    "Updated {} ({}): {} fields changed\n", changed),
                                 e.title, core::ShortRowId(id), changed));
        }
        return Status::Ok();
      };
    });
  }

  {  // signup
    struct SignupArgs {
      PairArgs pair;
      int64_t guests = 0;
      std::string note;
    };
    auto args = std::make_shared<SignupArgs>();
    CLI::App* signup = event->add_subcommand("signup", _("put a group member on the sign-up list"));
    signup->add_option("EVENT", args->pair.event, _("event id, id prefix or title"))->required();
    signup->add_option("PERSON", args->pair.person, _("person id, id prefix, name or handle"))
        ->required();
    signup->add_option("--guests,--plus", args->guests, _("people they bring (the +1s)"));
    signup->add_option("--note", args->note, _("a note shown after their name, e.g. 晚到半小时"));
    signup->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(Resolved r, ResolvePair(*node, events, args->pair));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event signup"));
        QUN_ASSIGN_OR_RETURN(core::SignupResult res, events.Signup(*txn, r.event.id, r.person_id,
                                                                   args->guests, args->note));
        QUN_RETURN_IF_ERROR(txn->Commit());
        const core::Event& e = r.event;
        if (app.options.json) {
          app.PrintJson(
              {{"event_id", e.id},
               {"person_id", r.person_id},
               {"name", r.person.display_name},
               {"status", res.waitlisted ? "waitlisted" : "in"},
               {"position", res.position},
               {"guests", args->guests},
               {"places_taken", res.places_taken},
               {"capacity", e.capacity ? nlohmann::json(*e.capacity) : nlohmann::json()}});
          return Status::Ok();
        }
        std::string who = r.person.display_name;
        if (args->guests > 0) who += fmt::format(" (+{})", args->guests);
        if (res.waitlisted)
          app.Print(i18n::Format(
              _("'{}' is full ({} of {} places taken): {} is on the waitlist at position {}, and "
                "moves up when a place frees\n"),
              e.title, res.places_taken, e.capacity.value_or(0), who, res.position));
        else if (e.capacity)
          app.Print(i18n::Format(_("{} signed up for '{}': number {} on the list ({} of {} places "
                                   "taken)\n"),
                                 who, e.title, res.position, res.places_taken, *e.capacity));
        else
          app.Print(
              i18n::Format(_("{} signed up for '{}': number {} on the list ({} places taken)\n"),
                           who, e.title, res.position, res.places_taken));
        return Status::Ok();
      };
    });
  }

  {  // withdraw
    auto args = std::make_shared<PairArgs>();
    CLI::App* withdraw = event->add_subcommand("withdraw", _("take a person off the sign-up list"));
    withdraw->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    withdraw->add_option("PERSON", args->person, _("person id, id prefix, name or handle"))
        ->required();
    withdraw->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(Resolved r, ResolvePair(*node, events, *args));
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event withdraw"));
        QUN_ASSIGN_OR_RETURN(core::WithdrawResult res,
                             events.Withdraw(*txn, r.event.id, r.person_id));
        QUN_RETURN_IF_ERROR(txn->Commit());
        std::vector<std::string> names;
        for (const auto& id : res.moved_up) {
          auto p = node->registry->GetPerson(id);
          names.push_back(p.ok() ? p->display_name : core::ShortId(id));
        }
        if (app.options.json) {
          app.PrintJson({{"event_id", r.event.id},
                         {"person_id", r.person_id},
                         {"status", "withdrawn"},
                         {"moved_up", res.moved_up}});
          return Status::Ok();
        }
        std::string out =
            i18n::Format(_("{} withdrew from '{}'\n"), r.person.display_name, r.event.title);
        for (const auto& n : names) out += i18n::Format(_("{} moved up from the waitlist\n"), n);
        app.Print(out);
        return Status::Ok();
      };
    });
  }

  {  // attend
    struct AttendArgs {
      std::string event;
      std::vector<std::string> people;
      bool absent = false, strict = false;
    };
    auto args = std::make_shared<AttendArgs>();
    CLI::App* attend = event->add_subcommand("attend", _("mark that people came (or, with "
                                                         "--absent, did not)"));
    attend->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    attend
        ->add_option("PERSON", args->people,
                     _("who came: one or more, as pasted from the chat (张伟，李娜)"))
        ->required();
    attend->add_flag("--absent", args->absent, _("remove their attendance mark"));
    attend->add_flag("--strict", args->strict,
                     _("mark nobody unless every name can be marked (for scripts)"));
    attend->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string event_id, events.Resolve(args->event));
        QUN_ASSIGN_OR_RETURN(core::Event ev, events.Get(event_id));
        std::vector<std::string> names = SplitList(args->people);
        // One name: its error is the command's, as it always was.
        const bool one = names.size() == 1;
        struct Mark {
          std::string typed, person_id, name, reason;
          bool changed = false, ok = false;
          Status status;
        };
        std::vector<Mark> marks;
        std::set<std::string> seen;
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event attend"));
        for (const std::string& typed : names) {
          Mark m;
          m.typed = typed;
          auto person = node->registry->ResolvePerson(typed, ev.group_id);
          if (person.ok() && !seen.insert(*person).second) continue;
          // A name not found is that name's refusal; a person is marked.
          Result<bool> changed = person.ok() ? Result<bool>(false) : Result<bool>(person.status());
          if (person.ok()) {
            m.person_id = *person;
            QUN_ASSIGN_OR_RETURN(core::Person p, node->registry->GetPerson(*person));
            m.name = p.display_name;
            QUN_RETURN_IF_ERROR(txn->Savepoint());
            changed = events.MarkAttendance(*txn, ev.id, *person, !args->absent);
            QUN_RETURN_IF_ERROR(changed.ok() ? txn->ReleaseSavepoint()
                                             : txn->RollbackToSavepoint());
          }
          if (!changed.ok()) {
            if (one) return changed.status();
            const Status::Code c = changed.status().code();
            if (c == Status::Code::kBusy || c == Status::Code::kIOError ||
                c == Status::Code::kCorruption || c == Status::Code::kInternal)
              return changed.status();
            m.status = changed.status();
            m.reason = changed.status().message();
          } else {
            m.ok = true;
            m.changed = *changed;
          }
          marks.push_back(std::move(m));
        }
        const Mark* failed = nullptr;
        size_t not_marked = 0;
        for (const Mark& m : marks)
          if (!m.ok) {
            if (!failed) failed = &m;
            ++not_marked;
          }
        if (failed && args->strict)
          return LikeStatus(failed->status,
                            i18n::Format(_("nobody was marked (--strict): '{}': {}"), failed->typed,
                                         failed->reason));
        QUN_RETURN_IF_ERROR(txn->Commit());
        if (app.options.json) {
          auto mark_json = [&](const Mark& m) {
            nlohmann::json j = {{"event_id", ev.id},
                                {"person_id", m.person_id},
                                {"attended", !args->absent},
                                {"changed", m.changed}};
            if (!one) j["typed"] = m.typed;
            if (!m.ok) j["reason"] = m.reason;
            return j;
          };
          if (one) {
            app.PrintJson(mark_json(marks.at(0)));
          } else {
            nlohmann::json out = nlohmann::json::array();
            for (const Mark& m : marks) out.push_back(mark_json(m));
            app.PrintJson(out);
          }
        } else {
          std::string out;
          for (const Mark& m : marks) {
            const std::string& who = m.name;
            if (!m.ok)
              out += i18n::Format(_("'{}': not marked: {}\n"), m.typed, m.reason);
            else if (!args->absent)
              out += m.changed ? i18n::Format(_("{} attended '{}'\n"), who, ev.title)
                               : i18n::Format(_("{} was already marked as attending '{}'; nothing "
                                                "written\n"),
                                              who, ev.title);
            else
              out += m.changed ? i18n::Format(_("{} is marked absent from '{}'\n"), who, ev.title)
                               : i18n::Format(_("{} was not marked as attending '{}'; nothing "
                                                "written\n"),
                                              who, ev.title);
          }
          app.Print(out);
        }
        if (!failed) return Status::Ok();
        return LikeStatus(failed->status,
                          i18n::Format(P_("{} name was not marked (see above); the others were",
                                          "{} names were not marked (see above); the others were",
                                          static_cast<int64_t>(not_marked)),
                                       not_marked));
      };
    });
  }

  {  // retro
    struct RetroArgs {
      std::string event;
      std::optional<std::string> text, file;
    };
    auto args = std::make_shared<RetroArgs>();
    CLI::App* retro =
        event->add_subcommand("retro", _("write the event's retrospective (复盘), replacing it"));
    retro->add_option("EVENT", args->event, _("event id, id prefix or title"))->required();
    retro->add_option("TEXT", args->text, _("the retrospective"));
    retro->add_option("--file", args->file, _("read the retrospective from a file (- for stdin)"));
    retro->callback([&app, args] {
      app.action = [&app, args]() -> Status {
        if (args->text && args->file)
          return Status::InvalidArgument(_("give the retrospective as TEXT or --file, not both"));
        if (!args->text && !args->file)
          return Status::InvalidArgument(
              _("give the retrospective as TEXT, or --file FILE to read it from a file"));
        QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
        core::Events events(*node->registry, *node->store);
        QUN_ASSIGN_OR_RETURN(std::string id, events.Resolve(args->event));
        std::string body;
        if (args->file) {
          QUN_ASSIGN_OR_RETURN(body, ReadInput(*args->file));
          if (body.substr(0, 3) == "\xEF\xBB\xBF") body.erase(0, 3);
        } else {
          body = *args->text;
        }
        QUN_ASSIGN_OR_RETURN(auto txn, node->Begin("event retro"));
        QUN_RETURN_IF_ERROR(events.SetRetro(*txn, id, body));
        QUN_RETURN_IF_ERROR(txn->Commit());
        QUN_ASSIGN_OR_RETURN(core::Event e, events.Get(id));
        if (app.options.json)
          app.PrintJson(EventJson(e));
        else {
          const size_t chars = text::CodePoints(e.retro).size();
          app.Print(i18n::Format(
              P_("Saved the retrospective of '{}' ({} character); `qun event show {}` shows it\n",
                 "Saved the retrospective of '{}' ({} characters); `qun event show {}` shows it\n",
                 static_cast<int64_t>(chars)),
              e.title, chars, core::ShortRowId(id)));
        }
        return Status::Ok();
      };
    });
  }

  AddEventChatCommand(app, event);
}

}  // namespace qun::cli
