// The scenario keys of fine-tuning (issue 19): PEFT/LoRA and packed
// sequences (sim/spec/finetune.hpp); part of the scenario key table.
#pragma once

#include <vector>

#include "sim/config/keys.hpp"

namespace trainsim {

// Appends training.peft, training.lora_rank, training.lora_targets,
// training.lora_dropout, training.packed_sequences and training.pack_mean_seq_len.
void add_finetune_keys(std::vector<KeyDef>& k);

}  // namespace trainsim
