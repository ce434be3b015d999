// How transformer layers are assigned to pipeline stages and model chunks.
//
// With pp stages and vp model chunks per stage there are V = pp * vp virtual
// stages; chunk c of stage i is virtual stage c * pp + i (Megatron's
// interleaved order). The layers are dealt out in order over the V virtual
// stages, floor(n / V) each; when V does not divide n, the first n mod V
// virtual stages take one more (DeepSpeed's partition_uniform; Megatron
// requires divisibility for interleaving, validated in layout_check.cpp).
// Putting the extra layers first is also the memory worst case, as the first
// stage holds the most in-flight micro-batches.
//
// With embedding_in_pp_split the embedding and the output layer count as one
// item each (n = L + 2; Megatron --account-for-embedding/loss-in-pipeline-split,
// DeepSpeed partition_method 'type:transformer|embedding'): BLOOM's 70 layers
// + 2 over 12 stages give 6 items each, so the first and last stages hold 5
// transformer layers next to the embedding / output layer.
#pragma once

#include <vector>

namespace trainsim {

class StageSplit {
 public:
  // chunk_layers[i][c]: transformer layers of model chunk c on stage i.
  explicit StageSplit(std::vector<std::vector<int>> chunk_layers);

  int stages() const { return static_cast<int>(chunk_layers_.size()); }
  int chunks() const { return chunk_layers_.empty() ? 0 : static_cast<int>(chunk_layers_[0].size()); }
  int chunk_layers(int stage, int chunk) const { return chunk_layers_[stage][chunk]; }
  // Transformer layers on stage i over all its chunks.
  int layers(int stage) const;

 private:
  std::vector<std::vector<int>> chunk_layers_;
};

// Items the pipeline split deals out: the transformer layers, plus one slot
// each for the embedding and the output layer (loss) with
// `embedding_in_pp_split`.
int pipeline_items(int layers, bool embedding_in_pp_split);

// The vp values that split `items` evenly over pp stages of vp chunks each
// (Megatron's interleaving rule, the layout check's, the sweep's and
// validate's candidates): 1, and every v > 1 dividing items / pp when pp > 1
// and pp divides items; ascending.
std::vector<int> interleave_factors(int items, int pp);

// Splits `layers` over pp stages of vp chunks. Requires layers >= 1, pp >= 1,
// vp >= 1 and enough items for every virtual stage to hold at least one
// (layout_check.cpp guarantees it); throws std::invalid_argument otherwise.
StageSplit split_layers(int layers, int pp, int vp, bool embedding_in_pp_split);

}  // namespace trainsim
