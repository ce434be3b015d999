// Plain-text tables for the terminal reports: each column padded to its widest
// cell, the first column left-aligned, the others right-aligned, two spaces
// between columns, one line per row.
#pragma once

#include <string>
#include <vector>

namespace trainsim {

std::string render_text_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace trainsim
