#include "base/csv.h"

#include <utility>

#include "base/i18n.h"

namespace qun::csv {
namespace {

// A cursor over the input that counts lines as it consumes line feeds.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  // The character `ahead` places on, or '\0' past the end (callers compare
  // it only with characters other than NUL).
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  int line() const { return line_; }

  // True on LF, CRLF or a lone CR: "CSV (Macintosh)" from Excel for Mac
  // ends lines with CR alone.
  bool AtLineEnd() const { return Peek() == '\n' || Peek() == '\r'; }

  char Take() {
    const char c = text_[pos_++];
    if (c == '\n' || (c == '\r' && Peek() != '\n')) ++line_;
    return c;
  }

  // Consumes a line end if one is next.
  bool TakeLineEnd() {
    if (!AtLineEnd()) return false;
    if (Take() == '\r' && Peek() == '\n') Take();
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

Status TooLong(int line, size_t field_number, size_t limit) {
  const std::string size = limit % (1 << 20) == 0   ? std::to_string(limit >> 20) + " MiB"
                           : limit % (1 << 10) == 0 ? std::to_string(limit >> 10) + " KiB"
                                                    : i18n::Format(_("{} bytes"), limit);
  return Status::InvalidArgument(i18n::Format(
      _("line {}: field {} is longer than {}, more than any value Qun keeps; the file is "
        "damaged, or a quote (\") opened there is closed much later: check that line"),
      line, field_number, size));
}

// Reads one quoted field; the reader is on the opening quote. Stops after
// the closing quote.
Status ReadQuoted(Reader* r, size_t field_number, size_t limit, std::string* field) {
  const int start_line = r->line();
  r->Take();  // opening quote
  for (;;) {
    if (field->size() > limit) return TooLong(start_line, field_number, limit);
    if (r->AtEnd()) {
      return Status::InvalidArgument(
          i18n::Format(_("line {}: field {} opens a quote (\") that is never closed; add the "
                         "closing quote, or remove the opening one"),
                       start_line, field_number));
    }
    const char c = r->Take();
    if (c != '"') {
      field->push_back(c);
    } else if (r->Peek() == '"') {
      r->Take();
      field->push_back('"');
    } else {
      return Status::Ok();
    }
  }
}

}  // namespace

Result<std::vector<Record>> Parse(std::string_view text, const ParseOptions& options) {
  const size_t limit = options.max_field_bytes;
  std::vector<Record> records;
  Reader r(text);
  while (!r.AtEnd()) {
    if (r.TakeLineEnd()) continue;  // blank line

    Record record;
    record.line = r.line();
    for (;;) {  // one field per iteration
      std::string field;
      if (r.Peek() == '"') {
        QUN_RETURN_IF_ERROR(ReadQuoted(&r, record.fields.size() + 1, limit, &field));
        if (!r.AtEnd() && r.Peek() != ',' && !r.AtLineEnd()) {
          return Status::InvalidArgument(
              i18n::Format(_("line {}: field {} has text after its closing quote; inside a "
                             "quoted field write a quote as two quotes (\"\")"),
                           r.line(), record.fields.size() + 1));
        }
      } else {
        while (!r.AtEnd() && r.Peek() != ',' && !r.AtLineEnd()) {
          if (field.size() >= limit) return TooLong(r.line(), record.fields.size() + 1, limit);
          field.push_back(r.Take());
        }
      }
      record.fields.push_back(std::move(field));
      if (r.Peek() == ',') {
        r.Take();
        continue;
      }
      r.TakeLineEnd();  // or the end of the input
      break;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string EscapeField(std::string_view field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

namespace {

bool StartsFormula(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// Whether RestoreFormula takes the first character of `field` away.
bool Defused(std::string_view field) {
  return field.size() >= 2 && field[0] == '\'' && (StartsFormula(field[1]) || field[1] == '\'');
}

}  // namespace

std::string DefuseFormula(std::string_view field) {
  if ((!field.empty() && StartsFormula(field[0])) || Defused(field))
    return "'" + std::string(field);
  return std::string(field);
}

std::string RestoreFormula(std::string_view field) {
  return std::string(Defused(field) ? field.substr(1) : field);
}

std::string FormatRecord(const std::vector<std::string>& fields) {
  std::string out;
  // A record of one empty field would be a blank line, which Parse skips.
  if (fields.size() == 1 && fields[0].empty()) {
    out = "\"\"";
  } else {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      out += EscapeField(fields[i]);
    }
  }
  out += "\r\n";
  return out;
}

}  // namespace qun::csv
