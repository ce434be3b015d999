#include "sim/core/error.hpp"

namespace trainsim {
namespace {

std::string format(const SourceLocation& w, const std::string& message) {
  std::string out = w.file.empty() ? std::string("<input>") : w.file;
  if (w.line > 0) out += ":" + std::to_string(w.line);
  out += ": ";
  if (!w.key.empty()) out += w.key + ": ";
  return out + message;
}

}  // namespace

ConfigError::ConfigError(SourceLocation where, const std::string& message)
    : std::runtime_error(format(where, message)), where_(std::move(where)), message_(message) {}

}  // namespace trainsim
