// `qun invite`, `qun join` and `qun bundle vector|export|import`: letting a
// second admin in, and syncing by file between admins who are never online
// together.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

#include "base/i18n.h"
#include "base/text.h"
#include "cli/app.h"
#include "cli/net.h"
#include "cli/output.h"
#include "cli/words.h"
#include "core/field_text.h"
#include "core/home.h"
#include "core/key_file.h"
#include "node/join_code.h"
#include "sync/bundle.h"
#include "sync/change_set_store.h"
#include "sync/community.h"
#include "sync/import.h"
#include "sync/invite.h"
#include "sync/invite_code.h"
#include "sync/transport.h"

namespace qun::cli {
namespace {

using nlohmann::json;

// Writes a file that must not replace another one (an invite).
Status WriteNewFile(const std::string& path, const std::string& bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return Status::Conflict(
          i18n::Format(_("{} already exists; choose another file name with -o"), path));
    return Status::IOError(i18n::Format(_("cannot create {}: {}"), path, std::strerror(errno)));
  }
  bool ok =
      write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return Status::IOError(i18n::Format(_("cannot write {}; check free disk space"), path));
  }
  return Status::Ok();
}

// A version vector given on the command line: "AUTHOR:SEQ,AUTHOR:SEQ", each
// author a node id or the first 8 or more of its hex characters, as `qun
// bundle vector` prints it. Prefixes are resolved among the authors held.
Result<sync::VersionVector> ParseInlineVector(const std::string& text,
                                              const sync::VersionVector& known) {
  sync::VersionVector out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t colon = item.find(':');
    std::string author = item.substr(0, colon);
    std::string seq = colon == std::string::npos ? "" : item.substr(colon + 1);
    if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos)
      return Status::InvalidArgument(i18n::Format(
          _("'{}' in --since is not AUTHOR:SEQ; copy the vector `qun bundle vector` prints on the "
            "other node"),
          item));
    for (char& c : author) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::optional<core::PublicKey> match;
    if (author.size() == 64) {
      QUN_ASSIGN_OR_RETURN(match, sync::ParseNodeId(author));
    } else {
      if (author.size() < 8)
        return Status::InvalidArgument(i18n::Format(
            _("'{}' in --since is too short to name an author; give at least 8 hex characters"),
            author));
      int found = 0;
      for (const auto& [key, s] : known)
        if (core::ToHex(key).rfind(author, 0) == 0) {
          match = key;
          ++found;
        }
      if (found > 1)
        return Status::Conflict(i18n::Format(
            _("'{}' in --since matches several authors; give more characters"), author));
      // An author this node has never heard of has nothing to be sent anyway.
      if (found == 0) continue;
    }
    out[*match] = std::stoull(seq);
  }
  return out;
}

std::string InlineVector(const sync::VersionVector& v) {
  std::string out;
  for (const auto& [author, seq] : v)
    out += fmt::format("{}{}:{}", out.empty() ? "" : ",", core::ToHex(author).substr(0, 16), seq);
  return out;
}

struct InviteArgs {
  std::string node_id, out, name, expires = "24h", address, role = "owner";
  std::vector<std::string> groups;
  bool code = false;
};

// The roles an invite grants, checked before anything is recorded; only an
// owner invites.
Result<std::vector<core::RoleKey>> InviteRoles(SyncNode& s, const InviteArgs& args) {
  QUN_ASSIGN_OR_RETURN(std::vector<core::RoleKey> roles,
                       ParseRoleArgs(*s.node->registry, args.role, args.groups));
  QUN_RETURN_IF_ERROR(node::RequireOwner(s, _("invite a node")));
  return roles;
}

