// Writes the fuzz targets' seed corpus: valid inputs the project itself
// makes, signed and encrypted with the fixed keys of fuzz_node.h, so that
// fuzzing starts from what real nodes exchange.
//
//   qun_fuzz_corpus tests/fuzz/corpus
//
// Change sets carry random nonces, so each run writes different bytes of
// the same meaning; the corpus is checked in and only remade when a format
// changes. Every change set seed is checked to apply on a fresh node.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/csv.h"
#include "fuzz/fuzz_node.h"
#include "fuzz/protocol_input.h"
#include "sync/bundle.h"
#include "sync/invite.h"
#include "sync/invite_code.h"
#include "sync/protocol.h"

using namespace qun;
namespace fs = std::filesystem;

namespace {

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}
  void Add(const std::string& target, const std::string& name, const std::string& bytes) {
    fs::create_directories(root_ / target);
    std::ofstream out(root_ / target / ("seed-" + name), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.good()) fuzz::Fail("cannot write the seed " + name);
    ++count_;
  }
  int count() const { return count_; }

 private:
  fs::path root_;
  int count_ = 0;
};

std::string Mode(char mode, const std::string& rest) { return std::string(1, mode) + rest; }

// The plaintext payload of a change set sealed with the fixed key.
std::string PayloadOf(const std::string& change_set) {
  auto cs = fuzz::Must(sync::ChangeSet::Decode(change_set), "decoding");
  auto header = fuzz::Must(sync::Verify(cs), "verifying");
  auto payload = fuzz::Must(sync::Open(cs, header, fuzz::FixedKey()), "opening");
  return sync::EncodePayload(payload);
}

// The admin's first change set: a new person who joins the admin's group,
// and an edit of a person already there.
std::vector<std::string> AdminChangeSets() {
  fuzz::Node admin(*fuzz::TheCast().admin);
  admin.TakeAll(fuzz::TheFounding().change_sets);
  const fuzz::Founding& f = fuzz::TheFounding();
  admin.Write("new reader", [&](core::WriteTxn& t) -> Status {
    core::PersonInput p;
    p.display_name = "张伟";
    p.city = "深圳";
    p.add_handles.push_back({"phone", "+8613800000000"});
    QUN_ASSIGN_OR_RETURN(std::string id, admin.registry->AddPerson(t, p));
    QUN_RETURN_IF_ERROR(admin.registry->Join(t, f.group_id, id, "member", f.person_ids[0]));
    core::PersonInput edit;
    edit.nickname = "小芳";
    return admin.registry->EditPerson(t, f.person_ids[0], edit);
  });
  std::vector<std::string> all = admin.ChangeSets();
  std::vector<std::string> own;
  for (const std::string& cs : all)
    if (std::find(f.change_sets.begin(), f.change_sets.end(), cs) == f.change_sets.end())
      own.push_back(cs);
  if (own.empty()) fuzz::Fail("the admin wrote no change set");
  return own;
}

// The admin's import of many people, one transaction too large for one
// change set at a 4 KiB part size: a run of parts (docs/protocol.md,
// "Transactions in parts").
std::vector<std::string> AdminPartsChangeSets() {
  fuzz::Node admin(*fuzz::TheCast().admin, nullptr, 4096);
  admin.TakeAll(fuzz::TheFounding().change_sets);
  const fuzz::Founding& f = fuzz::TheFounding();
  admin.Write("member import", [&](core::WriteTxn& t) -> Status {
    for (int i = 0; i < 24; ++i) {
      core::PersonInput p;
      p.display_name = "读者" + std::to_string(i);
      p.intro = std::string(200, static_cast<char>('a' + i));
      QUN_RETURN_IF_ERROR(admin.registry->AddPerson(t, p).status());
    }
    return Status::Ok();
  });
  std::vector<std::string> all = admin.ChangeSets();
  std::vector<std::string> own;
  for (const std::string& cs : all)
    if (std::find(f.change_sets.begin(), f.change_sets.end(), cs) == f.change_sets.end())
      own.push_back(cs);
  if (own.size() < 3) fuzz::Fail("the admin's import was not kept in parts");
  return own;
}

