#include "sim/config/json_read.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// The index just past the string literal that opens at text[i] (a quote).
std::size_t skip_string(const std::string& text, std::size_t i) {
  const char quote = text[i];
  for (++i; i < text.size() && text[i] != quote; ++i)
    if (text[i] == '\\') ++i;
  return std::min(i + 1, text.size());
}

int line_at(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// Refuses nesting past the cap before nlohmann builds the tree.
// Also refuses more values than kMaxDocumentValues (counted as containers
// and separators: at least the number of values less one per container).
void check_depth(const std::string& text, const std::string& file) {
  int depth = 0;
  long long values = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '[' || c == ',') && ++values > kMaxDocumentValues)
      throw ConfigError({file, line_at(text, i), ""}, "more than " + std::to_string(kMaxDocumentValues) +
                                                          " values in one JSON document; trainsim reads at most that "
                                                          "many (docs/limits.md, Input files)");
    if (c == '"') {
      i = skip_string(text, i) - 1;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNestingDepth)
        throw ConfigError({file, line_at(text, i), ""},
                          "objects and arrays nested deeper than " + std::to_string(kMaxNestingDepth) +
                              " levels; trainsim reads at most " + std::to_string(kMaxNestingDepth) +
                              " (docs/limits.md, Input files)");
    } else if (c == '}' || c == ']') {
      depth = std::max(0, depth - 1);
    }
  }
}

struct Frame {
  bool object = false;
  std::string pointer;
  std::map<std::string, int> keys;  // key -> line of its first occurrence
  std::string last;                 // pointer of the last key read
  int index = 0;
};

// Key length and duplicate keys; `text` is valid JSON.
void check_keys(const std::string& text, const std::string& file, const JsonReadOptions& o) {
  std::vector<Frame> stack;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      std::size_t end = skip_string(text, i);
      std::string key = text.substr(i + 1, end - i - 2);
      i = end - 1;
      std::size_t next = text.find_first_not_of(" \t\r\n", end);
      if (stack.empty() || !stack.back().object || next == std::string::npos || text[next] != ':') continue;
      Frame& f = stack.back();
      f.last = f.pointer + "/" + key;
      if (key.size() > kMaxKeyLength)
        throw ConfigError({file, line, f.pointer + "/" + shown_name(key)},
                          "a key of " + std::to_string(key.size()) + " bytes; trainsim reads keys of at most " +
                              std::to_string(kMaxKeyLength) + " (docs/limits.md, Input files)");
      auto [it, fresh] = f.keys.emplace(key, line);
      if (!fresh)
        throw ConfigError({file, line, f.last}, "duplicate key: already given on line " + std::to_string(it->second) +
                                                    " of this object" + o.duplicate_note);
    } else if (c == '{' || c == '[') {
      std::string pointer;
      if (!stack.empty())
        pointer =
            stack.back().object ? stack.back().last : stack.back().pointer + "/" + std::to_string(stack.back().index);
      Frame f;
      f.object = c == '{';
      f.pointer = pointer;
      stack.push_back(std::move(f));
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty() && !stack.back().object) {
      ++stack.back().index;
    }
  }
}

// The index of the first character after the comment at text[i], or i when
// no comment starts there.
std::size_t comment_end(const std::string& text, std::size_t i) {
  if (text[i] == '#' || text.compare(i, 2, "//") == 0) return std::min(text.find('\n', i), text.size());
  if (text.compare(i, 2, "/*") == 0) {
    std::size_t end = text.find("*/", i + 2);
    return end == std::string::npos ? text.size() : end + 2;
  }
  return i;
}

nlohmann::json parse(const std::string& text, const std::string& file, const JsonReadOptions& o) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    std::size_t colon = what.find(": ", what.find("parse error"));
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    throw ConfigError({file, line_at(text, e.byte > 0 ? e.byte - 1 : 0), ""}, "malformed JSON: " + detail + o.hint);
  } catch (const nlohmann::json::exception& e) {
    // A number past double's range (1e999) is an out_of_range error, not a
    // parse_error (found by fuzz_hf_config); it carries no offset.
    std::string what = e.what();
    throw ConfigError({file, 0, ""}, "malformed JSON: " + what.substr(std::min(what.size(), what.find("] ") + 2)) +
                                         " (numbers must fit a double)");
  }
}

}  // namespace

std::string blank_hjson_extras(const std::string& text) {
  std::string out = text;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '"') {
      i = skip_string(out, i) - 1;
      continue;
    }
    std::size_t end = comment_end(out, i);
    for (std::size_t k = i; k < end; ++k)
      if (out[k] != '\n') out[k] = ' ';
    if (end > i) i = end - 1;
  }
  char last = 0;  // the last character outside whitespace: a trailing comma follows a value
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '"') {
      i = skip_string(out, i) - 1;
      last = '"';
    } else if (out[i] == ',') {
      std::size_t next = out.find_first_not_of(" \t\r\n", i + 1);
      const bool after_value = last != 0 && last != ',' && last != '{' && last != '[';
      if (after_value && next != std::string::npos && (out[next] == '}' || out[next] == ']'))
        out[i] = ' ';
      else
        last = ',';
    } else if (out[i] != ' ' && out[i] != '\t' && out[i] != '\r' && out[i] != '\n') {
      last = out[i];
    }
  }
  return out;
}

JsonText read_json(const std::string& text, const std::string& file, const JsonReadOptions& options) {
  JsonText out;
  out.text = std::string(strip_bom(text));
  if (options.hjson_comments) out.text = blank_hjson_extras(out.text);
  check_depth(out.text, file);
  out.root = parse(out.text, file, options);
  check_keys(out.text, file, options);
  return out;
}

}  // namespace trainsim
