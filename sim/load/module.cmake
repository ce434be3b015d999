# sim/load: composition: scenario, model and hardware loading through the zoo, with the importers.
trainsim_module(NAME load DIR sim/load
  SOURCES data_dir.cpp
          finetune_reader.cpp
          moe_reader.cpp
          hardware_loader.cpp
          model_loader.cpp
          profile_defaults.cpp
          resolved_writer.cpp
          scenario_imports.cpp
          scenario_loader.cpp
          scenario_preview.cpp
          zoo.cpp
  DEPS import_deepspeed import_megatron import_torchtitan import_hf config topology spec core)
