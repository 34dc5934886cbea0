// The words organizers read for the values Qun stores: a membership's
// status, a group's kind, an engagement level... Stored values and --json
// stay English (`active`); tables and sentences show Word(context, value),
// 在群 in Chinese. The contexts and their values are listed in words.cc,
// which keeps them in the catalog; a value not listed is shown as stored.
#pragma once

#include <string>
#include <string_view>

namespace qun::cli {

// Contexts, one per kind of stored value.
inline constexpr char kGroupKind[] = "group kind";
inline constexpr char kPlatform[] = "platform";
inline constexpr char kAdmission[] = "admission";
inline constexpr char kGroupStatus[] = "group status";
inline constexpr char kRole[] = "role";
inline constexpr char kMemberStatus[] = "member status";
inline constexpr char kLevel[] = "level";
inline constexpr char kActivityKind[] = "activity kind";
inline constexpr char kApplicationStatus[] = "application status";
inline constexpr char kEventStatus[] = "event status";
inline constexpr char kEventMode[] = "event mode";
inline constexpr char kHandleKind[] = "handle kind";
inline constexpr char kNodeRole[] = "node role";
inline constexpr char kSignupStatus[] = "sign-up status";
inline constexpr char kChangeSetOutcome[] = "change set outcome";

std::string Word(const char* context, std::string_view value);

// "是"/"否" or "yes"/"no".
std::string YesNo(bool v);

}  // namespace qun::cli
