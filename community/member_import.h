// Importing people from a spreadsheet's CSV export.
//
// The file may be UTF-8 (with or without BOM) or GB18030/GBK, as Excel and WPS
// save it; columns are found by header name in any order, English or Chinese
// (display_name/姓名, wechat/微信, ...). Each row is matched to an existing
// person by the id column, else by any of its contact handles, and updated;
// otherwise a new person is added. Re-importing the same file writes nothing.
//
// With a group, a join-date column (入群日期, joined_at) sets when each
// person joined it, and a last-active column (最后发言, last_active)
// records a day of activity in it, so that inactivity is counted from what
// really happened and not from the day of the import.
//
// All rows are checked and written in one transaction. When any row is
// rejected, nothing is written, unless skip_bad is set, in which case the good
// rows are written and each bad row is reported with its line and reason.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "community/registry.h"

namespace qun::core {

struct ImportOptions {
  std::optional<std::string> group_id;  // also add every imported person to this group
  std::string role = "member";          // their role there
  bool skip_bad = false;
  bool dry_run = false;                        // check and count, write nothing
  std::optional<encoding::Encoding> encoding;  // default: detect
  std::string note = "import members";
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ImportRejection {
  int line;
  std::string reason;
  // With skip_bad, a row whose only problem is its referred_by cell is still
  // imported, without the referral; it is listed here all the same.
  bool row_imported = false;
};

struct ImportReport {
  std::string encoding;  // what the file was
  int64_t rows = 0;
  int64_t imported = 0;       // new people
  int64_t updated = 0;        // existing people with at least one changed field
  int64_t unchanged = 0;      // existing people, nothing to change
  int64_t joined = 0;         // memberships added in the --group group
  int64_t join_dates = 0;     // memberships given the sheet's join date
  int64_t activity_days = 0;  // last-active days recorded (new ones)
  // What the caller should tell the user although nothing was refused
  // ("the column '入群日期' is about a group; import with --group").
  std::vector<std::string> notices;
  std::vector<ImportRejection> rejections;
  int64_t rejected_rows() const;  // rejections whose row was not imported
  std::vector<std::string> ignored_columns;
  bool written = false;  // whether the transaction was committed
};

// The canonical column names, in export order.
const std::vector<std::string>& MemberColumns();

// Every column an import reads, with the other names its header may have
// (姓名, name…): the export's columns, then those that need --group.
std::vector<std::pair<std::string, std::vector<std::string>>> MemberColumnHeaders();

// On a rejected file without skip_bad, returns Rejected and fills `report`
// (so the caller can list every bad line). Other failures (unreadable
// encoding, no display_name column, a busy database) return their own codes.
Status ImportMembers(Store& store, Registry& registry, const PublicKey& author,
                     std::string_view bytes, const ImportOptions& options, ImportReport* report);

}  // namespace qun::core
