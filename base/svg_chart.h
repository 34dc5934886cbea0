// Standalone SVG charts for the reports (`--svg FILE`): a file a person
// opens in a browser, with no script, no external font or stylesheet.
//
// Every data point carries its figures as attributes (data-series,
// data-label, data-value) and a <title> tooltip, so the chart can be read
// by hovering and checked by a program. Text is XML-escaped; Chinese names
// and titles are kept as UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qun::core {

struct ChartSeries {
  std::string name;            // the legend, in the language of the report
  std::vector<double> values;  // one per label
  // What a program reads in data-series, the same in every language
  // ("joined", "checkin"); the name when empty.
  std::string key;
};

// Lines over labelled points (e.g. weeks), one per series, with a legend.
std::string LineChartSvg(const std::string& title, const std::vector<std::string>& labels,
                         const std::vector<ChartSeries>& series);

// One horizontal bar per label; with `limits` (same length), each bar is
// drawn inside a lighter one of its limit (a group's size in its capacity).
std::string BarChartSvg(const std::string& title, const std::vector<std::string>& labels,
                        const std::vector<double>& values, const std::vector<double>& limits);

std::string XmlEscape(std::string_view text);

}  // namespace qun::core
