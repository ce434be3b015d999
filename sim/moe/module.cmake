# sim/moe: closed forms of Mixture-of-Experts communication (bytes per GPU per MoE layer for
# uniform routing), the reference the simulated dispatch is checked against and the table of
# `trainsim explain moe`. Plain arithmetic on the model's shape: it needs only spec and core, so
# it sits on floor 2 beside sim/model (docs/design.md §2).
trainsim_module(NAME moe DIR sim/moe
  SOURCES moe_comm.cpp
  DEPS spec core)
