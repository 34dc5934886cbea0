// What text each field of the domain tables may hold, checked on the one
// local write path (WriteTxn::Set, SetTogether) so that every front end, the
// CLI today and any console later, refuses the same things:
//
//   - characters that act on a terminal or reorder its text
//     (text::IsUnsafeCodePoint): other admins print what this node writes.
//     Fields of several lines (notes, self-introductions, rules, content
//     bodies) may hold line feeds, tabs and CRLF line ends; names, handles,
//     titles and every other field may not.
//   - more bytes than the field's kind allows (kMaxBytes below).
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
  kLine,      // a name, handle, title, place, id or enumerated value
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
//   kLine:     512 B   (about 170 Chinese characters)
//   kUrl:      4 KiB
//   kList:     16 KiB
//   kNote:     16 KiB  (about 5,000 Chinese characters)
//   kDocument: 64 KiB
//   kBody:     1 MiB   (a long article; pictures are not stored)
//   kJson:     64 KiB
size_t MaxBytes(TextKind kind);

// Whether the kind allows line feeds, tabs and CRLF.
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
