#include "sim/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/format.hpp"

namespace trainsim {
namespace {

constexpr double kWidth = 800, kHeight = 500;
constexpr double kLeft = 80, kRight = 30, kTop = 50, kBottom = 60;
constexpr int kTicks = 5;

// A coordinate or size in SVG user units, to 0.1.
std::string f(double v) { return fixed(v, 1); }

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// A round axis end at or above `v`: 1, 2 or 5 times a power of ten, times kTicks.
double nice_max(double v) {
  if (v <= 0) return 1;
  double step = v / kTicks;
  double p = std::pow(10.0, std::floor(std::log10(step)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= step) return m * p * kTicks;
  return 10 * p * kTicks;
}

struct Frame {
  double x_max, y_max;
  double px(double x) const { return kLeft + x / x_max * (kWidth - kLeft - kRight); }
  double py(double y) const { return kHeight - kBottom - y / y_max * (kHeight - kTop - kBottom); }
};

std::string axes(const ScatterPlot& p, const Frame& fr) {
  std::string s;
  double x0 = kLeft, y0 = kHeight - kBottom;
  s += "<line x1=\"" + f(x0) + "\" y1=\"" + f(y0) + "\" x2=\"" + f(kWidth - kRight) + "\" y2=\"" + f(y0) +
       "\" stroke=\"black\"/>\n";
  s += "<line x1=\"" + f(x0) + "\" y1=\"" + f(y0) + "\" x2=\"" + f(x0) + "\" y2=\"" + f(kTop) +
       "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= kTicks; ++i) {
    double xv = fr.x_max * i / kTicks, yv = fr.y_max * i / kTicks;
    s +=
        "<text x=\"" + f(fr.px(xv)) + "\" y=\"" + f(y0 + 18) + "\" text-anchor=\"middle\">" + general(xv) + "</text>\n";
    s +=
        "<text x=\"" + f(x0 - 8) + "\" y=\"" + f(fr.py(yv) + 4) + "\" text-anchor=\"end\">" + general(yv) + "</text>\n";
  }
  s += "<text x=\"" + f((kLeft + kWidth - kRight) / 2) + "\" y=\"" + f(kHeight - 15) + "\" text-anchor=\"middle\">" +
       escaped(p.x_label) + "</text>\n";
  s += "<text transform=\"translate(20," + f((kTop + kHeight - kBottom) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escaped(p.y_label) + "</text>\n";
  s += "<text x=\"" + f(kWidth / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" + escaped(p.title) +
       "</text>\n";
  return s;
}

// The front as a staircase through its points, fastest first.
std::string front_line(const ScatterPlot& p, const Frame& fr) {
  std::vector<const PlotPoint*> front;
  for (const auto& pt : p.points)
    if (pt.highlight) front.push_back(&pt);
  std::sort(front.begin(), front.end(),
            [](const PlotPoint* a, const PlotPoint* b) { return a->y != b->y ? a->y < b->y : a->x < b->x; });
  if (front.size() < 2) return "";
  std::string pts;
  for (std::size_t i = 0; i < front.size(); ++i) {
    if (i > 0) pts += f(fr.px(front[i - 1]->x)) + "," + f(fr.py(front[i]->y)) + " ";
    pts += f(fr.px(front[i]->x)) + "," + f(fr.py(front[i]->y)) + " ";
  }
  return "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n";
}

}  // namespace

std::string render_svg(const ScatterPlot& p) {
  double xm = p.x_limit, ym = 0;
  for (const auto& pt : p.points) xm = std::max(xm, pt.x), ym = std::max(ym, pt.y);
  Frame fr{nice_max(xm), nice_max(ym)};
  std::string s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + f(kWidth) + "\" height=\"" + f(kHeight) +
      "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += axes(p, fr);
  if (p.x_limit > 0)
    s += "<line x1=\"" + f(fr.px(p.x_limit)) + "\" y1=\"" + f(kTop) + "\" x2=\"" + f(fr.px(p.x_limit)) + "\" y2=\"" +
         f(kHeight - kBottom) + "\" stroke=\"gray\" stroke-dasharray=\"6,4\"><title>GPU memory</title></line>\n";
  s += front_line(p, fr);
  for (int pass = 0; pass < 2; ++pass)  // front drawn last, on top
    for (const auto& pt : p.points) {
      if (pt.highlight != (pass == 1)) continue;
      std::string colour = pt.highlight ? "#d62728" : "#1f77b4";
      s += "<circle cx=\"" + f(fr.px(pt.x)) + "\" cy=\"" + f(fr.py(pt.y)) + "\" r=\"" + (pt.highlight ? "4" : "2.5") +
           "\" fill=\"" + (pt.fits ? colour : "none") + "\" stroke=\"" + colour + "\"><title>" + escaped(pt.label) +
           "</title></circle>\n";
    }
  return s + "</svg>\n";
}

}  // namespace trainsim
