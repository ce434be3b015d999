# sim/spec: plain value types every floor shares: model, GPU, cluster, link, scenario, import log, limits, framework profiles.
trainsim_module(NAME spec DIR sim/spec
  SOURCES enum_names.cpp
          rank_order.cpp
          gpu_spec.cpp
          link.cpp
          scenario.cpp
          sharding.cpp
          finetune.cpp
          run_assumptions.cpp
          framework_profile.cpp
          framework_profiles.cpp
          input_file.cpp
          plausibility.cpp
  DEPS core)
