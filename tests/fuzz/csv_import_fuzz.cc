// Fuzz target: a member sheet, as `qun import members FILE --group G`
// takes it (any encoding the importer detects, any columns), into a node
// that holds the founding change sets. The first byte sets the options:
// bit 0 --skip-bad, bit 1 --dry-run, bit 2 --group of the founding group.
//
// Invariants on top of "no crash, no sanitizer finding":
//   - CSV text that parses formats back (FormatRecord) to text that parses
//     to the same records;
//   - an import, whatever it says, leaves the database passing its
//     integrity check, and a dry run writes nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/csv.h"
#include "community/member_import.h"
#include "core/state_hash.h"
#include "fuzz/fuzz_node.h"

using namespace qun;

namespace {

void RoundTrip(std::string_view text) {
  auto records = csv::Parse(text);
  if (!records.ok()) return;
  std::string again;
  for (const csv::Record& r : *records) again += csv::FormatRecord(r.fields);
  auto reparsed = fuzz::Must(csv::Parse(again), "parsing formatted CSV");
  if (reparsed.size() != records->size()) fuzz::Fail("CSV records do not survive formatting");
  for (size_t i = 0; i < reparsed.size(); ++i)
    if (reparsed[i].fields != (*records)[i].fields)
      fuzz::Fail("a CSV record does not survive formatting");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view sheet(reinterpret_cast<const char*>(data) + 1, size - 1);
  RoundTrip(sheet);

  auto node = fuzz::FreshNode();
  core::ImportOptions options;
  options.skip_bad = (data[0] & 1) != 0;
  options.dry_run = (data[0] & 2) != 0;
  if (data[0] & 4) options.group_id = fuzz::TheFounding().group_id;
  std::string before = fuzz::Must(core::StateHash(node->store->db()), "hashing the state");
  core::ImportReport report;
  Status imported =
      core::ImportMembers(*node->store, *node->registry, fuzz::TheCast().founder->public_key(),
                          sheet, options, &report);
  (void)imported;
  auto check = fuzz::Must(node->store->db().Prepare("PRAGMA integrity_check"), "integrity_check");
  if (!fuzz::Must(check.Step(), "integrity_check") || check.Text(0) != "ok")
    fuzz::Fail("the database fails its integrity check");
  std::string after = fuzz::Must(core::StateHash(node->store->db()), "hashing the state");
  if ((options.dry_run || !imported.ok()) && after != before)
    fuzz::Fail("an import that wrote nothing changed the state");
  return 0;
}
