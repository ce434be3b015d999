// The one JSON parser of other tools' files (ds_config.json, Hugging Face
// config.json). Before nlohmann builds a tree, one iterative scan of the text
// refuses nesting deeper than kMaxNestingDepth (deeper trees crash recursive
// copies and walks); after it, a key longer than kMaxKeyLength and a key given
// twice in one object, naming the file, the line and the line of the first
// (docs/limits.md "Input files").
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace trainsim {

struct JsonReadOptions {
  std::string what;  // the file's role in messages: "ds_config", "config.json"
  // Accept the part of hjson that JSON tools write by hand: `//`, `#` and
  // `/* */` comments and a trailing comma before `}` or `]` (DeepSpeed reads
  // ds_config with hjson.load). Other hjson syntax is refused with `hint`.
  bool hjson_comments = false;
  std::string hint;            // appended to a "malformed JSON" message
  std::string duplicate_note;  // appended to a duplicate-key message
};

struct JsonText {
  nlohmann::json root;
  std::string text;  // the text parsed: comments and trailing commas blanked, lines kept
};

// Throws ConfigError (file, line) for malformed JSON and the cases above.
JsonText read_json(const std::string& text, const std::string& file, const JsonReadOptions& options);

// `text` with hjson-style comments and trailing commas replaced by spaces
// (newlines kept, so every line number stays); strings are left alone.
std::string blank_hjson_extras(const std::string& text);

}  // namespace trainsim
