// What text each field of the domain tables may hold, checked on the one
// local write path (WriteTxn::Set, SetTogether) so that every front end, the
// CLI today and any console later, refuses the same things:
//
//   - characters that act on a terminal or reorder its text
//     (text::IsUnsafeCodePoint): other admins print what this node writes.
//     Fields of several lines (notes, self-introductions, rules, content
//     bodies) may hold line feeds, tabs and CRLF line ends; names, handles,
//     titles and every other field may not.
//   - more bytes than the field's kind allows (MaxBytes below), or, for
//     names and titles, more characters (MaxChars): a name that fills a
//     screen would push every table it is shown in out of shape.
//
// Only local writes are checked. Ops received from other nodes are merged as
// they are (refusing them would make nodes' states differ); what they hold is
// made safe where it is printed (text::Printable).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "core/value.h"

namespace qun::core {

enum class TextKind {
  kName,      // a person's name or nickname, a city, a tag
  kTitle,     // a group's or community's name, a title, a question, a place
  kLine,      // any other one-line value: a handle, an id, an enumerated value
  kUrl,       // one line, but a link can be long
  kList,      // one item per line (screening questions, content tags)
  kNote,      // free text of a few paragraphs: notes, intros, reasons
  kDocument,  // a group's rules, a template, an event's retrospective
  kBody,      // a saved content item's full text
  kJson,      // a small JSON document (answers, poll options, a decision)
};

// The largest value, in bytes of UTF-8, that each kind may hold. Set well
// above what organizers write (a Chinese character takes 3 bytes) and well
// below what would strain a change set (64 MiB, kMaxChangeSetSize in sync/bundle.h): one
// import of thousands of people must still fit in one.
//   kName:     512 B, and at most 64 characters
//   kTitle:    512 B, and at most 128 characters
//   kLine:     512 B   (about 170 Chinese characters)
//   kUrl:      4 KiB
//   kList:     16 KiB
//   kNote:     16 KiB  (about 5,000 Chinese characters)
//   kDocument: 64 KiB
//   kBody:     1 MiB   (a long article; pictures are not stored)
//   kJson:     64 KiB
size_t MaxBytes(TextKind kind);

// The most characters (code points) a value of the kind may hold, or 0 when
// only the bytes are limited. 64 characters is four times the longest
// WeChat nickname and more than any real name; 128 is what Telegram allows
// a group's title.
size_t MaxChars(TextKind kind);

// Whether the kind allows line feeds, tabs and CRLF (names and titles do
// not).
bool AllowsLineBreaks(TextKind kind);

// The kind and the name people know a field by ("display name", "content
// body"). A column this table does not list is a kLine named "TABLE.COLUMN".
struct FieldText {
  TextKind kind;
  std::string label;
};
FieldText FieldTextOf(std::string_view table, std::string_view column);

// InvalidArgument naming the field, what is wrong and what to do, when
// `text` may not be written to a field of `kind` called `label`.
Status CheckFieldText(std::string_view label, TextKind kind, std::string_view text);

// The same for a field of the domain tables; values other than text pass.
// JSON documents are checked string by string, as notes.
Status CheckFieldValue(std::string_view table, std::string_view column, const Value& value);

// "U+001B", "U+202E".
std::string CodePointName(char32_t cp);

}  // namespace qun::core