void CheckApplies(const std::vector<std::string>& change_sets) {
  auto node = fuzz::FreshNode();
  for (const std::string& cs : change_sets) {
    auto r = fuzz::Must(node->sets->Receive(cs), "receiving a seed");
    if (r.outcome != sync::Outcome::kApplied)
      fuzz::Fail(std::string("a seed change set was not applied: ") + r.reason);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: qun_fuzz_corpus FOLDER (tests/fuzz/corpus)\n");
    return 2;
  }
  CorpusWriter out(argv[1]);
  const fuzz::Cast& cast = fuzz::TheCast();
  const fuzz::Founding& founding = fuzz::TheFounding();
  std::vector<std::string> admin = AdminChangeSets();
  CheckApplies(admin);

  // change_set: whole change sets, and payloads sealed by the target.
  out.Add("change_set", "founding-1", Mode(0, founding.change_sets[0]));
  out.Add("change_set", "admin-1", Mode(0, admin[0]));
  out.Add("change_set", "admin-payload", Mode(1, PayloadOf(admin[0])));
  out.Add("change_set", "founder-payload", Mode(2, PayloadOf(founding.change_sets[0])));
  out.Add("change_set", "stranger-payload", Mode(3, PayloadOf(admin[0])));
  out.Add("change_set", "founder-roles-payload", Mode(2, PayloadOf(founding.change_sets[1])));

  // bundle: the admin's change sets as `qun bundle export` writes them, and
  // a version vector file.
  {
    fuzz::TempFolder tmp;
    std::string path = tmp / "admin.qunbundle";
    auto writer = fuzz::Must(sync::BundleWriter::Create(path, fuzz::FixedCommunity()), "bundle");
    for (const std::string& cs : admin) fuzz::Must(writer->Add(cs), "adding to the bundle");
    fuzz::Must(writer->Finish(), "finishing the bundle");
    out.Add("bundle", "admin", Mode(0, ReadFile(path)));
    // A transaction in parts, whole, and without its last part.
    std::vector<std::string> parts = AdminPartsChangeSets();
    {
      auto node = fuzz::FreshNode();
      for (const std::string& cs : parts) fuzz::Must(node->sets->Receive(cs), "receiving a part");
      for (const std::string& cs : parts) {
        auto hash = fuzz::Must(sync::ChangeSet::Decode(cs), "decoding a part").ComputeHash();
        auto r = fuzz::Must(node->sets->Recheck(hash), "looking a part up");
        if (!r || r->outcome != sync::Outcome::kApplied) fuzz::Fail("a part was not applied");
      }
    }
    for (size_t n : {parts.size(), parts.size() - 1}) {
      std::string parts_path = tmp / ("parts-" + std::to_string(n) + ".qunbundle");
      auto w = fuzz::Must(sync::BundleWriter::Create(parts_path, fuzz::FixedCommunity()), "bundle");
      for (size_t i = 0; i < n; ++i) fuzz::Must(w->Add(parts[i]), "adding to the bundle");
      fuzz::Must(w->Finish(), "finishing the bundle");
      out.Add("bundle", n == parts.size() ? "admin-parts" : "admin-parts-missing-last",
              Mode(0, ReadFile(parts_path)));
    }
    out.Add("change_set", "admin-part-1", Mode(0, parts[0]));
    auto node = fuzz::FreshNode();
    auto vector = fuzz::Must(node->sets->Vector(), "reading the vector");
    out.Add("bundle", "vector", Mode(1, sync::FormatVectorFile(fuzz::FixedCommunity(), vector)));
  }

  // protocol: conversations of a member and of a stranger with a code.
  {
    auto node = fuzz::FreshNode();
    sync::Hello empty;
    empty.community = fuzz::FixedCommunity();
    sync::Hello holding = empty;
    holding.heads = fuzz::Must(node->sets->ReadHeads(), "reading heads");
    holding.sending = admin.size();
    sync::Credit credit;
    sync::Done done;
    done.heads = holding.heads;
    out.Add("protocol", "hello", fuzz::FormatProtocolInput({false, {sync::EncodeMessage(empty)}}));
    out.Add("protocol", "pull",
            fuzz::FormatProtocolInput({false,
                                       {sync::EncodeMessage(empty), sync::EncodeMessage(credit),
                                        sync::EncodeMessage(credit), sync::EncodeMessage(done)}}));
    out.Add("protocol", "push",
            fuzz::FormatProtocolInput(
                {false,
                 {sync::EncodeMessage(holding), sync::EncodeMessage(sync::Batch{admin}),
                  sync::EncodeMessage(done)}}));
    sync::InviteSecret secret = fuzz::FixedInviteSecret();
    sync::Join join;
    join.secret.assign(reinterpret_cast<const char*>(secret.data()), secret.size());
    join.name = "新朋友";
    join.node = cast.stranger->public_key();
    out.Add("protocol", "join", fuzz::FormatProtocolInput({true, {sync::EncodeMessage(join)}}));
    out.Add("protocol", "guest-hello",
            fuzz::FormatProtocolInput({true, {sync::EncodeMessage(empty)}}));
  }

  // invite: a code, and an invite file for the viewer with its inside.
  {
    sync::InviteCode code;
    code.community = fuzz::FixedCommunity();
    code.inviter = cast.founder->public_key();
    code.secret = fuzz::FixedInviteSecret();
    code.expires_unix_s = static_cast<int64_t>(fuzz::kNow / 1000) + 86400;
    code.address = "tcp://192.168.1.20:7447";
    out.Add("invite", "code", Mode(0, sync::FormatInviteCode(code)));
    fuzz::Node founder(*cast.founder);
    founder.TakeAll(founding.change_sets);
    sync::JoinPoint join;
    join.vector = fuzz::Must(founder.sets->Vector(), "reading the vector");
    join.frontier = fuzz::Must(founder.sets->FrontierOf(join.vector), "reading the frontier");
    std::string file =
        fuzz::Must(sync::MakeInvite(founder.community, *cast.founder, cast.viewer->public_key(),
                                    join, {{core::Role::kViewer, ""}}),
                   "making an invite");
    fuzz::Must(sync::OpenInvite(file, *cast.viewer), "opening the invite");
    out.Add("invite", "file", Mode(1, file));
    out.Add("invite", "file-inside",
            Mode(2, fuzz::Must(cast.viewer->OpenSealed(file.substr(8)), "opening the box")));
  }

  // csv_import: sheets as admins keep them.
  {
    std::string sheet =
        "display_name,nickname,city,wechat,phone,email,tags,notes\r\n"
        "王芳,小芳,上海,wangfang88,+8613912345678,fang@example.com,志愿者;读书,\"周六 "
        "\"\"常客\"\"\"\r\n"
        "Ada Lovelace,,London,ada_l,,ada@example.org,,\r\n"
        "李雷,,北京,reader_1,,,,\r\n";
    out.Add("csv_import", "sheet", Mode(0, sheet));
    out.Add("csv_import", "sheet-group-skip-bad", Mode(5, sheet + "\"no closing quote\r\n"));
    out.Add("csv_import", "sheet-dry-run", Mode(2, sheet));
    std::string sample = ReadFile(QUN_TEST_DATA "/members-sample.csv");
    if (sample.empty()) fuzz::Fail("cannot read members-sample.csv");
    out.Add("csv_import", "members-sample", Mode(4, sample));
  }

  std::printf("wrote %d seeds into %s\n", out.count(), argv[1]);
  return 0;
}
