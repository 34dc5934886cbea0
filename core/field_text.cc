#include "core/field_text.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "base/i18n.h"
#include "base/text.h"

namespace qun::core {
namespace {

struct Entry {
  std::string_view table, column;
  TextKind kind;
  const char* label;  // marked for the catalog; translated where shown
};

// Fields whose kind is not kLine, and fields with a better name than
// TABLE.COLUMN. Keep in step with core/schema.cc.
constexpr Entry kFields[] = {
    {"community", "name", TextKind::kTitle, N_("community name")},
    {"node", "name", TextKind::kName, N_("node name")},
    {"chat_group", "name", TextKind::kTitle, N_("group name")},
    {"chat_group", "handle", TextKind::kLine, N_("chat handle")},
    {"chat_group", "rules", TextKind::kDocument, N_("group rules")},
    {"chat_group", "intro_template", TextKind::kDocument, N_("self-introduction template")},
    {"chat_group", "questions", TextKind::kList, N_("list of screening questions")},
    {"chat_group", "nickname_pattern", TextKind::kLine, N_("nickname convention")},
    {"person", "display_name", TextKind::kName, N_("display name")},
    {"person", "nickname", TextKind::kName, N_("nickname")},
    {"person", "city", TextKind::kName, N_("city")},
    {"person", "intro", TextKind::kNote, N_("intro")},
    {"person", "needs", TextKind::kNote, N_("needs")},
    {"person", "offers", TextKind::kNote, N_("offers")},
    {"person", "notes", TextKind::kNote, N_("notes")},
    {"person_handle", "value", TextKind::kLine, N_("contact handle")},
    {"person_tag", "tag", TextKind::kName, N_("tag")},
    {"membership", "nickname", TextKind::kName, N_("group nickname")},
    {"membership", "intro", TextKind::kNote, N_("self-introduction")},
    {"application", "answers", TextKind::kJson, N_("list of answers")},
    {"application", "decision", TextKind::kJson, N_("application decision")},
    {"activity", "note", TextKind::kNote, N_("activity note")},
    {"topic", "title", TextKind::kTitle, N_("topic title")},
    {"event", "title", TextKind::kTitle, N_("event title")},
    {"event", "place", TextKind::kTitle, N_("event place")},
    {"event", "retro", TextKind::kDocument, N_("retrospective")},
    {"signup", "note", TextKind::kNote, N_("sign-up note")},
    {"poll", "question", TextKind::kTitle, N_("poll question")},
    {"poll", "options", TextKind::kJson, N_("list of poll options")},
    {"content", "title", TextKind::kTitle, N_("content title")},
    {"content", "url", TextKind::kUrl, N_("link")},
    {"content", "body", TextKind::kBody, N_("content body")},
    {"content", "tags", TextKind::kList, N_("list of content tags")},
    {"warning", "reason", TextKind::kNote, N_("warning reason")},
    {"ban", "reason", TextKind::kNote, N_("ban reason")},
};

std::string SizeText(size_t bytes) {
  if (bytes < 1024) return i18n::Format(_("{} bytes"), bytes);
  if (bytes < (size_t{1} << 20)) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0));
}

std::string LimitText(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return i18n::Format(_("{} bytes"), bytes);
}

// The first string inside a JSON document that a note may not hold.
Status CheckJsonStrings(std::string_view label, const nlohmann::json& j) {
  if (j.is_string()) return CheckFieldText(label, TextKind::kNote, j.get_ref<const std::string&>());
  if (j.is_array() || j.is_object()) {
    for (const auto& [key, item] : j.items()) {
      if (j.is_object()) QUN_RETURN_IF_ERROR(CheckFieldText(label, TextKind::kLine, key));
      QUN_RETURN_IF_ERROR(CheckJsonStrings(label, item));
    }
  }
  return Status::Ok();
}

}  // namespace

size_t MaxBytes(TextKind kind) {
  switch (kind) {
    case TextKind::kName:
    case TextKind::kTitle:
    case TextKind::kLine:
      return 512;
    case TextKind::kUrl:
      return 4 << 10;
    case TextKind::kList:
    case TextKind::kNote:
      return 16 << 10;
    case TextKind::kDocument:
    case TextKind::kJson:
      return 64 << 10;
    case TextKind::kBody:
      return 1 << 20;
  }
  return 512;
}

size_t MaxChars(TextKind kind) {
  switch (kind) {
    case TextKind::kName:
      return 64;
    case TextKind::kTitle:
      return 128;
    default:
      return 0;
  }
}

bool AllowsLineBreaks(TextKind kind) {
  return kind != TextKind::kName && kind != TextKind::kTitle && kind != TextKind::kLine &&
         kind != TextKind::kUrl;
}

FieldText FieldTextOf(std::string_view table, std::string_view column) {
  for (const Entry& e : kFields)
    if (e.table == table && e.column == column) return {e.kind, _(e.label)};
  return {TextKind::kLine, fmt::format("{}.{}", table, column)};
}

std::string CodePointName(char32_t cp) {
  return fmt::format("U+{:04X}", static_cast<uint32_t>(cp));
}

Status CheckFieldText(std::string_view label, TextKind kind, std::string_view text) {
  // Characters first: "65 characters, more than 64" is what a person can
  // act on; a name is never too many bytes without being too many
  // characters.
  if (size_t most = MaxChars(kind); most && text::IsValidUtf8(text)) {
    size_t chars = text::CodePoints(text).size();
    if (chars > most)
      return Status::InvalidArgument(i18n::Format(
          _("the {0} is {1} characters long, more than the {2} a {0} may hold; shorten it"), label,
          chars, most));
  }
  const size_t limit = MaxBytes(kind);
  if (text.size() > limit)
    return Status::InvalidArgument(
        i18n::Format(_("the {0} is {1}, more than the {2} a {0} may hold; shorten it"), label,
                     SizeText(text.size()), LimitText(limit)));
  // Tabs are spaces to the eye but not to a list split by lines.
  const bool breaks = AllowsLineBreaks(kind);
  std::optional<char32_t> bad = text::FirstUnsafe(text, breaks);
  if (!bad && kind == TextKind::kList && text.find('\t') != std::string_view::npos) bad = U'\t';
  if (!bad) return Status::Ok();
  if (*bad == '\n' || *bad == '\r' || *bad == '\t')
    return Status::InvalidArgument(
        i18n::Format(breaks ? _("the {} holds a {} ({}): type it without it")
                            : _("the {} holds a {} ({}): it is one line; type it without it"),
                     label,
                     *bad == '\n'   ? _("line break")
                     : *bad == '\r' ? _("carriage return")
                                    : _("tab"),
                     CodePointName(*bad)));
  return Status::InvalidArgument(i18n::Format(
      _("the {} holds a control character ({}) that would act on the terminals of those who "
        "read it; type it without it"),
      label, CodePointName(*bad)));
}

Status CheckFieldValue(std::string_view table, std::string_view column, const Value& value) {
  const auto* s = std::get_if<std::string>(&value);
  if (!s) return Status::Ok();
  FieldText field = FieldTextOf(table, column);
  if (field.kind != TextKind::kJson) return CheckFieldText(field.label, field.kind, *s);
  if (s->size() > MaxBytes(field.kind))
    return CheckFieldText(field.label, field.kind, *s);  // names the size
  nlohmann::json j = nlohmann::json::parse(*s, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return CheckFieldText(field.label, TextKind::kNote, *s);
  return CheckJsonStrings(field.label, j);
}

}  // namespace qun::core
