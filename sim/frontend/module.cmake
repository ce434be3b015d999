# sim/frontend: what the command line (tools/cli) and the Python package (python/) share.
trainsim_module(NAME frontend DIR sim/frontend
  SOURCES collective_table.cpp
          resolved_json.cpp
          zero_request.cpp
  DEPS sweep validate load report memory net topology model config spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json)
