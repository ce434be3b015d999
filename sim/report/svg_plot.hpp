// A small scatter plot written as SVG text (no dependencies): step time
// against peak memory for `trainsim sweep --plot`, with the Pareto front
// drawn as a highlighted staircase and the GPU's memory as a dashed line.
// Deterministic: the same points give the same bytes.
#pragma once

#include <string>
#include <vector>

namespace trainsim {

struct PlotPoint {
  double x = 0;            // peak memory [GiB]
  double y = 0;            // step time [s]
  bool highlight = false;  // on the Pareto front
  bool fits = true;        // false: drawn hollow (simulated, over memory)
  std::string label;       // tooltip (<title>)
};

struct ScatterPlot {
  std::string title;
  std::string x_label = "peak memory per GPU [GiB]";
  std::string y_label = "step time [s]";
  double x_limit = 0;  // > 0: a dashed vertical line (the GPU's memory)
  std::vector<PlotPoint> points;
};

// The SVG document (800 x 500 px). Axes start at 0 and end at a round value
// above the largest point (or x_limit).
std::string render_svg(const ScatterPlot& plot);

}  // namespace trainsim
