#include "sim/report/text_table.hpp"

#include <algorithm>
#include <sstream>

namespace trainsim {

std::string render_text_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return "";
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::ostringstream o;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string pad(c < width.size() ? width[c] - row[c].size() : 0, ' ');
      o << (c == 0 ? row[c] + pad : pad + row[c]) << (c + 1 < row.size() ? "  " : "\n");
    }
  }
  return o.str();
}

}  // namespace trainsim
