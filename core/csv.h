// CSV as spreadsheets write it (RFC 4180 plus what Excel and WPS do).
//
// Fields are separated by commas; a field in double quotes may hold commas,
// CR/LF line breaks and doubled quotes (""). Records end with LF, CRLF or a lone CR (Excel for
// Mac); a final record without a line break is accepted; blank lines are skipped. Input must
// already be UTF-8 without BOM (see encoding.h).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace qun::csv {

struct Record {
  std::vector<std::string> fields;
  int line = 0;  // 1-based line number where the record starts in the input
};

// Parses the whole text. Errors (InvalidArgument, message names the line):
// a quote that is never closed; characters after a closing quote other than a
// separator or line end (e.g. `"ab"c`). A bare quote inside an unquoted
// field is kept as a literal character, as Excel does.
Result<std::vector<Record>> Parse(std::string_view text);

// Quotes a field when it holds a comma, a quote, CR or LF, or starts or ends
// with a space; doubles inner quotes.
std::string EscapeField(std::string_view field);

// Joins fields into one record terminated by CRLF (what Excel writes, and
// what RFC 4180 specifies).
std::string FormatRecord(const std::vector<std::string>& fields);

}  // namespace qun::csv
