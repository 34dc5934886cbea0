// `qun check`: is this node's database sound, and does its data say what its
// change sets say? For after a crash, a full disk, or a copied home.
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <nlohmann/json.hpp>

#include "base/i18n.h"
#include "cli/app.h"
#include "cli/output.h"
#include "core/db.h"
#include "core/home.h"
#include "sync/held.h"
#include "sync/replay_check.h"

namespace qun::cli {

using nlohmann::json;

void AddCheckCommand(App& app) {
  struct CheckArgs {
    bool quick = false;
  };
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.cli.add_subcommand(
      "check",
      _("check this node's database: SQLite's integrity check, then every change set applied "
        "again into a scratch database must give the same data (after a crash or a disk "
        "problem)"));
  cmd->add_flag("--quick", args->quick, _("only the integrity check, not the replay"));
  cmd->callback([&app, args] {
    app.action = [&app, args]() -> Status {
      // The integrity check comes first, on the bare file: opening the node
      // reads pages that may be the damaged ones.
      QUN_ASSIGN_OR_RETURN(std::string home, ExistingHome(app.options));
      const std::string db_path = core::DatabasePath(home);
      std::vector<std::string> problems;
      {
        QUN_ASSIGN_OR_RETURN(auto db, core::Database::Open(db_path, false, BusyTimeoutMs()));
        auto found = core::IntegrityProblems(*db);
        if (!found.ok() && found.status().code() != Status::Code::kCorruption)
          return found.status();
        problems = found.ok() ? *found : std::vector<std::string>{found.status().message()};
      }
      if (!problems.empty()) {
        std::string list;
        for (const std::string& p : problems) list += "\n  " + p;
        return Status::Corruption(i18n::Format(
            _("the database {} is damaged; SQLite's integrity check says:{}\nMove the home aside "
              "and make this node again from a backup of the home, or with `qun init --join` and "
              "an invite: syncing brings back everything the other nodes hold"),
            db_path, list));
      }
      json out = {{"database", db_path}, {"integrity", "ok"}};
      std::string text = i18n::Format(_("integrity: ok ({})\n"), db_path);
      if (!args->quick) {
        auto opened = OpenSyncNode(app.options);
        if (!opened.ok() && opened.status().code() != Status::Code::kNotFound)
          return opened.status();
        if (!opened.ok()) {
          out["replay"] = "skipped: not in a community";
          text += _("replay: skipped, this node has not joined a community\n");
        } else {
          SyncNode& s = **opened;
          // What the replay reads: every change set held but those waiting
          // or refused.
          QUN_ASSIGN_OR_RETURN(
              int64_t to_replay,
              sync::CountInStates(s.node->store->db(),
                                  {sync::ChangeSetState::kApplied, sync::ChangeSetState::kNewer,
                                   sync::ChangeSetState::kEquivocation}));
          // The replay builds a scratch database beside this one, about as
          // large: say so before filling the disk halfway through.
          struct stat db_stat {};
          struct statvfs disk {};
          if (stat(db_path.c_str(), &db_stat) == 0 && statvfs(home.c_str(), &disk) == 0) {
            int64_t free_bytes = static_cast<int64_t>(disk.f_bavail) * disk.f_frsize;
            int64_t needed = static_cast<int64_t>(db_stat.st_size) + (4 << 20);
            if (free_bytes < needed)
              return Status::IOError(i18n::Format(
                  _("the disk holding {} is too full for the replay: it builds a scratch copy of "
                    "the database beside it, which needs about {} MB free, and {} MB are free. "
                    "Free some space and check again, or run `qun check --quick` for the "
                    "integrity check alone"),
                  home, (needed + (1 << 20) - 1) >> 20, free_bytes >> 20));
          }
          Progress progress(_("Replaying change sets"), to_replay);
          QUN_ASSIGN_OR_RETURN(
              sync::ReplayReport r,
              sync::ReplayChangeSets(*s.node->store, *s.sets, s.community, *s.node->identity,
                                     db_path + ".check", [&](int64_t n) { progress.Update(n); }));
          progress.Finish();
          if (r.lacks_join_history) {
            out["replay"] = "incomplete: waiting for the history this node joined after";
            text +=
                _("replay: not yet; this node's own changes build on history from before it "
                  "joined, which it has not received: sync with a peer (or import a bundle), then "
                  "check again\n");
            if (app.options.json)
              app.PrintJson(out);
            else
              app.Print(text);
            return Status::Ok();
          }
          out["replayed"] = r.change_sets;
          out["applied"] = r.applied;
          out["held_applied"] = r.held_applied;
          out["state_hash"] = r.state_hash;
          out["replayed_state_hash"] = r.replayed_hash;
          if (!r.Same())
            return Status::Corruption(i18n::Format(
                _("this node's data differs from what its change sets give: state hash {} here, "
                  "{} from the {} change sets applied again ({} applied there, {} here). Keep "
                  "the home as it is for a bug report; to go on, make a new node with `qun init "
                  "--join` and an invite, and sync it"),
                r.state_hash, r.replayed_hash, r.change_sets, r.applied, r.held_applied));
          out["replay"] = "same";
          text += i18n::Format(
              _("replay: the {} change sets applied again give the same data (state hash {})\n"),
              r.change_sets, r.state_hash);
        }
      }
      if (app.options.json)
        app.PrintJson(out);
      else
        app.Print(text);
      return Status::Ok();
    };
  });
}

}  // namespace qun::cli
