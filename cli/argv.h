// The command line as people type it, made into what the parser reads, and
// the command words checked before parsing, so a typo gets "did you mean".
//
// An input method in Chinese mode types `——plus` for `--plus`, `１` for 1
// and `：` in times; a chat list is pasted as 张三，李四、王五. Normalize
// turns option names typed so into ASCII, and numbers given to number
// options; dates and times are read by base/when.h, which folds them
// itself. Values that are people's text (names, titles, notes) are left as
// typed: full-width punctuation is part of how Chinese is written.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace qun::cli {

// `token` as an option written with ASCII dashes, when it is one typed with
// an input method's dashes or full-width letters: "——plus" → "--plus",
// "——plus＝3" → "--plus=3", "－ｈ" → "-h". Otherwise none.
std::optional<std::string> AsOption(const std::string& token);

std::vector<std::string> NormalizeArgs(const CLI::App& root, std::vector<std::string> args);

// Follows the command words of `args` down from `root`; a word that names
// no command where one is needed is refused with the closest commands, and
// a command that needs one of its own and got none lists them. OK when the
// words are all right (CLI11 then parses and reports anything else).
Status CheckCommandWords(const CLI::App& root, const std::vector<std::string>& args);

// "qun group add": the command words from the root down to `app`.
std::string CommandPath(const CLI::App* app);

// The items of a list as people paste it: split at ，、；, ASCII commas and
// semicolons, ideographic spaces, and at spaces between Chinese names
// (张三 李四), but not inside a Latin name ("Zhang Wei"). Items are trimmed;
// empty ones dropped.
std::vector<std::string> SplitList(const std::vector<std::string>& values);

// The names among `candidates` closest to `typed` (at most three), by edit
// distance over characters, and names `typed` begins.
std::vector<std::string> Closest(const std::string& typed,
                                 const std::vector<std::string>& candidates);

}  // namespace qun::cli
