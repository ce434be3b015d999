#include "sim/spec/rank_order.hpp"

#include "sim/core/error.hpp"

namespace trainsim {
namespace {

constexpr std::array<std::pair<const char*, Dim>, 4> kDimNames{
    {{"tp", Dim::tp}, {"cp", Dim::cp}, {"dp", Dim::dp}, {"pp", Dim::pp}}};

[[noreturn]] void bad_order(const std::string& text, const std::string& why) {
  throw ConfigError({"", 0, "parallel.order"}, "'" + text + "' is not an order of the parallel dimensions: " + why +
                                                   "; name tp, cp, dp and pp once each joined by '-', fastest first "
                                                   "(default tp-cp-dp-pp)");
}

Dim parse_dim(const std::string& name, const std::string& text) {
  for (const auto& [n, d] : kDimNames)
    if (name == n) return d;
  bad_order(text, "unknown dimension '" + name + "'");
}

}  // namespace

const char* to_string(Dim d) {
  for (const auto& [n, dim] : kDimNames)
    if (dim == d) return n;
  return "?";
}

RankOrder parse_rank_order(const std::string& text) {
  RankOrder dims{};
  std::array<bool, 4> seen{};
  std::size_t pos = 0;
  int n = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('-', pos);
    if (end == std::string::npos) end = text.size();
    if (n == 4) bad_order(text, "more than four dimensions");
    const Dim d = parse_dim(text.substr(pos, end - pos), text);
    if (seen[static_cast<int>(d)]) bad_order(text, std::string("'") + to_string(d) + "' given twice");
    seen[static_cast<int>(d)] = true;
    dims[n++] = d;
    pos = end + 1;
  }
  if (n != 4) bad_order(text, "it names " + std::to_string(n) + " of the four");
  return dims;
}

std::string to_string(const RankOrder& order) {
  std::string out;
  for (Dim d : order) out += (out.empty() ? "" : "-") + std::string(to_string(d));
  return out;
}

}  // namespace trainsim
