// Conversions shared by the command files: records to JSON, fees.
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"

namespace qun::cli {

using nlohmann::json;

std::string FormatFee(int64_t cents) {
  if (cents % 100 == 0) return std::to_string(cents / 100);
  return fmt::format("{}.{:02}", cents / 100, cents % 100);
}

Result<int64_t> ParseFee(const std::string& s) {
  auto bad = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a fee; write an amount like 50 or 49.90 (no currency sign)", s));
  };
  if (s.empty()) return bad();
  int64_t whole = 0, frac = 0;
  int frac_digits = -1;
  for (char c : s) {
    if (c == '.') {
      if (frac_digits >= 0) return bad();
      frac_digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (frac_digits < 0) {
        if (whole > 1'000'000'000) return bad();
        whole = whole * 10 + (c - '0');
      } else {
        if (++frac_digits > 2) return bad();
        frac = frac * 10 + (c - '0');
      }
    } else {
      return bad();
    }
  }
  bool has_digit = s.find_first_of("0123456789") != std::string::npos;
  if (!has_digit) return bad();
  if (frac_digits == 1) frac *= 10;
  return whole * 100 + frac;
}

std::string HandlesText(const core::Person& p, const std::string& kind) {
  std::string out;
  for (const auto& h : p.handles)
    if (h.kind == kind) out += (out.empty() ? "" : ";") + h.value;
  return out;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ";") + t;
  return out;
}

json GroupJson(const core::Group& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"kind", g.kind},
          {"platform", g.platform},
          {"handle", g.handle},
          {"capacity", g.capacity},
          {"active_members", g.active_members},
          {"admission", g.admission},
          {"fee", FormatFee(g.fee_cents)},
          {"rules", g.rules},
          {"intro_template", g.intro_template},
          {"status", g.status},
          {"created_at", g.created_at},
          {"updated_at", g.updated_at}};
}

json PersonJson(const core::Person& p) {
  json handles = json::object();
  for (const auto& kind : core::kHandleKinds) handles[kind] = json::array();
  for (const auto& h : p.handles) handles[h.kind].push_back(h.value);
  return {{"id", p.id},
          {"display_name", p.display_name},
          {"nickname", p.nickname},
          {"handles", handles},
          {"city", p.city},
          {"tags", p.tags},
          {"intro", p.intro},
          {"needs", p.needs},
          {"offers", p.offers},
          {"referred_by", p.referred_by},
          {"notes", p.notes},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

json MembershipJson(const core::Membership& m) {
  return {{"id", m.id},
          {"group_id", m.group_id},
          {"group", m.group_name},
          {"person_id", m.person_id},
          {"person", m.person_name},
          {"role", m.role},
          {"status", m.status},
          {"joined_at", m.joined_at},
          {"invited_by", m.invited_by}};
}

}  // namespace qun::cli
