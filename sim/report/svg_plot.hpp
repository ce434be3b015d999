// A small scatter plot written as SVG text (no dependencies): step time
// against peak memory for `trainsim sweep --plot`, with the Pareto front
// drawn as a black staircase through ringed points, the GPU's memory as a
// dashed line, points coloured by one layout dimension (`series`) and a legend
// that names the colours and markers. Deterministic: the same points give the
// same bytes.
//
// Axes, so that one outlier does not flatten the rest:
//  - step time (y) is on a log scale between 1-2-5 values around the points:
//    no point is hidden or moved, and a plan 10% slower than another is the
//    same distance away at any speed; a 50x slower plan (a bad pipeline or a
//    tiny micro-batch) costs a decade of axis, not the whole plot;
//  - peak memory (x) is linear from 0; when a plan over memory needs more than
//    twice max(GPU memory, the largest fitting peak), the axis ends at a round
//    value above that and such points are drawn as triangles on the right edge
//    ("off scale", their value in the tooltip): the fitting plans, the ones a
//    reader chooses among, keep the width of the plot.
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
  int series = 0;          // index into ScatterPlot::series (its colour)
};

struct ScatterPlot {
  std::string title;
  std::string x_label = "peak memory per GPU [GiB]";
  std::string y_label = "step time [s]";
  double x_limit = 0;  // > 0: a dashed vertical line (the GPU's memory)
  std::vector<PlotPoint> points;
  std::string series_name;          // the dimension the colours show, e.g. "zero_stage"
  std::vector<std::string> series;  // legend text of each colour, e.g. "zero_stage 3"
};

// The SVG document (960 x 500 px; the legend on the right).
std::string render_svg(const ScatterPlot& plot);

}  // namespace trainsim
