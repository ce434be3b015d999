// The largest inputs a run accepts (docs/limits.md). Beyond them a scenario
// is refused at load time with a ConfigError naming the key and the limit,
// instead of overflowing an integer or exhausting memory. The key tables
// (keys_*.cpp) declare them as the keys' maxima, so `trainsim help keys` and
// docs/keys.md show them.
//
// Why these values: the simulator keeps counts in `int` and forms products of
// them (dp x tp x pp x cp, layers x hidden^2, seq x batch x hidden) in 64-bit
// integers or doubles; with every factor below its cap no product overflows.
// The GPU cap bounds the per-GPU result table (StepResult::per_gpu, about
// 150 B a GPU: 40 MB at the cap) and the layout's rank tables; the
// micro-batch cap bounds the number of engine events (a few per layer per
// micro-batch per simulated GPU).
#pragma once

#include <cstddef>

namespace trainsim {

// Any integer key without a tighter declared maximum: stays inside `int`
// with room for the sums and differences the loaders form.
inline constexpr double kMaxIntegerKey = 1 << 30;

inline constexpr double kMaxGpus = 262'144;         // scenario gpus (2^18; 16x the largest published run)
inline constexpr double kMaxNodes = kMaxGpus;       // scenario nodes, cluster-card nodes and pod sizes
inline constexpr double kMaxGpusPerNode = 1024;     // cluster card node.gpus and the node's PCIe counts
inline constexpr double kMaxParallel = kMaxGpus;    // each of tp, pp, dp, cp
inline constexpr double kMaxChunks = 1024;          // parallel.vp
inline constexpr double kMaxLayers = 16'384;        // model layers
inline constexpr double kMaxWidth = 1 << 20;        // hidden, ffn, head_dim (1,048,576)
inline constexpr double kMaxHeads = 1 << 16;        // heads and kv_heads
inline constexpr double kMaxLoraRank = kMaxWidth;   // training.lora_rank (at most a layer's width)
inline constexpr double kMaxVocab = 1 << 24;        // vocab (16,777,216)
inline constexpr double kMaxSequence = 1 << 24;     // training.seq_len and max_position
inline constexpr double kMaxMicroBatch = 1 << 16;   // training.micro_batch (sequences)
inline constexpr double kMaxGlobalBatch = 1 << 24;  // training.global_batch (sequences)
// Micro-batches per step per pipeline (global / (micro_batch x dp)): the
// engine simulates each one, so this bounds the events of a step.
inline constexpr double kMaxMicroBatches = 65'536;
// Layer passes per step: micro-batches per pipeline x transformer layers. The
// step's programs and engine state grow with it: measured about 800 bytes and
// 12 engine events per layer pass (Llama-3 405B, pp 16, 1,024 and 4,096
// micro-batches: 105 MB / 1.6 M events and 408 MB / 6.3 M events), so the cap
// (2^21) bounds a run at about 1.7 GB and 25 M events (a few seconds) per
// simulated pipeline.
inline constexpr double kMaxLayerPasses = 1 << 21;
// With a timeline (--trace, --out), layer passes x simulated GPUs per stage
// (1, or dp x tp x cp with --full): measured about 2.3 KB each with the trace
// file written (1,024 micro-batches of Llama-3 405B: 300 MB), so the cap
// (2^19) bounds a traced run at about 1.2 GB.
inline constexpr double kMaxTracedLayerPasses = 1 << 19;
// Directed links of a flow-mode topology graph (sim/topology/topology_size.hpp:
// `collective --concurrent`, and the two-node graph of every offload run):
// measured about 330 bytes and 13 us of offload planning per link (an offload
// run on a card with 65,000 spines per pod, 1.04 M links: 349 MB, 13 s; 260,000
// spines, 4.2 M links: 1.4 GB, 54 s), so the cap (2^20) bounds a graph at about
// 350 MB and 15 s.
inline constexpr double kMaxTopologyLinks = 1 << 20;

// Largest latency a card may give one hop, I/O or system call (node.*latency,
// fabric.switch_latency), in seconds. The slowest real figure is an NVMe
// service time of about 100 us; one second is four orders above it and keeps
// every latency, summed over a step's hops, inside the simulated clock's range
// (about 1.06e7 s).
inline constexpr double kMaxLatencySeconds = 1.0;

// Input files (docs/limits.md "Input files"). Every reader takes its text
// through read_input_file (sim/spec/input_file.hpp), which refuses anything
// but a regular file of at most kMaxInputFileBytes; the JSON, YAML and TOML
// readers then refuse nesting deeper than kMaxNestingDepth and keys longer than
// kMaxKeyLength before any recursive walk of the parsed tree.
//
// 64 MiB: the largest shipped input is a 400 KB runs CSV; a sweep shard's CSV
// (about 300 bytes a point) of 64 MiB holds some 200,000 points. Reading is
// bounded by the cap; parsing by kMaxDocumentValues below.
inline constexpr long long kMaxInputFileBytes = 64LL << 20;
// Values (scalars, maps, lists; JSON values) in one YAML or JSON document:
// yaml-cpp spends about 460 bytes and 10 us a node (a 16 MiB flow list of 8 M
// numbers took 3.9 GB and 86 s), so the cap bounds a tree at about 50 MB; the
// largest shipped YAML or JSON file has under 1,000.
inline constexpr long long kMaxDocumentValues = 100'000;
// Levels of maps and lists (objects and arrays, TOML tables): the deepest
// file trainsim reads legitimately nests 4 (a Hugging Face config.json with a
// nested text_config and rope_scaling); 64 keeps every recursive walk shallow.
inline constexpr int kMaxNestingDepth = 64;
// Bytes in one key: the longest real key (ds_config's
// "stage3_gather_16bit_weights_on_model_save") has 41.
inline constexpr std::size_t kMaxKeyLength = 256;
// A name echoed in a message (an unknown model or key): longer ones are cut
// to this many bytes and their length, and no nearest name is searched for a
// name longer than kMaxNameForSuggestions (edit distance is quadratic).
inline constexpr std::size_t kMaxEchoedName = 64;
inline constexpr std::size_t kMaxNameForSuggestions = 256;

}  // namespace trainsim

namespace trainsim {

// The fastest shipping parts (per direction), for the plausibility warnings of
// plausibility.hpp: a card past them is most likely a unit slip ("400GB/s" for
// 400 Gb/s) and is run as given, with a warning (docs/limits.md "Plausibility").
inline constexpr double kFastestNicBps = 800e9 / 8;            // ConnectX-8 / Quantum-X800: 800 Gb/s a port
inline constexpr double kFastestNvlinkBps = 900e9;             // NVLink 5 (Blackwell): 1.8 TB/s a GPU, both ways
inline constexpr double kFastestPcieBps = 128e9;               // PCIe 6.0 x16: 2x Gen5's 64 GB/s (hardware.md §1.2)
inline constexpr double kFastestEthernetBps = kFastestNicBps;  // 800GbE
// Points of one sweep (all shards together). Each point holds its settings,
// its outcome and its CSV row until the sweep ends (about 2 KB with the
// outcome's result), and every shard lists every point: 2^20 points bound a
// sweep at about 2 GB. Issue 25's probe: 10^6 points ran 8 minutes on 2
// cores, a 1000^3 grid exhausted memory before the first point. Counted
// before any point is built (sweep_points.cpp).
inline constexpr double kMaxSweepPoints = 1 << 20;
// MFU above 1 means the step ran faster than the GPUs' peak allows.
inline constexpr double kMaxPlausibleMfu = 1.0;

}  // namespace trainsim
