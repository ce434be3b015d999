// The one YAML parser of trainsim's own files (scenarios, model/GPU/cluster
// cards, sweep files). Before yaml-cpp builds a node tree, one pass over the
// parser's events refuses, naming the file and line (docs/limits.md "Input
// files"): nesting deeper than kMaxNestingDepth (yaml-cpp's own guard sits at
// 2,000 levels with a message naming no file), a key longer than
// kMaxKeyLength, a key given twice in one map (YAML 1.2 requires unique keys;
// yaml-cpp keeps the last silently), and a second document after `---`.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace trainsim {

// Throws ConfigError (file, line) for malformed YAML and the cases above.
YAML::Node load_yaml(const std::string& text, const std::string& file);

}  // namespace trainsim
