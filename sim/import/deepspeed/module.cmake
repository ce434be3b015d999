# sim/import/deepspeed: DeepSpeed's ds_config.json and hostfile read into our keys.
trainsim_module(NAME import_deepspeed DIR sim/import/deepspeed
  SOURCES ds_config.cpp
          ds_config_keys.cpp
          ds_config_zero.cpp
          ds_patch.cpp
          ds_reader.cpp
          hostfile.cpp
  DEPS config spec
  PUBLIC_LIBS nlohmann_json::nlohmann_json)
