// The GPU and cluster cards a measured run (one CSV row) runs on.
//
// A row names its GPU and cluster as the published source describes them. A
// name with a card in topologies/ is used as is. Otherwise, and only in
// `trainsim validate` (a scenario file still must name a card):
//  - gpu: the one shipped card whose name holds every word of the row's
//    (case, '_' and ' ' ignored; sxm4/sxm5 read as sxm; SXM preferred when the
//    row names no form factor; of several, those with the fewest words, so a
//    variant card is picked only by a word of its own): "H100-80GB" ->
//    h100-sxm5-80gb, "H100 96GB" -> h100-sxm5-96gb-hbm2e-500w;
//  - cluster: a shipped cluster whose node carries that GPU: the one sharing
//    the most words with the row's name ("p4d.24xlarge" -> aws-p4d-a100-40gb),
//    else the DGX design (dgx-*), else by name: "eos-h100" -> dgx-h100-80gb.
// Each substitution is a CellReading (column "gpu" or "cluster") with the
// reason, so the report shows what the row was modelled on.
#pragma once

#include <string>
#include <vector>

#include "sim/load/zoo.hpp"
#include "sim/validate/runs_csv.hpp"

namespace trainsim {

struct RowHardware {
  std::string gpu;                       // a GPU card name in the zoo
  std::string cluster;                   // a cluster card name (or the row's path) in the zoo
  std::vector<CellReading> substituted;  // one per column read as another name, with why
};

// Throws ConfigError at the row's gpu or cluster column when no card fits,
// listing the valid names.
RowHardware row_hardware(const RunRow& row, const Zoo& zoo);

}  // namespace trainsim
