# sim/report: explicit source, test and benchmark lists (included from CMakeLists.txt).
# memory_report.cpp and zero_report.cpp are listed in the top-level CMakeLists.txt.
target_sources(trainsim_core PRIVATE
  sim/report/step_report.cpp
  sim/report/chrome_trace.cpp
  sim/report/report_format.cpp
  sim/report/svg_plot.cpp
)
trainsim_add_test(step_report_test)
