#include "sim/model/stage_split.hpp"

#include <numeric>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"

namespace trainsim {

StageSplit::StageSplit(std::vector<std::vector<int>> chunk_layers) : chunk_layers_(std::move(chunk_layers)) {}

int StageSplit::layers(int stage) const {
  const std::vector<int>& c = chunk_layers_[stage];
  return std::accumulate(c.begin(), c.end(), 0);
}

int pipeline_items(int layers, bool embedding_in_pp_split) { return layers + (embedding_in_pp_split ? 2 : 0); }

std::vector<int> interleave_factors(int items, int pp) {
  std::vector<int> out{1};
  if (pp < 2 || items % pp != 0) return out;
  for (int v = 2; v <= items / pp; ++v)
    if ((items / pp) % v == 0) out.push_back(v);
  return out;
}

StageSplit split_layers(int layers, int pp, int vp, bool embedding_in_pp_split) {
  if (layers < 1 || pp < 1 || vp < 1)
    throw std::logic_error("split_layers: layers, pp and vp must be >= 1");  // the key table's minimums
  const int virtual_stages = pp * vp;
  const int items = pipeline_items(layers, embedding_in_pp_split);
  if (items < virtual_stages)
    throw ConfigError({"", 0, "parallel.pp"},
                      std::to_string(items) +
                          " layers (with the embedding and output slots) "
                          "cannot fill " +
                          std::to_string(virtual_stages) +
                          " virtual pipeline stages (pp x vp); lower parallel.pp or parallel.vp");
  const int base = items / virtual_stages;
  const int extra = items % virtual_stages;  // the first `extra` virtual stages take one more
  std::vector<std::vector<int>> out(pp, std::vector<int>(vp, 0));
  for (int v = 0; v < virtual_stages; ++v) {
    int count = base + (v < extra ? 1 : 0);
    if (embedding_in_pp_split && v == 0) --count;                   // the embedding's slot
    if (embedding_in_pp_split && v == virtual_stages - 1) --count;  // the output layer's slot
    if (count < 0)
      throw std::logic_error("split_layers: too few layers for the embedding and output slots");  // items >= stages
    out[v % pp][v / pp] = count;
  }
  return StageSplit(std::move(out));
}

}  // namespace trainsim
