// The reader of a parsed config.json (hf_config.cpp, hf_moe.cpp): typed keys
// whose errors name the file and the line of the key.
#pragma once

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/error.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim::hf {

using json = nlohmann::json;
using Keys = std::initializer_list<const char*>;

// 1-based line of the byte at `offset` (0-based) in `text`.
inline int line_at(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

inline std::string join(Keys keys, const char* sep) {
  std::string out;
  for (const char* k : keys) out += (out.empty() ? "" : sep) + std::string(k);
  return out;
}

// A parsed config.json with its text, so that errors can name the line of a key.
class Reader {
 public:
  Reader(const json& j, const std::string& text, const std::string& file) : j_(j), text_(text), file_(file) {}

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw ConfigError({file_, key_line(key), key}, message);
  }

  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
  // Where `key` is written: the file and the line of its first `"key":` (0: absent).
  SourceLocation at(const std::string& key) const { return {file_, key_line(key), key}; }
  const json& value(const char* key) const { return j_[key]; }

  // The first of `keys` present; fails naming all of them when none is.
  const char* first_of(Keys keys) const {
    for (const char* k : keys)
      if (has(k)) return k;
    if (keys.size() == 1) fail(*keys.begin(), "missing required key (a positive integer)");
    fail(*keys.begin(), "missing required key; give one of: " + join(keys, ", ") + " (a positive integer)");
  }

  // A positive integer (an integral float such as 4096.0 too) no larger than
  // the largest count trainsim accepts (kMaxVocab = 2^24, limits.hpp), so the
  // sizes derived from it (4 x hidden, positions + 2) stay inside an int;
  // check_model applies each key's own limit.
  int positive_int(const char* key) const {
    const json& v = j_[key];
    double x = v.is_number() ? v.get<double>() : 0.0;
    if (!v.is_number() || x != std::floor(x) || x < 1)
      fail(key, "expected a positive integer, found " + v.dump() + " (write a JSON number such as 4096)");
    if (x > kMaxVocab)
      fail(key, v.dump() + " is past trainsim's largest accepted count, " +
                    std::to_string(static_cast<long long>(kMaxVocab)) + " (docs/limits.md)");
    return static_cast<int>(x);
  }
  int required_int(Keys keys) const { return positive_int(first_of(keys)); }
  std::optional<int> optional_int(const char* key) const {
    return has(key) ? std::optional<int>(positive_int(key)) : std::nullopt;
  }

  // A non-negative integer; `fallback` when absent or null (q_lora_rank: null).
  int count(const char* key, int fallback) const {
    if (!has(key)) return fallback;
    const json& v = j_[key];
    if (v.is_number() && v.get<double>() == 0.0) return 0;
    return positive_int(key);
  }
  // A list of non-negative integers (mlp_only_layers, moe_layers); empty when absent.
  std::vector<int> int_list(const char* key) const {
    std::vector<int> out;
    if (!has(key)) return out;
    if (!j_[key].is_array()) fail(key, "expected a list of layer numbers, found " + j_[key].dump());
    for (const json& v : j_[key]) {
      if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > kMaxVocab)
        fail(key, "expected layer numbers >= 0, found " + v.dump());
      out.push_back(v.get<int>());
    }
    return out;
  }
  // A list of strings (layer_types); empty when absent.
  std::vector<std::string> string_list(const char* key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    if (!j_[key].is_array()) fail(key, "expected a list of strings, found " + j_[key].dump());
    for (const json& v : j_[key]) {
      if (!v.is_string()) fail(key, "expected strings, found " + v.dump());
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  // The object under `key` (Llama 4's text_config), read the same way.
  Reader child(const char* key) const {
    if (!has(key) || !j_[key].is_object()) fail(key, "expected an object {...}");
    return Reader(j_[key], text_, file_);
  }

  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_boolean()) fail(key, "expected true or false, found " + j_[key].dump());
    return j_[key].get<bool>();
  }
  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_number()) fail(key, "expected a number, found " + j_[key].dump());
    return j_[key].get<double>();
  }
  std::string string(const char* key) const {
    if (!has(key)) return "";
    if (!j_[key].is_string()) fail(key, "expected a string, found " + j_[key].dump());
    return j_[key].get<std::string>();
  }

 private:
  // Line of the first `"key":` in the text; 0 when not found (a missing key).
  int key_line(const std::string& key) const {
    std::string quoted = "\"" + key + "\"";
    for (std::size_t at = text_.find(quoted); at != std::string::npos; at = text_.find(quoted, at + 1)) {
      std::size_t next = text_.find_first_not_of(" \t\r\n", at + quoted.size());
      if (next != std::string::npos && text_[next] == ':') return line_at(text_, at);
    }
    return 0;
  }

  const json& j_;
  const std::string& text_;
  const std::string& file_;
};

// Head width: `head_dim` when the config gives it, else hidden / heads (a
// ConfigError at `heads_key` when that does not divide).
int head_dim_of(const Reader& r, const ModelSpec& m, const char* heads_key);

// The Llama-style shape keys (hidden_size, num_hidden_layers,
// num_attention_heads, num_key_value_heads, vocab_size, head_dim) into `m`.
void read_llama_shape(const Reader& r, ModelSpec& m);

}  // namespace trainsim::hf
