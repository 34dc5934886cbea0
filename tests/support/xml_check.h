// A small well-formedness check for the XML Qun writes (SVG charts): tags
// balance, attributes are quoted, entities are the five of XML, no control
// characters. Enough to catch a chart a browser would refuse; not a parser
// for XML at large (no DTDs, CDATA or processing instructions beyond the
// declaration).
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace qun::testing {

// Empty when `xml` is well-formed, else what is wrong and where.
inline std::string XmlProblem(std::string_view xml) {
  std::vector<std::string> open;
  size_t i = 0;
  auto at = [&](size_t pos) { return " at byte " + std::to_string(pos); };
  if (xml.substr(0, 5) == "<?xml") {
    i = xml.find("?>");
    if (i == std::string_view::npos) return "unterminated declaration";
    i += 2;
  }
  bool root_seen = false;
  while (i < xml.size()) {
    char c = xml[i];
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return "control character" + at(i);
    if (c == '&') {
      size_t end = xml.find(';', i);
      if (end == std::string_view::npos) return "unterminated entity" + at(i);
      std::string_view e = xml.substr(i, end - i + 1);
      if (e != "&amp;" && e != "&lt;" && e != "&gt;" && e != "&quot;" && e != "&apos;")
        return "unknown entity " + std::string(e) + at(i);
      i = end + 1;
      continue;
    }
    if (c == '>') return "stray '>'" + at(i);
    if (c != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c)))
        return "text outside the root element" + at(i);
      ++i;
      continue;
    }
    bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    size_t name_start = j;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' ||
                              xml[j] == ':' || xml[j] == '_'))
      ++j;
    std::string name(xml.substr(name_start, j - name_start));
    if (name.empty()) return "tag without a name" + at(i);
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open" + at(i);
      open.pop_back();
      if (j >= xml.size() || xml[j] != '>') return "bad closing tag" + at(i);
      i = j + 1;
      continue;
    }
    if (open.empty()) {
      if (root_seen) return "second root element" + at(i);
      root_seen = true;
    }
    // Attributes: name="value" (or 'value'), values without '<'.
    while (true) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
      if (j >= xml.size()) return "unterminated tag <" + name + at(i);
      if (xml[j] == '>') {
        open.push_back(name);
        ++j;
        break;
      }
      if (xml[j] == '/' && j + 1 < xml.size() && xml[j + 1] == '>') {
        j += 2;
        break;
      }
      size_t a = j;
      while (j < xml.size() && xml[j] != '=' && !std::isspace(static_cast<unsigned char>(xml[j])))
        ++j;
      if (j == a || j >= xml.size() || xml[j] != '=') return "attribute without a value" + at(a);
      ++j;
      if (j >= xml.size() || (xml[j] != '"' && xml[j] != '\'')) return "unquoted attribute" + at(a);
      char q = xml[j++];
      size_t end = xml.find(q, j);
      if (end == std::string_view::npos) return "unterminated attribute" + at(a);
      std::string_view value = xml.substr(j, end - j);
      if (value.find('<') != std::string_view::npos) return "'<' in an attribute" + at(a);
      for (size_t k = 0; k < value.size(); ++k)
        if (value[k] == '&') {
          size_t semi = value.find(';', k);
          if (semi == std::string_view::npos) return "bad entity in an attribute" + at(a);
          std::string_view e = value.substr(k, semi - k + 1);
          if (e != "&amp;" && e != "&lt;" && e != "&gt;" && e != "&quot;" && e != "&apos;")
            return "unknown entity in an attribute" + at(a);
        }
      j = end + 1;
    }
    i = j;
  }
  if (!open.empty()) return "<" + open.back() + "> is never closed";
  if (!root_seen) return "no root element";
  return "";
}

}  // namespace qun::testing