// "24h", "30m", "7d", or seconds.
Result<int64_t> ParseExpiry(const std::string& text) {
  auto bad = Status::InvalidArgument(
      i18n::Format(_("'{}' is not a duration: write it like 30m, 24h or 7d"), text));
  size_t digits = text.find_first_not_of("0123456789");
  if (text.empty() || digits == 0 || (digits == std::string::npos ? text.size() : digits) > 9)
    return bad;
  int64_t n = std::stoll(text.substr(0, digits));
  std::string unit = digits == std::string::npos ? "s" : text.substr(digits);
  int64_t seconds = unit == "s"   ? n
                    : unit == "m" ? n * 60
                    : unit == "h" ? n * 3600
                    : unit == "d" ? n * 86400
                                  : -1;
  if (seconds <= 0 || seconds > 30 * 86400)
    return Status::InvalidArgument(i18n::Format(
        _("'{}' is not a duration a code may last: from 1 s to 30 days (30m, 24h, 7d)"), text));
  return seconds;
}

Status InviteWithCode(App& app, const InviteArgs& args) {
  if (args.address.empty())
    return Status::InvalidArgument(
        _("say where the new node reaches this one: --address tcp://HOST:PORT, the address of "
          "this laptop and the port `qun serve` listens on (7447 unless --listen says otherwise)"));
  QUN_RETURN_IF_ERROR(sync::CheckAddress(args.address, false));
  QUN_ASSIGN_OR_RETURN(int64_t seconds, ParseExpiry(args.expires));
  QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
  SyncNode& s = *sp;
  QUN_ASSIGN_OR_RETURN(std::vector<core::RoleKey> roles, InviteRoles(s, args));
  int64_t expires_s = std::time(nullptr) + seconds;
  QUN_ASSIGN_OR_RETURN(
      sync::InviteSecret secret,
      sync::NewInviteSecret(s.node->store->db(), args.name, expires_s * 1000, roles));
  sync::InviteCode code{s.community.id, s.node->identity->public_key(), secret, expires_s,
                        args.address};
  std::string text = sync::FormatInviteCode(code);
  if (app.options.json) {
    app.PrintJson({{"code", text},
                   {"expires_unix_s", expires_s},
                   {"address", args.address},
                   {"roles", node::RolesText(s.node->store->db(), roles)}});
  } else {
    app.Print(i18n::Format(
        _("{}\n\nSend this code to the new admin (it works once, for {}; it makes them {}). On "
          "their laptop they run `qun join -` and paste it (or save it in a file and run `qun "
          "join --code-file FILE`), while this node serves (`qun serve`) at {}.\n"),
        text, args.expires, node::RolesText(s.node->store->db(), roles), args.address));
  }
  return Status::Ok();
}

