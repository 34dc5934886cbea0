// Detection and conversion of the text encodings that spreadsheets write.
//
// Excel and WPS on Chinese Windows save "CSV" in GB18030/GBK by default; on
// other systems they write UTF-8, often with a byte-order mark. Qun stores
// only UTF-8, so every file is converted once, here, at the edge, and a file
// that is neither is refused instead of being imported as mojibake.
//
// Thread-safe: each call uses its own iconv handle.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace qun::encoding {

enum class Encoding { kUtf8, kUtf8Bom, kGb18030, kUtf16Le, kUtf16Be };

const char* Name(Encoding e);  // "UTF-8", "UTF-8 with BOM", "GB18030", ...

// Parses a user-supplied encoding name ("utf-8", "utf8", "gbk", "gb2312",
// "gb18030", "auto" is not accepted here). GBK and GB2312 map to GB18030,
// their superset.
Result<Encoding> Parse(std::string_view name);

struct Decoded {
  std::string utf8;   // the text, UTF-8, without BOM
  Encoding detected;  // what the bytes were
};

// Guesses the encoding of `bytes` and converts to UTF-8:
// - a UTF-8 BOM, or valid UTF-8 → UTF-8 (BOM stripped), unless the text
//   reads like GBK bytes that happen to be valid UTF-8 (scripts mixed within
//   a word, C1 controls, nothing above U+07FF) and decodes as GB18030;
// - a UTF-16 BOM → converted from UTF-16;
// - otherwise, bytes that decode cleanly as GB18030 → converted from GB18030;
// - otherwise InvalidArgument naming the byte offset (and line) of the first
//   undecodable byte and suggesting `--encoding`.
Result<Decoded> DecodeAuto(std::string_view bytes);

// Converts from a known encoding (a BOM of that encoding is stripped).
// InvalidArgument with the line number of the first bad byte on failure.
Result<std::string> DecodeAs(std::string_view bytes, Encoding from);

// Converts UTF-8 text to `to` (for exports a user asks in GB18030). Output
// in kUtf8Bom, kUtf16Le and kUtf16Be starts with that encoding's BOM, so
// DecodeAuto recognises it.
Result<std::string> EncodeAs(std::string_view utf8, Encoding to);

}  // namespace qun::encoding
