# sim/memory: per-GPU memory: model states, activations, buffers, ZeRO-3 gathers, DeepSpeed estimators.
trainsim_module(NAME memory DIR sim/memory
  SOURCES comm_buffers.cpp
          deepspeed_estimators.cpp
          inflight.cpp
          memory_model.cpp
          model_states.cpp
          moe_memory.cpp
          zero3_gathers.cpp
          zero_explain.cpp
  DEPS model spec core)