void AddInvite(App& app) {
  using Args = InviteArgs;
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.cli.add_subcommand(
      "invite",
      _("let another admin's node in: an invite file for its node id, or a code to join over the "
        "network"));
  auto* id = cmd->add_option("NODE-ID", args->node_id,
                             _("the id `qun init --join` printed on their laptop (for a file)"));
  auto* out =
      cmd->add_option("-o,--output", args->out, _("the invite file to write (give it to them)"));
  auto* code = cmd->add_flag("--code", args->code,
                             _("print a one-time code to join over the network instead (this node "
                               "must be serving: `qun serve`)"));
  cmd->add_option("--expires", args->expires, _("how long the code works: 24h (default), 30m, 7d"));
  cmd->add_option("--address", args->address,
                  _("where the new node reaches this one, as it sees it: tcp://HOST:PORT of `qun "
                    "serve` (needed with --code)"));
  cmd->add_option("--name", args->name, _("their name, as co-admins will see it"));
  cmd->add_option("--role", args->role,
                  _("the role they get: owner (default), admin (with --group), editor "
                    "(member-editor), viewer or relay"));
  cmd->add_option("--group", args->groups, _("for --role admin: the group (repeat for several)"));
  code->excludes(id);
  code->excludes(out);
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      if (args->code) return InviteWithCode(app, *args);
      if (args->node_id.empty() || args->out.empty())
        return Status::InvalidArgument(
            _("say whom to invite: `qun invite NODE-ID -o FILE` for an invite file, or `qun invite "
              "--code --address tcp://HOST:PORT` for a code to join over the network"));
      QUN_ASSIGN_OR_RETURN(core::PublicKey invitee, sync::ParseNodeId(args->node_id));
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      if (invitee == s.node->identity->public_key())
        return Status::InvalidArgument(
            _("that is this node's own id; run `qun invite` with the id printed on the other "
              "laptop"));
      struct stat st;
      if (stat(args->out.c_str(), &st) == 0)
        return Status::Conflict(
            i18n::Format(_("{} already exists; choose another file name with -o"), args->out));
      QUN_ASSIGN_OR_RETURN(std::vector<core::RoleKey> roles, InviteRoles(s, *args));
      QUN_ASSIGN_OR_RETURN(std::string bytes, InviteNode(s, invitee, args->name, roles));
      QUN_RETURN_IF_ERROR(WriteNewFile(args->out, bytes));
      std::string hex = core::ToHex(invitee);
      std::string roles_text = node::RolesText(s.node->store->db(), roles);
      if (app.options.json) {
        app.PrintJson({{"invite", args->out}, {"node_id", hex}, {"roles", roles_text}});
      } else {
        app.Print(i18n::Format(
            _("Wrote the invite for {} ({}) to {}.\nOnly that node can open it. Give it to them; "
              "they run `qun join {}`, then you sync (`qun sync`, or bundles: `qun bundle "
              "export`).\n"),
            hex.substr(0, 8), roles_text, args->out, args->out));
      }
      return Status::Ok();
    };
  });
}

// `qun join CODE`: makes the node when the home has none, proves the code
// to the inviter over the network, takes the invite in, and syncs with the
// inviter, now a peer.
Status JoinWithCode(App& app, const std::string& text, const std::string& admin,
                    const std::string& peer_name, double timeout_s) {
  QUN_ASSIGN_OR_RETURN(node::CodeJoin joined,
                       node::JoinWithCode(app.options.home, text, admin, peer_name,
                                          static_cast<int64_t>(timeout_s * 1000)));
  std::string id = sync::CommunityIdHex(joined.invite.community.id);
  if (!joined.first_sync.ok())
    return joined.first_sync.status().WithContext(i18n::Format(
        _("joined community {}, and {} is now peer {}, but the first sync failed (run `qun sync` "
          "to finish it)"),
        id.substr(0, 8), joined.address, peer_name));
  sync::SyncReport& report = *joined.first_sync;
  if (app.options.json) {
    app.PrintJson({{"community_id", id},
                   {"invited_by", core::ToHex(joined.invite.inviter)},
                   {"node_id", joined.node_id},
                   {"peer", peer_name},
                   {"received", report.received},
                   {"applied", report.taken.applied}});
  } else {
    app.Print(
        i18n::Format(_("Joined community {} (invited by {}).\n{}\nThe inviter is now peer {}: "
                       "sync again any time with `qun sync`.\n"),
                     id.substr(0, 8), core::ToHex(joined.invite.inviter).substr(0, 8),
                     Summary(peer_name, report), peer_name));
  }
  return Status::Ok();
}

