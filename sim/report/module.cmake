# sim/report: summaries, JSON, CSV, Chrome traces, SVG plots and HTML reports of results.
trainsim_module(NAME report DIR sim/report
  SOURCES chrome_trace.cpp
          html_report.cpp
          html_run.cpp
          memory_report.cpp
          report_format.cpp
          step_report.cpp
          svg_plot.cpp
          zero_report.cpp
          zero_report_full.cpp
  DEPS workload memory parallel spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json)

# The HTML reports (html_report.hpp) inline Chart.js from Debian's libjs-chart.js
# (3.9.1 in bookworm; tools/setup.sh installs it) and the page's own script and
# style (sim/report/html/): read at build time into a generated source, so a
# report needs nothing at run time and opens offline.
find_file(TRAINSIM_CHART_JS chart.min.js PATHS /usr/share/javascript/chart.js NO_DEFAULT_PATH)
if(NOT TRAINSIM_CHART_JS)
  message(FATAL_ERROR "Chart.js not found (/usr/share/javascript/chart.js/chart.min.js): "
                      "install Debian's libjs-chart.js (tools/setup.sh does), or set TRAINSIM_CHART_JS")
endif()
set(html_dir ${PROJECT_SOURCE_DIR}/sim/report/html)
set(html_files chart_js=${TRAINSIM_CHART_JS} page_css=${html_dir}/page.css common_js=${html_dir}/common.js
               run_js=${html_dir}/run.js sweep_js=${html_dir}/sweep.js validate_js=${html_dir}/validate.js)
set(html_deps ${TRAINSIM_CHART_JS} ${html_dir}/page.css ${html_dir}/common.js ${html_dir}/run.js
              ${html_dir}/sweep.js ${html_dir}/validate.js ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake)
set(html_out ${PROJECT_BINARY_DIR}/generated/html_assets.cpp)
add_custom_command(OUTPUT ${html_out}
  COMMAND ${CMAKE_COMMAND} -DOUT=${html_out} "-DFILES=${html_files}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
  DEPENDS ${html_deps} VERBATIM)
target_sources(trainsim_report PRIVATE ${html_out})
