#include "sim/config/json_lines.hpp"

#include <vector>

namespace trainsim {
namespace {

// RFC 6901: '~' -> "~0", '/' -> "~1".
std::string escape_token(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

struct Frame {
  bool object = false;
  std::string path;     // pointer of this container
  std::string pending;  // object: pointer of the last key read
  int index = 0;        // array: index of the current element
};

}  // namespace

JsonLines::JsonLines(const std::string& text) {
  std::vector<Frame> stack;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      std::string s;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        s += text[i];
      }
      std::size_t next = text.find_first_not_of(" \t\r\n", i + 1);
      bool is_key = next != std::string::npos && text[next] == ':' && !stack.empty() && stack.back().object;
      if (is_key) {
        stack.back().pending = stack.back().path + "/" + escape_token(s);
        lines_.emplace(stack.back().pending, line);
      }
    } else if (c == '{' || c == '[') {
      std::string path;
      if (!stack.empty())
        path =
            stack.back().object ? stack.back().pending : stack.back().path + "/" + std::to_string(stack.back().index);
      stack.push_back({c == '{', path, "", 0});
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ',' && !stack.empty() && !stack.back().object) {
      ++stack.back().index;
    }
  }
}

int JsonLines::line(const std::string& pointer) const {
  auto it = lines_.find(pointer);
  return it == lines_.end() ? 0 : it->second;
}

}  // namespace trainsim
