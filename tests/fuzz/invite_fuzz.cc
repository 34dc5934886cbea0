// Fuzz target: what a node about to join reads. The first byte says what
// the rest is:
//   0  an invite code's text, as typed or pasted into `qun join CODE`
//   1  an invite file (`qun join FILE`), opened by the viewer's identity
//   2  the inside of an invite file, sealed here to the viewer: a file an
//      inviter made wrongly, or made to harm (only its holder can open it,
//      so a fuzzer could not reach this through mutations of the box)
//
// Invariant on top of "no crash, no sanitizer finding": a code that parses
// formats back to text that parses to the same code.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_node.h"
#include "sync/invite.h"
#include "sync/invite_code.h"

using namespace qun;

namespace {

bool SameCode(const sync::InviteCode& a, const sync::InviteCode& b) {
  return a.community == b.community && a.inviter == b.inviter && a.secret == b.secret &&
         a.expires_unix_s == b.expires_unix_s && a.address == b.address;
}

void ParseCode(std::string_view text) {
  (void)sync::LooksLikeInviteCode(text);
  auto code = sync::ParseInviteCode(text);
  if (!code.ok()) return;
  auto again = fuzz::Must(sync::ParseInviteCode(sync::FormatInviteCode(*code)),
                          "parsing a formatted invite code");
  if (!SameCode(*code, again)) fuzz::Fail("an invite code does not survive formatting");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const core::Identity& viewer = *fuzz::TheCast().viewer;
  switch (data[0]) {
    case 0:
      ParseCode(rest);
      break;
    case 1:
      (void)sync::OpenInvite(rest, viewer);
      break;
    case 2: {
      auto sealed = fuzz::Must(core::Identity::SealTo(viewer.public_key(), rest), "sealing");
      (void)sync::OpenInvite(std::string("quninv02") + sealed, viewer);
      (void)sync::OpenInvite(std::string("quninv01") + sealed, viewer);
      break;
    }
    default:
      break;
  }
  return 0;
}
