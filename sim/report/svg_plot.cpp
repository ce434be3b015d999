#include "sim/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>

#include "sim/core/format.hpp"

namespace trainsim {
namespace {

constexpr double kWidth = 960, kHeight = 500;
constexpr double kLeft = 80, kRight = 190, kTop = 50, kBottom = 60;
constexpr int kTicks = 5;
// Memory axis: clipped when a point lies beyond this multiple of max(GPU memory, largest fitting peak).
constexpr double kClipFactor = 2.0;
// Colours of the series (matplotlib's tab10), reused cyclically.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

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

const char* colour(int series) { return kPalette[static_cast<std::size_t>(std::max(0, series)) % std::size(kPalette)]; }

// A round axis end at or above `v`: 1, 2 or 5 times a power of ten, times kTicks.
double nice_max(double v) {
  if (v <= 0) return 1;
  double step = v / kTicks;
  double p = std::pow(10.0, std::floor(std::log10(step)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= step) return m * p * kTicks;
  return 10 * p * kTicks;
}

// The 1-2-5 values (1, 2, 5, 10, 20, ...) from the largest at or below `lo`
// to the smallest at or above `hi`: the log axis's ticks.
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> t;
  double p = std::pow(10.0, std::floor(std::log10(lo)));
  for (int guard = 0; guard < 400; ++guard, p *= 10)
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = m * p;
      if (v * (1 + 1e-12) < lo) {
        t.assign(1, v);
        continue;
      }
      t.push_back(v);
      if (v >= hi * (1 - 1e-12)) return t;
    }
  return t;
}

struct Frame {
  double x_max;       // linear memory axis end
  double y_lo, y_hi;  // log step time axis ends
  std::vector<double> y_ticks;
  double px(double x) const { return kLeft + std::min(x, x_max) / x_max * (kWidth - kLeft - kRight); }
  double py(double y) const {
    const double u = (std::log(std::max(y, y_lo)) - std::log(y_lo)) / (std::log(y_hi) - std::log(y_lo));
    return kHeight - kBottom - u * (kHeight - kTop - kBottom);
  }
  bool off_scale(double x) const { return x > x_max; }
};

Frame frame(const ScatterPlot& p) {
  double all = p.x_limit, fitting = p.x_limit;
  double lo = 0, hi = 0;
  for (const auto& pt : p.points) {
    all = std::max(all, pt.x);
    if (pt.fits) fitting = std::max(fitting, pt.x);
    if (pt.y > 0) lo = lo > 0 ? std::min(lo, pt.y) : pt.y, hi = std::max(hi, pt.y);
  }
  if (fitting <= 0) fitting = all;
  Frame fr;
  fr.x_max = nice_max(all > kClipFactor * fitting ? fitting * 1.25 : all);
  if (lo <= 0) lo = hi = 1;
  fr.y_ticks = log_ticks(lo, hi);
  if (fr.y_ticks.size() < 2) fr.y_ticks = log_ticks(lo, hi * 2);
  fr.y_lo = fr.y_ticks.front();
  fr.y_hi = fr.y_ticks.back();
  return fr;
}

std::string text(double x, double y, const char* anchor, const std::string& s, const std::string& extra = "") {
  return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\"" + extra + ">" + escaped(s) +
         "</text>\n";
}

std::string axes(const ScatterPlot& p, const Frame& fr) {
  std::string s;
  double x0 = kLeft, y0 = kHeight - kBottom;
  s += "<line x1=\"" + f(x0) + "\" y1=\"" + f(y0) + "\" x2=\"" + f(kWidth - kRight) + "\" y2=\"" + f(y0) +
       "\" stroke=\"black\"/>\n";
  s += "<line x1=\"" + f(x0) + "\" y1=\"" + f(y0) + "\" x2=\"" + f(x0) + "\" y2=\"" + f(kTop) +
       "\" stroke=\"black\"/>\n";
  for (int i = 0; i <= kTicks; ++i) {
    double xv = fr.x_max * i / kTicks;
    s += text(fr.px(xv), y0 + 18, "middle", general(xv));
  }
  for (double yv : fr.y_ticks) s += text(x0 - 8, fr.py(yv) + 4, "end", general(yv));
  s += text((kLeft + kWidth - kRight) / 2, kHeight - 15, "middle", p.x_label);
  s += "<text transform=\"translate(20," + f((kTop + kHeight - kBottom) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escaped(p.y_label + ", log scale") + "</text>\n";
  s += text(kWidth / 2, 28, "middle", p.title, " font-size=\"16\"");
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
  return "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n";
}

// One point: a circle (filled when it fits, hollow when over memory, ringed in
// black on the front), or a triangle on the right edge when off scale.
std::string marker(const PlotPoint& pt, const Frame& fr) {
  const std::string c = colour(pt.series);
  const std::string fill = pt.fits ? c : "none";
  const double x = fr.px(pt.x), y = fr.py(pt.y);
  std::string tip = pt.label;
  if (fr.off_scale(pt.x)) {
    tip += " (off scale: " + general(pt.x) + " GiB)";
    return "<polygon class=\"off-scale\" points=\"" + f(x - 7) + "," + f(y - 5) + " " + f(x) + "," + f(y) + " " +
           f(x - 7) + "," + f(y + 5) + "\" fill=\"" + fill + "\" stroke=\"" + c + "\"><title>" + escaped(tip) +
           "</title></polygon>\n";
  }
  std::string s;
  if (pt.highlight) s += "<circle cx=\"" + f(x) + "\" cy=\"" + f(y) + "\" r=\"5.5\" fill=\"none\" stroke=\"black\"/>\n";
  return s + "<circle cx=\"" + f(x) + "\" cy=\"" + f(y) + "\" r=\"3\" fill=\"" + fill + "\" stroke=\"" + c +
         "\"><title>" + escaped(tip) + "</title></circle>\n";
}

// The legend, right of the plot: one swatch per series, then the markers.
std::string legend(const ScatterPlot& p) {
  const double x = kWidth - kRight + 20;
  double y = kTop + 4;
  std::string s = "<g class=\"legend\">\n";
  if (!p.series_name.empty()) {
    s += text(x, y, "start", "colour: " + p.series_name, " font-weight=\"bold\"");
    y += 18;
  }
  for (std::size_t i = 0; i < p.series.size(); ++i, y += 16) {
    s += "<circle cx=\"" + f(x + 5) + "\" cy=\"" + f(y - 4) + "\" r=\"4\" fill=\"" + colour(static_cast<int>(i)) +
         "\"/>\n";
    s += text(x + 16, y, "start", p.series[i]);
  }
  y += 8;
  s += "<circle cx=\"" + f(x + 5) + "\" cy=\"" + f(y - 4) + "\" r=\"4\" fill=\"gray\"/>\n" +
       text(x + 16, y, "start", "fits memory");
  y += 16;
  s += "<circle cx=\"" + f(x + 5) + "\" cy=\"" + f(y - 4) + "\" r=\"4\" fill=\"none\" stroke=\"gray\"/>\n" +
       text(x + 16, y, "start", "over memory");
  y += 16;
  s += "<circle cx=\"" + f(x + 5) + "\" cy=\"" + f(y - 4) + "\" r=\"5.5\" fill=\"none\" stroke=\"black\"/>\n" +
       text(x + 16, y, "start", "Pareto front");
  y += 16;
  s += "<line x1=\"" + f(x) + "\" y1=\"" + f(y - 4) + "\" x2=\"" + f(x + 10) + "\" y2=\"" + f(y - 4) +
       "\" stroke=\"gray\" stroke-dasharray=\"3,2\"/>\n" + text(x + 16, y, "start", "GPU memory");
  y += 16;
  s += "<polygon points=\"" + f(x + 3) + "," + f(y - 9) + " " + f(x + 10) + "," + f(y - 4) + " " + f(x + 3) + "," +
       f(y + 1) + "\" fill=\"gray\"/>\n" + text(x + 16, y, "start", "peak off scale");
  return s + "</g>\n";
}

}  // namespace

std::string render_svg(const ScatterPlot& p) {
  const Frame fr = frame(p);
  std::string s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + f(kWidth) + "\" height=\"" + f(kHeight) +
      "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += axes(p, fr);
  if (p.x_limit > 0)
    s += "<line x1=\"" + f(fr.px(p.x_limit)) + "\" y1=\"" + f(kTop) + "\" x2=\"" + f(fr.px(p.x_limit)) + "\" y2=\"" +
         f(kHeight - kBottom) + "\" stroke=\"gray\" stroke-dasharray=\"6,4\"><title>GPU memory</title></line>\n";
  s += front_line(p, fr);
  for (int pass = 0; pass < 2; ++pass)  // front drawn last, on top
    for (const auto& pt : p.points)
      if (pt.highlight == (pass == 1)) s += marker(pt, fr);
  return s + legend(p) + "</svg>\n";
}

}  // namespace trainsim
