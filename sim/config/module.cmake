# sim/config: our own schema: key tables, YAML documents, units, layout and model checks.
trainsim_module(NAME config DIR sim/config
  SOURCES config_doc.cpp
          json_lines.cpp
          keys.cpp
          keys_cards.cpp
          keys_finetune.cpp
          keys_moe.cpp
          keys_scenario.cpp
          layer_pattern.cpp
          layout_check.cpp
          model_check.cpp
          moe_layout_check.cpp
          units.cpp
          yaml_read.cpp
          json_read.cpp
  DEPS spec model core
  PUBLIC_LIBS nlohmann_json::nlohmann_json
  PRIVATE_LIBS yaml-cpp)
