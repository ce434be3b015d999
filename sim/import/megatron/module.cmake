# sim/import/megatron: Megatron-LM command-line flags read into our keys and a model.
trainsim_module(NAME import_megatron DIR sim/import/megatron
  SOURCES megatron_args.cpp
          megatron_flags.cpp
          megatron_knobs.cpp
          megatron_model.cpp
          megatron_moe.cpp
  DEPS config model spec core)
