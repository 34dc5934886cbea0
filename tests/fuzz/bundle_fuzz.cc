// Fuzz target: a bundle file (`qun bundle import FILE`) and a version
// vector file (`qun bundle export --since FILE`), from a USB stick or a
// mail: anyone may have made or damaged them.
//
// The first byte says which: 0 a bundle, 1 a vector file. A bundle goes the
// way `qun bundle import` takes it: CheckBundle reads it whole, and only a
// bundle it accepts is read again and each change set received, inside a
// core::Batch.
//
// Invariants on top of "no crash, no sanitizer finding":
//   - a bundle CheckBundle accepts reads back to its end, with as many
//     change sets as CheckBundle counted;
//   - a vector file that parses formats back to text that parses to the
//     same vector.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "core/db.h"
#include "fuzz/fuzz_node.h"
#include "sync/bundle.h"

using namespace qun;

namespace {

void ImportBundle(const std::string& path) {
  auto checked = sync::CheckBundle(path, fuzz::FixedCommunity());
  if (!checked.ok()) return;
  auto node = fuzz::FreshNode();
  auto reader = fuzz::Must(sync::BundleReader::Open(path), "opening a checked bundle");
  core::Batch batch(node->store->db(), sync::kImportBatchMs);
  while (true) {
    auto next = fuzz::Must(reader->Next(), "reading a checked bundle");
    if (!next) break;
    fuzz::Must(batch.Step(), "a batch step");
    auto received = node->sets->Receive(*next);
    if (!received.ok()) fuzz::Fail("Receive failed: " + received.status().message());
  }
  fuzz::Must(batch.Finish(), "finishing the batch");
  if (reader->count() != *checked) fuzz::Fail("the bundle read back a different count");
  fuzz::Must(node->sets->DropUninvited(), "dropping what waits for an invite");
  fuzz::Must(node->sets->EnsureDecided(), "deciding roles");
}

void ParseVector(std::string_view text) {
  auto vector = sync::ParseVectorFile(text, fuzz::FixedCommunity());
  if (!vector.ok()) return;
  std::string again = sync::FormatVectorFile(fuzz::FixedCommunity(), *vector);
  auto reparsed = fuzz::Must(sync::ParseVectorFile(again, fuzz::FixedCommunity()),
                             "parsing a formatted vector file");
  if (reparsed != *vector) fuzz::Fail("a vector file does not survive formatting");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 1) {
    ParseVector(rest);
    return 0;
  }
  if (data[0] != 0) return 0;
  static const fuzz::TempFolder folder;
  std::string path = folder / "in.qunbundle";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
    if (!out.good()) fuzz::Fail("cannot write " + path);
  }
  ImportBundle(path);
  return 0;
}
