# sim/report: summaries, JSON, CSV, Chrome traces and SVG plots of results.
trainsim_module(NAME report DIR sim/report
  SOURCES chrome_trace.cpp
          memory_report.cpp
          report_format.cpp
          step_report.cpp
          svg_plot.cpp
          zero_report.cpp
          zero_report_full.cpp
  DEPS workload memory parallel spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json)
