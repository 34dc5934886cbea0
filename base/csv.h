// CSV as spreadsheets write it (RFC 4180 plus what Excel and WPS do).
//
// Fields are separated by commas; a field in double quotes may hold commas,
// CR/LF line breaks and doubled quotes (""). Records end with LF, CRLF or a lone CR (Excel for
// Mac); a final record without a line break is accepted; blank lines are skipped. Input must
// already be UTF-8 without BOM (see encoding.h).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace qun::csv {

struct Record {
  std::vector<std::string> fields;
  int line = 0;  // 1-based line number where the record starts in the input
};

// The longest field Parse takes by default: 1 MiB, the largest text any
// field may hold (core/field_text.h). A sheet's cells are far smaller; a
// longer one is a damaged or hostile file (or a quote never closed), and
// stopping at it bounds the memory a sheet can take to a small multiple of
// its own size.
constexpr size_t kMaxFieldBytes = size_t{1} << 20;

struct ParseOptions {
  size_t max_field_bytes = kMaxFieldBytes;
};

// Parses the whole text. Errors (InvalidArgument, message names the line):
// a quote that is never closed; characters after a closing quote other than a
// separator or line end (e.g. `"ab"c`); a field longer than
// `max_field_bytes`, found as soon as it is read that far. A bare quote
// inside an unquoted field is kept as a literal character, as Excel does.
Result<std::vector<Record>> Parse(std::string_view text, const ParseOptions& options = {});

// Quotes a field when it holds a comma, a quote, CR or LF, or starts or ends
// with a space; doubles inner quotes.
std::string EscapeField(std::string_view field);

// Joins fields into one record terminated by CRLF (what Excel writes, and
// what RFC 4180 specifies).
std::string FormatRecord(const std::vector<std::string>& fields);

// Spreadsheets (Excel, WPS, LibreOffice) run a cell that starts with '=',
// '+', '-' or '@' as a formula, and some skip a leading TAB or CR first, so
// a value someone else wrote could fetch a link with the neighbouring cells
// in it, or run a command (OWASP "CSV injection"). DefuseFormula puts an
// apostrophe before such a value, which makes the cell text: every value
// that starts with one of those six characters, phone numbers such as
// "+8613800000001" and negative numbers included (a spreadsheet then keeps
// them as typed, not as numbers). A value that starts with an apostrophe
// followed by one of them or by another apostrophe gets one too, so that
// RestoreFormula, which takes that one apostrophe away, gives back exactly
// the value: RestoreFormula(DefuseFormula(v)) == v for every v.
std::string DefuseFormula(std::string_view field);
std::string RestoreFormula(std::string_view field);

}  // namespace qun::csv
