// Fuzz target: a change set from another node, received as a sync or a
// bundle import receives it (decode, verify, decrypt, decode the payload,
// authorize, merge).
//
// The first byte says what the rest is:
//   0  a whole ChangeSet message, as it travels: anyone could send these
//   1  a payload (schemas/changeset.capnp), sealed here as the admin's first
//      change set: hostile content from a node the community let in
//   2  the same, as the founder's next change set
//   3  the same, as the first change set of a node nobody invited
// Modes 1 to 3 reach the payload decoder and the merge, which a fuzzer
// could never reach through a signature it cannot forge.
//
// Invariants checked on top of "no crash, no sanitizer finding":
//   - what is applied is held: receiving it again says already held;
//   - receiving never leaves the database failing its integrity check;
//   - a viewer node's state changes only by change sets it applied.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/state_hash.h"
#include "fuzz/fuzz_node.h"
#include "sync/change_set.h"

using namespace qun;

namespace {

std::string SealAs(const core::Identity& author, uint64_t seq,
                   const std::optional<sync::Hash>& previous, std::string_view plaintext) {
  sync::ChangeSetHeader header;
  header.community_id = fuzz::FixedCommunity();
  header.seq = seq;
  header.previous_hash = previous;
  auto sealed = sync::SealEncoded(header, plaintext, fuzz::FixedKey(), author);
  return fuzz::Must(std::move(sealed), "sealing a fuzzed payload").Encode();
}

// The founder's last founding change set, whose hash its next one names.
sync::Hash FounderHead() {
  const auto& sets = fuzz::TheFounding().change_sets;
  auto cs = fuzz::Must(sync::ChangeSet::Decode(sets.back()), "decoding a founding change set");
  return cs.ComputeHash();
}

void CheckIntegrity(core::Database& db) {
  auto check = fuzz::Must(db.Prepare("PRAGMA integrity_check"), "preparing integrity_check");
  bool row = fuzz::Must(check.Step(), "running integrity_check");
  if (!row || check.Text(0) != "ok") fuzz::Fail("the database fails its integrity check");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fuzz::Cast& cast = fuzz::TheCast();
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string change_set;
  switch (data[0]) {
    case 0:
      change_set.assign(rest);
      break;
    case 1:
      change_set = SealAs(*cast.admin, 1, std::nullopt, rest);
      break;
    case 2:
      change_set =
          SealAs(*cast.founder, fuzz::TheFounding().change_sets.size() + 1, FounderHead(), rest);
      break;
    case 3:
      change_set = SealAs(*cast.stranger, 1, std::nullopt, rest);
      break;
    default:
      return 0;
  }

  auto node = fuzz::FreshNode();
  std::string before = fuzz::Must(core::StateHash(node->store->db()), "hashing the state");
  auto received = node->sets->Receive(change_set);
  // An error (rather than an outcome) is for the node's own failures, such
  // as a full disk; nothing in the input may cause one.
  if (!received.ok()) fuzz::Fail("Receive failed: " + received.status().message());
  fuzz::Must(node->sets->EnsureDecided(), "deciding roles");
  CheckIntegrity(node->store->db());
  std::string after = fuzz::Must(core::StateHash(node->store->db()), "hashing the state");
  if (received->outcome == sync::Outcome::kApplied) {
    auto again = fuzz::Must(node->sets->Receive(change_set), "receiving again");
    if (again.outcome != sync::Outcome::kAlreadyHeld)
      fuzz::Fail("an applied change set was not held when received again");
  } else if (after != before) {
    fuzz::Fail(std::string("a change set that was not applied changed the state: ") +
               sync::OutcomeName(received->outcome));
  }
  return 0;
}
