// Line numbers for a JSON document: nlohmann::json keeps none, so this scans
// the text once and maps every object key's JSON pointer ("/zero_optimization/stage")
// to the 1-based line where the key is written. Used for file:line in errors.
#pragma once

#include <map>
#include <string>

namespace trainsim {

class JsonLines {
 public:
  // `text` must be valid JSON (parse it with nlohmann first).
  explicit JsonLines(const std::string& text);
  // The line of the key at `pointer`, or 0 when it is not in the text.
  int line(const std::string& pointer) const;

 private:
  std::map<std::string, int> lines_;
};

}  // namespace trainsim