void AddJoin(App& app) {
  struct Args {
    std::string what, admin, peer_name = "inviter", code_file;
    double timeout_s = 20;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.cli.add_subcommand(
      "join", _("join a community: with the invite file an admin made for this node, or a code"));
  cmd->add_option("FILE-OR-CODE", args->what,
                  _("the invite file (from `qun invite NODE-ID`), or the code (from `qun invite "
                    "--code`); - (or nothing, when standard input is not a terminal) reads either "
                    "from standard input, which keeps a code out of the process list and the "
                    "shell's history"));
  cmd->add_option("--code-file", args->code_file,
                  _("read the code from this file instead of the command line"));
  cmd->add_option(
      "--admin", args->admin,
      _("your name as co-admins will see it, for a new node (default: your login name)"));
  cmd->add_option(
      "--peer-name", args->peer_name,
      _("with a code: the name to give the inviter's node as a peer (default inviter)"));
  cmd->add_option("--timeout", args->timeout_s, _("with a code: seconds to wait for the inviter"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      // A code typed on the command line is visible to every local user
      // (/proc/PID/cmdline) while qun runs, and stays in the shell's
      // history: it may come from standard input or a file instead.
      std::optional<std::string> given;  // a code or an invite file's bytes
      if (!args->code_file.empty()) {
        if (!args->what.empty())
          return Status::InvalidArgument(
              _("give the code either with --code-file or on the command line, not both"));
        QUN_ASSIGN_OR_RETURN(std::string text, ReadInput(args->code_file));
        if (!sync::LooksLikeInviteCode(text))
          return Status::InvalidArgument(i18n::Format(
              _("{} holds no invite code (one starts with qun1-); for an invite file, run `qun "
                "join {}`"),
              args->code_file, args->code_file));
        given = std::move(text);
      } else if (args->what == "-" || (args->what.empty() && !isatty(STDIN_FILENO))) {
        QUN_ASSIGN_OR_RETURN(std::string bytes, ReadInput("-"));
        if (bytes.find_first_not_of(" \t\r\n") == std::string::npos)
          return Status::InvalidArgument(
              _("standard input was empty: paste the invite code (then press Ctrl-D), or give "
                "the invite file: `qun join FILE`"));
        given = std::move(bytes);
      } else if (args->what.empty()) {
        return Status::InvalidArgument(
            _("say what to join with: `qun join FILE` for an invite file, or for a code `qun join "
              "-` and paste it (then Ctrl-D), or `qun join --code-file FILE`"));
      }
      struct stat st;
      if (given ? sync::LooksLikeInviteCode(*given)
                : sync::LooksLikeInviteCode(args->what) && stat(args->what.c_str(), &st) != 0)
        return JoinWithCode(app, given ? *given : args->what, args->admin, args->peer_name,
                            args->timeout_s);
      QUN_ASSIGN_OR_RETURN(auto node, OpenNode(app.options));
      std::string bytes;
      if (given) {
        bytes = std::move(*given);
      } else {
        QUN_ASSIGN_OR_RETURN(bytes, ReadInput(args->what));
      }
      QUN_ASSIGN_OR_RETURN(sync::Invite invite, JoinWithInvite(*node, bytes));
      std::string id = sync::CommunityIdHex(invite.community.id);
      if (app.options.json) {
        app.PrintJson({{"community_id", id}, {"invited_by", core::ToHex(invite.inviter)}});
      } else {
        app.Print(i18n::Format(
            _("Joined community {} (invited by {}).\nNext: sync with an admin: `qun peer add NAME "
              "tcp://HOST:PORT --key NODE-ID` and `qun sync`, or by file: write your version "
              "vector with `qun bundle vector -o me.vector`, give it to an admin, and import the "
              "bundle they make with `qun bundle import FILE`.\n"),
            id.substr(0, 8), core::ToHex(invite.inviter).substr(0, 8)));
      }
      return Status::Ok();
    };
  });
}

