// The files an HTML report inlines (html_report.hpp), compiled into the
// library from a source generated at build time (sim/report/module.cmake,
// cmake/EmbedFiles.cmake): Chart.js (Debian's libjs-chart.js) and the page's
// own script and style (sim/report/html/). Private to sim/report.
#pragma once

#include <string_view>

namespace trainsim::html_assets {

std::string_view chart_js();     // Chart.js, minified
std::string_view page_css();     // html/page.css
std::string_view common_js();    // html/common.js: data, tables, charts, the render check
std::string_view run_js();       // html/run.js
std::string_view sweep_js();     // html/sweep.js
std::string_view validate_js();  // html/validate.js

}  // namespace trainsim::html_assets
