#include "base/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/text.h"

namespace qun::core {
namespace {

// Colours told apart also by people with the common colour blindnesses.
const char* const kColours[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                "#56b4e9", "#d55e00", "#f0e442", "#000000"};

std::string Num(double v) {
  if (std::floor(v) == v && std::abs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{:.2f}", v);
}

// A round top for the value axis: 1, 2, 5 times a power of ten.
double NiceMax(double v) {
  if (v <= 0) return 1;
  double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string Header(int width, int height, const std::string& title) {
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<title>{2}</title>\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{3}\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">{2}</text>\n",
      width, height, XmlEscape(title), width / 2);
}

}  // namespace

std::string XmlEscape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string LineChartSvg(const std::string& title, const std::vector<std::string>& labels,
                         const std::vector<ChartSeries>& series) {
  const int left = 56, right = 24, top = 48, plot_h = 260, bottom = 70;
  const int n = static_cast<int>(labels.size());
  const int step = n > 1 ? std::max(36, 640 / (n - 1)) : 0;
  const int plot_w = std::max(200, step * std::max(0, n - 1));
  const int legend_h = 18 * static_cast<int>(series.size());
  const int width = left + plot_w + right, height = top + plot_h + bottom + legend_h;
  double max = 0;
  for (const auto& s : series)
    for (double v : s.values) max = std::max(max, v);
  max = NiceMax(max);
  auto x = [&](int i) { return n > 1 ? left + i * plot_w / (n - 1) : left + plot_w / 2; };
  auto y = [&](double v) { return top + plot_h - v / max * plot_h; };

  std::string out = Header(width, height, title);
  // Axes and grid: five steps up the value axis.
  for (int k = 0; k <= 5; ++k) {
    double v = max * k / 5;
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#dddddd\"/>\n"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, y(v), left + plot_w, left - 6, y(v) + 4, Num(v));
  }
  for (int i = 0; i < n; ++i)
    out += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\" transform=\"rotate(-40 {0} {1})\">{2}"
        "</text>\n",
        x(i), top + plot_h + 16, XmlEscape(labels[i]));
  for (size_t si = 0; si < series.size(); ++si) {
    const ChartSeries& s = series[si];
    const char* colour = kColours[si % std::size(kColours)];
    std::string points;
    for (int i = 0; i < n && i < static_cast<int>(s.values.size()); ++i)
      points += fmt::format("{}{},{:.1f}", i ? " " : "", x(i), y(s.values[i]));
    out += fmt::format("<g data-series=\"{}\">\n", XmlEscape(s.key.empty() ? s.name : s.key));
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                       points, colour);
    for (int i = 0; i < n && i < static_cast<int>(s.values.size()); ++i)
      out += fmt::format(
          "<circle cx=\"{}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" data-label=\"{}\" "
          "data-value=\"{}\"><title>{} {}: {}</title></circle>\n",
          x(i), y(s.values[i]), colour, XmlEscape(labels[i]), Num(s.values[i]), XmlEscape(s.name),
          XmlEscape(labels[i]), Num(s.values[i]));
    out += "</g>\n";
    int ly = top + plot_h + bottom + 18 * static_cast<int>(si);
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>\n"
        "<text x=\"{}\" y=\"{}\">{}</text>\n",
        left, ly - 4, colour, left + 20, ly, XmlEscape(s.name));
  }
  return out + "</svg>\n";
}

std::string BarChartSvg(const std::string& title, const std::vector<std::string>& labels,
                        const std::vector<double>& values, const std::vector<double>& limits) {
  size_t label_cols = 4;
  for (const auto& l : labels) label_cols = std::max(label_cols, text::DisplayWidth(l));
  const int left = 16 + static_cast<int>(std::min<size_t>(label_cols, 40)) * 7, right = 90,
            top = 48, bar_h = 18, gap = 8, plot_w = 480;
  const int n = static_cast<int>(labels.size());
  const int width = left + plot_w + right, height = top + n * (bar_h + gap) + 24;
  double max = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    max = std::max(max, values[i]);
    if (i < limits.size()) max = std::max(max, limits[i]);
  }
  max = NiceMax(max);
  auto w = [&](double v) { return v / max * plot_w; };
  std::string out = Header(width, height, title);
  for (int i = 0; i < n; ++i) {
    double v = i < static_cast<int>(values.size()) ? values[i] : 0;
    int y = top + i * (bar_h + gap);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6,
                       y + bar_h - 5, XmlEscape(labels[i]));
    std::string limit_attr, limit_text;
    if (i < static_cast<int>(limits.size())) {
      out +=
          fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#e6eef5\"/>\n",
                      left, y, w(limits[i]), bar_h);
      limit_attr = fmt::format(" data-limit=\"{}\"", Num(limits[i]));
      limit_text = "/" + Num(limits[i]);
    }
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\" data-label=\"{}\" "
        "data-value=\"{}\"{}><title>{}: {}{}</title></rect>\n",
        left, y, w(v), bar_h, kColours[0], XmlEscape(labels[i]), Num(v), limit_attr,
        XmlEscape(labels[i]), Num(v), limit_text);
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\">{}{}</text>\n",
        left + std::max(w(v), i < static_cast<int>(limits.size()) ? w(limits[i]) : 0) + 6,
        y + bar_h - 5, Num(v), limit_text);
  }
  return out + "</svg>\n";
}

}  // namespace qun::core