void AddBundle(App& app) {
  CLI::App* bundle = app.cli.add_subcommand(
      "bundle", _("sync by file: write what another admin lacks, or take in what they sent"));
  bundle->require_subcommand(1);

  auto vector_out = std::make_shared<std::string>();
  CLI::App* vector = bundle->add_subcommand(
      "vector", _("write this node's version vector (what it holds) for another admin"));
  vector->add_option("-o,--output", *vector_out, _("the file to write; without it, print it"));
  vector->callback([&app, vector_out] {
    app.action = [&app, vector_out]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
      QUN_ASSIGN_OR_RETURN(sync::VersionVector v, s.sets->Vector());
      if (!vector_out->empty()) {
        QUN_RETURN_IF_ERROR(WriteOutput(*vector_out, sync::FormatVectorFile(s.community.id, v)));
      }
      if (app.options.json) {
        json authors = json::object();
        for (const auto& [author, seq] : v) authors[core::ToHex(author)] = seq;
        app.PrintJson({{"community_id", sync::CommunityIdHex(s.community.id)},
                       {"vector", authors},
                       {"since", InlineVector(v)}});
        return Status::Ok();
      }
      if (!vector_out->empty()) {
        app.Print(i18n::Format(
            P_("Wrote the version vector ({} author) to {}.\nThe other admin runs `qun bundle "
               "export --for {} -o FILE` and gives you FILE.\n",
               "Wrote the version vector ({} authors) to {}.\nThe other admin runs `qun bundle "
               "export --for {} -o FILE` and gives you FILE.\n",
               static_cast<int64_t>(v.size())),
            v.size(), *vector_out, *vector_out));
        return Status::Ok();
      }
      Table t({_("Author"), _("Change sets")});
      for (const auto& [author, seq] : v)
        t.AddRow({NodeLabel(s.node->store->db(), author), std::to_string(seq)});
      app.Print(t.Render());
      app.Print(i18n::Format(_("\nFor --since: {}\n"), InlineVector(v)));
      return Status::Ok();
    };
  });

  struct ExportArgs {
    std::string since, for_file, out;
    bool since_given = false;
  };
  auto ex = std::make_shared<ExportArgs>();
  CLI::App* exp = bundle->add_subcommand(
      "export", _("write the change sets another admin lacks (theirs and others') to a file"));
  auto* since = exp->add_option("--since", ex->since,
                                _("what they hold, as `qun bundle vector` prints it "
                                  "(AUTHOR:SEQ,...); empty for everything"));
  auto* for_file = exp->add_option("--for", ex->for_file,
                                   _("their version vector file (`qun bundle vector -o`)"));
  since->excludes(for_file);
  exp->add_option("-o,--output", ex->out, _("the bundle file to write"))->required();
  exp->callback([&app, ex, since] {
    ex->since_given = since->count() > 0;
    app.action = [&app, ex]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      QUN_RETURN_IF_ERROR(s.sets->SealLocal().status());
      QUN_ASSIGN_OR_RETURN(sync::VersionVector mine, s.sets->Vector());
      sync::VersionVector theirs;
      if (!ex->for_file.empty()) {
        QUN_ASSIGN_OR_RETURN(std::string text, ReadInput(ex->for_file));
        QUN_ASSIGN_OR_RETURN(theirs, sync::ParseVectorFile(text, s.community.id));
      } else if (ex->since_given) {
        QUN_ASSIGN_OR_RETURN(theirs, ParseInlineVector(ex->since, mine));
      }
      QUN_ASSIGN_OR_RETURN(auto writer, sync::BundleWriter::Create(ex->out, s.community.id));
      QUN_RETURN_IF_ERROR(
          s.sets->ForEachMissing(theirs, [&](std::string_view cs) { return writer->Add(cs); }));
      QUN_RETURN_IF_ERROR(writer->Finish());
      if (app.options.json) {
        app.PrintJson({{"bundle", ex->out}, {"change_sets", writer->count()}});
      } else if (writer->count() == 0) {
        app.Print(i18n::Format(_("The other side already holds everything this node has; wrote "
                                 "an empty bundle to {}.\n"),
                               ex->out));
      } else {
        app.Print(i18n::Format(
            P_("Wrote {} change set to {}.\nThe other admin runs `qun bundle import {}`.\n",
               "Wrote {} change sets to {}.\nThe other admin runs `qun bundle import {}`.\n",
               static_cast<int64_t>(writer->count())),
            writer->count(), ex->out, ex->out));
      }
      return Status::Ok();
    };
  });

  auto in_file = std::make_shared<std::string>();
  CLI::App* imp = bundle->add_subcommand(
      "import", _("take in a bundle from another admin: verify, decrypt and merge it"));
  imp->add_option("FILE", *in_file, _("the bundle file (from `qun bundle export`)"))->required();
  imp->callback([&app, in_file] {
    app.action = [&app, in_file]() -> Status {
      QUN_ASSIGN_OR_RETURN(auto sp, OpenSyncNode(app.options));
      SyncNode& s = *sp;
      // A truncated or foreign bundle is refused whole, before anything in
      // it is applied; then it is read again, one change set at a time.
      QUN_ASSIGN_OR_RETURN(uint64_t total, sync::CheckBundle(*in_file, s.community.id));
      QUN_ASSIGN_OR_RETURN(auto reader, sync::BundleReader::Open(*in_file));
      Progress progress(_("Importing"), static_cast<int64_t>(total));
      // The same import as a network sync's (sync/import.h), in one batch.
      sync::Import import(*s.node->store, *s.sets);
      QUN_RETURN_IF_ERROR(
          import.Take([&] { return reader->Next(); }, [&](int64_t n) { progress.Update(n); })
              .status());
      progress.Finish();
      QUN_RETURN_IF_ERROR(import.Finish());
      std::vector<sync::Received> shown;
      for (const sync::Received& r : import.notable())
        if (r.outcome != sync::Outcome::kApplied) shown.push_back(r);
      auto count = [&](sync::Outcome o) { return import.count(o); };
      int64_t refused = count(sync::Outcome::kRejected);
      core::Database& db = s.node->store->db();
      if (app.options.json) {
        json sets = json::array();
        for (const auto& r : shown)
          sets.push_back({{"author", core::ToHex(r.author)},
                          {"seq", r.seq},
                          {"outcome", sync::OutcomeName(r.outcome)},
                          {"reason", r.reason}});
        app.PrintJson({{"bundle", *in_file},
                       {"applied", count(sync::Outcome::kApplied)},
                       {"already_held", count(sync::Outcome::kAlreadyHeld)},
                       {"pending", count(sync::Outcome::kPending)},
                       {"newer_format", count(sync::Outcome::kNewerFormat)},
                       {"equivocation", count(sync::Outcome::kEquivocation)},
                       {"rejected", refused},
                       {"change_sets", sets}});
      } else {
        // The counts that are often none come at the end of the sentence.
        std::string more;
        if (count(sync::Outcome::kNewerFormat))
          more += i18n::Format(_(", {} from a newer Qun"), count(sync::Outcome::kNewerFormat));
        if (count(sync::Outcome::kEquivocation))
          more += i18n::Format(_(", {} equivocating"), count(sync::Outcome::kEquivocation));
        std::string out = i18n::Format(
            _("Imported {}: {} applied, {} already held, {} pending, {} rejected{}.\n"), *in_file,
            count(sync::Outcome::kApplied), count(sync::Outcome::kAlreadyHeld),
            count(sync::Outcome::kPending), refused, more);
        for (const auto& r : shown)
          out += fmt::format(
              "  {} {} #{}: {}\n",
              text::PadRightNoTruncate(Word(kChangeSetOutcome, sync::OutcomeName(r.outcome)), 12),
              NodeLabel(db, r.author), r.seq, r.reason);
        if (count(sync::Outcome::kPending))
          out +=
              _("Pending change sets wait for earlier ones; they apply by themselves once a "
                "bundle brings those.\n");
        if (count(sync::Outcome::kNewerFormat))
          out +=
              _("Some change sets were written by a newer Qun: they are kept and passed on; "
                "upgrade qun to apply them.\n");
        app.Print(out);
      }
      if (refused > 0)
        return Status::Rejected(
            i18n::Format(_("{0} change sets of {1} were refused (listed above); everything "
                           "else was taken"),
                         refused, *in_file));
      return Status::Ok();
    };
  });
}

}  // namespace

void AddSyncCommands(App& app) {
  AddInvite(app);
  AddJoin(app);
  AddBundle(app);
}

}  // namespace qun::cli
