#include "base/svg_chart.h"

#include <doctest/doctest.h>

#include "support/xml_check.h"

using namespace qun;
using qun::testing::XmlProblem;

TEST_CASE("the XML check itself tells well-formed from broken") {
  CHECK(XmlProblem("<a x=\"1\"><b/>text &amp; more</a>").empty());
  CHECK_FALSE(XmlProblem("<a><b></a></b>").empty());
  CHECK_FALSE(XmlProblem("<a x=1></a>").empty());
  CHECK_FALSE(XmlProblem("<a>AT&T</a>").empty());
  CHECK_FALSE(XmlProblem("<a>").empty());
  CHECK_FALSE(XmlProblem("<a/><b/>").empty());
  CHECK_FALSE(XmlProblem("<a x=\"<\"/>").empty());
}

TEST_CASE("a line chart is well-formed SVG holding every value, with names escaped") {
  std::vector<std::string> weeks = {"2026-11-02", "2026-11-09", "2026-11-16"};
  std::string svg =
      core::LineChartSvg("读书会 <活跃> & \"打卡\"", weeks,
                         {{"打卡", {3, 0, 12}, "checkin"}, {"A&B's", {1.5, 2, 0}, ""}});
  CHECK(XmlProblem(svg) == "");
  CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(svg.find("读书会 &lt;活跃&gt; &amp; &quot;打卡&quot;") != std::string::npos);
  CHECK(svg.find("data-series=\"A&amp;B&apos;s\"") != std::string::npos);
  // The key, when given, is what a program reads; the name is the legend.
  CHECK(svg.find("data-series=\"checkin\"") != std::string::npos);
  CHECK(svg.find(">打卡<") != std::string::npos);
  CHECK(svg.find("data-label=\"2026-11-16\" data-value=\"12\"") != std::string::npos);
  CHECK(svg.find("data-label=\"2026-11-02\" data-value=\"1.50\"") != std::string::npos);
  CHECK(svg.find("<script") == std::string::npos);
  // One point per value and series.
  size_t circles = 0;
  for (size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1))
    ++circles;
  CHECK(circles == 6);
  // A single week and no series still make a valid file.
  CHECK(XmlProblem(core::LineChartSvg("empty", {"2026-11-16"}, {})) == "");
  CHECK(XmlProblem(core::LineChartSvg("nothing", {}, {{"x", {}, ""}})) == "");
  // Control characters from a group's name do not break the file.
  CHECK(XmlProblem(core::LineChartSvg(std::string("bad\x01name"), weeks, {})) == "");
}

TEST_CASE("a bar chart of group sizes holds each size and capacity") {
  std::string svg =
      core::BarChartSvg("Group sizes", {"北京交流群", "上海群"}, {480, 12}, {500, 200});
  CHECK(XmlProblem(svg) == "");
  CHECK(svg.find("data-label=\"北京交流群\" data-value=\"480\" data-limit=\"500\"") !=
        std::string::npos);
  CHECK(svg.find("data-label=\"上海群\" data-value=\"12\" data-limit=\"200\"") !=
        std::string::npos);
  CHECK(XmlProblem(core::BarChartSvg("none", {}, {}, {})) == "");
}
