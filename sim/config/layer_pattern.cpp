#include "sim/config/layer_pattern.hpp"

#include <cctype>

namespace trainsim {
namespace {

std::string strip_spaces(const std::string& text) {
  std::string out;
  for (char ch : text)
    if (!std::isspace(static_cast<unsigned char>(ch))) out += ch;
  return out;
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

// One term "[0,1,...]" or "[0,1,...]*k" appended to `out`; false when malformed.
bool append_term(const std::string& term, std::size_t cap, std::vector<bool>& out) {
  const std::size_t close = term.find(']');
  if (term.empty() || term[0] != '[' || close == std::string::npos) return false;
  std::vector<bool> items;
  const std::string body = term.substr(1, close - 1);
  for (std::size_t at = 0; at <= body.size();) {
    std::size_t comma = body.find(',', at);
    std::string item = body.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (item != "0" && item != "1") return false;
    items.push_back(item == "1");
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  long repeat = 1;
  const std::string tail = term.substr(close + 1);
  if (!tail.empty()) {
    if (tail[0] != '*' || !all_digits(tail.substr(1))) return false;
    repeat = std::stol(tail.substr(1));
  }
  for (long r = 0; r < repeat; ++r) {
    if (out.size() + items.size() > cap) return false;
    out.insert(out.end(), items.begin(), items.end());
  }
  return true;
}

}  // namespace

std::vector<bool> parse_layer_pattern(const std::string& text, int layers, std::string& error) {
  std::string s = strip_spaces(text);
  if (all_digits(s)) {
    const long every = std::stol(s);
    if (every < 1) {
      error = "the integer form needs N >= 1 (layer i selected when i % N == 0)";
      return {};
    }
    std::vector<bool> flags(static_cast<std::size_t>(layers));
    for (int i = 0; i < layers; ++i) flags[static_cast<std::size_t>(i)] = i % every == 0;
    return flags;
  }
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') s = s.substr(1, s.size() - 2);
  std::vector<bool> flags;
  const std::size_t cap = static_cast<std::size_t>(layers) + 1;
  for (std::size_t at = 0; at <= s.size();) {
    std::size_t plus = s.find('+', at);
    if (!append_term(s.substr(at, plus == std::string::npos ? std::string::npos : plus - at), cap, flags)) {
      error = "expected an integer N or a list of 0/1 per layer such as ([0]*3+[1]*58) or [0,1]*24";
      return {};
    }
    if (plus == std::string::npos) break;
    at = plus + 1;
  }
  if (flags.size() != static_cast<std::size_t>(layers)) {
    error = "the list has " + std::to_string(flags.size()) +
            (flags.size() > static_cast<std::size_t>(layers) ? "+" : "") + " entries; it needs one per layer (" +
            std::to_string(layers) + ")";
    return {};
  }
  return flags;
}

std::string format_layer_pattern(const std::vector<bool>& flags) {
  std::string out;
  for (std::size_t i = 0; i < flags.size();) {
    std::size_t j = i;
    while (j < flags.size() && flags[j] == flags[i]) ++j;
    out += (out.empty() ? "" : "+") + std::string(flags[i] ? "[1]*" : "[0]*") + std::to_string(j - i);
    i = j;
  }
  return "(" + out + ")";
}

}  // namespace trainsim
