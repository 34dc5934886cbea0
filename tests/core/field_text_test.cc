#include "core/field_text.h"

#include <doctest/doctest.h>

#include <string>

#include "support/test_store.h"

namespace qun::core {
namespace {

bool Refused(const Status& s, std::string_view words) {
  return s.code() == Status::Code::kInvalidArgument && s.message().find(words) != std::string::npos;
}

TEST_CASE("one-line fields refuse controls, line breaks and bidi overrides, naming the field") {
  CHECK(CheckFieldValue("person", "display_name", std::string("张伟")).ok());
  Status esc = CheckFieldValue("person", "display_name", std::string("Esc\x1b[2J"));
  CHECK(Refused(esc, "the display name holds a control character (U+001B)"));
  CHECK(Refused(esc, "type it without it"));
  CHECK(Refused(CheckFieldValue("node", "name", std::string("v\rfake")),
                "the node name holds a carriage return (U+000D)"));
  CHECK(Refused(CheckFieldValue("person", "nickname", std::string("a\nb")), "line break"));
  CHECK(Refused(CheckFieldValue("person", "city", std::string("x\u202Ey")), "U+202E"));
  CHECK(Refused(CheckFieldValue("chat_group", "name", std::string("bell\a")), "U+0007"));
  // A column the table does not list is one line, named TABLE.COLUMN.
  CHECK(Refused(CheckFieldValue("membership", "status", std::string("a\tb")), "membership.status"));
  // Numbers and nulls have nothing to check.
  CHECK(CheckFieldValue("person", "display_name", Value{}).ok());
  CHECK(CheckFieldValue("chat_group", "capacity", int64_t{5}).ok());
}

TEST_CASE("notes keep line breaks and tabs but not other controls") {
  CHECK(CheckFieldValue("person", "notes", std::string("line one\nline two\r\n\tindented")).ok());
  CHECK(CheckFieldValue("membership", "intro", std::string("大家好\n我是张伟")).ok());
  CHECK(CheckFieldValue("content", "body", std::string("# Title\n\nText\twith tab")).ok());
  CHECK(Refused(CheckFieldValue("person", "notes", std::string("ok\n\x1b[31mred")), "U+001B"));
  CHECK(Refused(CheckFieldValue("person", "intro", std::string("a\rb")), "U+000D"));
  // A list is one item per line: no tabs in it.
  CHECK(CheckFieldValue("chat_group", "questions", std::string("Q1\nQ2\n")).ok());
  CHECK(Refused(CheckFieldValue("chat_group", "questions", std::string("Q1\tQ2")), "tab"));
}

TEST_CASE("strings inside JSON fields are checked too") {
  CHECK(CheckFieldValue("poll", "options", std::string(R"(["周六","周日"])")).ok());
  CHECK(Refused(CheckFieldValue("poll", "options", std::string(R"(["a","\u001b[2J"])")),
                "the list of poll options holds a control character (U+001B)"));
  CHECK(Refused(CheckFieldValue("application", "answers", std::string(R"({"q":"x\u202ey"})")),
                "U+202E"));
}

TEST_CASE("each kind of field has a size limit, named in the error with the size") {
  CHECK(MaxBytes(TextKind::kLine) == 512);
  CHECK(MaxBytes(TextKind::kBody) == 1 << 20);
  CHECK(CheckFieldValue("chat_group", "handle", std::string(512, 'a')).ok());
  Status handle = CheckFieldValue("chat_group", "handle", std::string(513, 'a'));
  CHECK(Refused(handle, "the chat handle is 513 bytes, more than the 512 bytes"));
  CHECK(CheckFieldValue("person", "notes", std::string(16 << 10, 'a')).ok());
  CHECK(Refused(CheckFieldValue("person", "notes", std::string((16 << 10) + 1, 'a')), "16 KiB"));
  Status body = CheckFieldValue("content", "body", std::string(3 << 20, 'a'));
  CHECK(Refused(body, "the content body is 3.0 MiB, more than the 1 MiB"));
}

TEST_CASE("a local write of a control character is refused and writes nothing") {
  testing::TestStore t;
  {
    auto txn = t.Begin();
    auto w = txn->Set("person", "p1", "display_name", std::string("viewer\x1b[2K\rSynced"));
    REQUIRE_FALSE(w.ok());
    CHECK(Refused(w.status(), "the display name holds a control character (U+001B)"));
  }
  CHECK(t.Int("SELECT count(*) FROM op") == 0);
  CHECK(t.Int("SELECT count(*) FROM op_txn") == 0);
  auto txn = t.Begin();
  Status together = txn->SetTogether({{"person", "p1", "notes", std::string("a\x07")}});
  CHECK(Refused(together, "U+0007"));
}

TEST_CASE("a change note is made printable rather than refused") {
  testing::TestStore t;
  auto txn = t.Begin("import members evil\x1b[2J.csv");
  REQUIRE(txn->Set("person", "p1", "display_name", std::string("张伟")).ok());
  REQUIRE(txn->Commit().ok());
  auto note = t.Get("SELECT note FROM op_txn");
  CHECK(std::get<std::string>(note) == "import members evil\u241B[2J.csv");
}

TEST_CASE("names and titles are limited in characters, whatever the script") {
  CHECK(MaxChars(TextKind::kName) == 64);
  CHECK(MaxChars(TextKind::kTitle) == 128);
  CHECK(MaxChars(TextKind::kNote) == 0);
  std::string han;
  for (int i = 0; i < 64; ++i) han += "王";  // 192 bytes
  CHECK(CheckFieldValue("person", "display_name", han).ok());
  CHECK(CheckFieldValue("person", "display_name", std::string(64, 'a')).ok());
  Status long_han = CheckFieldValue("person", "display_name", han + "芳");
  CHECK(Refused(long_han,
                "the display name is 65 characters long, more than the 64 a display "
                "name may hold"));
  CHECK(Refused(CheckFieldValue("membership", "nickname", std::string(65, 'n')),
                "the group nickname is 65 characters long"));
  CHECK(Refused(CheckFieldValue("person_tag", "tag", std::string(65, 't')), "65 characters"));
  // A group's name and a title may be twice as long.
  CHECK(CheckFieldValue("chat_group", "name", han + han).ok());
  CHECK(Refused(CheckFieldValue("chat_group", "name", han + han + "群"),
                "the group name is 129 characters long, more than the 128"));
  CHECK(Refused(CheckFieldValue("event", "title", std::string(129, 'e')), "129 characters"));
  CHECK(Refused(CheckFieldValue("poll", "question", std::string(200, 'q')), "200 characters"));
  // Notes keep their limit in bytes: thousands of characters.
  std::string note;
  for (int i = 0; i < 5000; ++i) note += "字";
  CHECK(CheckFieldValue("person", "notes", note).ok());
  // Names are one line, as before.
  CHECK(Refused(CheckFieldValue("person", "display_name", std::string("张\n伟")), "line break"));
}
}  // namespace
}  // namespace qun::core
