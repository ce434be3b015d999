# sim/import/torchtitan: torchtitan's job TOML (train_configs/*.toml) read into our keys.
trainsim_module(NAME import_torchtitan DIR sim/import/torchtitan
  SOURCES titan_config.cpp
          titan_keys.cpp
          titan_parallel.cpp
          titan_reader.cpp
  DEPS config spec
  PRIVATE_LIBS tomlplusplus::tomlplusplus)
