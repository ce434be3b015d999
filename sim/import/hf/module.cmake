# sim/import/hf: Hugging Face config.json read into a model.
trainsim_module(NAME import_hf DIR sim/import/hf
  SOURCES hf_config.cpp
          hf_moe.cpp
          peft_config.cpp
  DEPS config spec core
  PUBLIC_LIBS nlohmann_json::nlohmann_json)
