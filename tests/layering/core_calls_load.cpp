// Deliberately breaks the layering (tests/module.cmake): a file of the core
// floor that includes and calls the loader, three floors above it. Built only
// by the layering tests, which pass when the include check names this include
// and the link of a core-only shared library fails on load_model.
#include "sim/load/model_loader.hpp"

namespace trainsim {

ModelSpec layering_violation_probe() { return load_model("models/gpt3-175b.yaml"); }

}  // namespace trainsim
