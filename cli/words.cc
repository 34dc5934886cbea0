#include "cli/words.h"

#include <string>

#include "base/i18n.h"

namespace qun::cli {
namespace {

// Only for the catalog: xgettext finds each word here with its context.
[[maybe_unused]] const char* const kWords[] = {
    NC_("group kind", "exchange"),
    NC_("group kind", "course"),
    NC_("group kind", "regional"),
    NC_("group kind", "resource"),
    NC_("group kind", "interest"),
    NC_("group kind", "other"),
    NC_("platform", "wechat"),
    NC_("platform", "qq"),
    NC_("platform", "telegram"),
    NC_("platform", "discord"),
    NC_("platform", "other"),
    NC_("admission", "open"),
    NC_("admission", "invite"),
    NC_("admission", "application"),
    NC_("admission", "paid"),
    NC_("group status", "active"),
    NC_("group status", "archived"),
    NC_("role", "member"),
    NC_("role", "core"),
    NC_("role", "admin"),
    NC_("role", "owner"),
    NC_("member status", "applicant"),
    NC_("member status", "waitlisted"),
    NC_("member status", "active"),
    NC_("member status", "muted"),
    NC_("member status", "left"),
    NC_("member status", "removed"),
    NC_("member status", "purged"),
    NC_("member status", "rejected"),
    NC_("member status", "banned"),
    NC_("level", "core"),
    NC_("level", "active"),
    NC_("level", "observer"),
    NC_("level", "lurker"),
    NC_("activity kind", "checkin"),
    NC_("activity kind", "homework"),
    NC_("activity kind", "talk"),
    NC_("activity kind", "share"),
    NC_("activity kind", "attendance"),
    NC_("application status", "pending"),
    NC_("application status", "approved"),
    NC_("application status", "waitlisted"),
    NC_("application status", "rejected"),
    NC_("event status", "open"),
    NC_("event status", "closed"),
    NC_("event status", "cancelled"),
    NC_("event mode", "offline"),
    NC_("event mode", "online"),
    NC_("handle kind", "wechat"),
    NC_("handle kind", "phone"),
    NC_("handle kind", "email"),
    NC_("node role", "owner"),
    NC_("node role", "admin"),
    NC_("node role", "editor"),
    NC_("node role", "viewer"),
    NC_("node role", "relay"),
    NC_("sign-up status", "in"),
    NC_("sign-up status", "waitlisted"),
    NC_("sign-up status", "withdrawn"),
    NC_("change set outcome", "applied"),
    NC_("change set outcome", "already held"),
    NC_("change set outcome", "pending"),
    NC_("change set outcome", "newer format"),
    NC_("change set outcome", "equivocation"),
    NC_("change set outcome", "rejected"),
};

}  // namespace

std::string Word(const char* context, std::string_view value) {
  std::string v(value);
  return i18n::TrContext(context, v.c_str());
}

std::string YesNo(bool v) { return v ? _("yes") : _("no"); }

}  // namespace qun::cli
