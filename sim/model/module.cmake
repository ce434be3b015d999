# sim/model: transformer arithmetic: parameters, activations, the kernels of a layer, pipeline stage split.
trainsim_module(NAME model DIR sim/model
  SOURCES activations.cpp
          attention_ops.cpp
          kernel_sets.cpp
          layer_ops.cpp
          moe_ops.cpp
          op_build.cpp
          lora.cpp
          moe_params.cpp
          params.cpp
          stage_split.cpp
  DEPS spec core)
