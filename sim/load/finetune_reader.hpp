// Private to the scenario loader: reads the fine-tuning keys (PEFT/LoRA,
// packed sequences; sim/spec/finetune.hpp) into s.training.finetune.
#pragma once

#include "sim/config/config_doc.hpp"
#include "sim/spec/scenario.hpp"

namespace trainsim {

// Throws ConfigError naming the key for an unknown LoRA target (with the
// nearest valid name), an empty target list, packed sequences without
// training.pack_mean_seq_len (or the length without packing), and packed
// sequences without FlashAttention (only the varlen kernel restricts
// attention to each sub-sequence).
void read_finetune(const ConfigDoc& d, Scenario& s);

}  // namespace trainsim
