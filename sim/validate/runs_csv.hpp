// A table of measured training runs in the schema of
// data/reference/calibration_runs.csv (one run per record: the model's
// dimensions, GPU and cluster card names, the parallel layout, the training
// settings and what was measured). `trainsim validate` reads any file in this
// schema.
//
// CSV dialect (RFC 4180): comma-separated, the first record is the header,
// fields may be double-quoted (then they may hold commas, line breaks and ""
// for a quote); empty cells are empty strings; blank lines are skipped; a
// trailing '\r' (CRLF files) is dropped. Cells are kept as text, trimmed of
// surrounding spaces; the row's columns are read and checked where they are
// used (row_scenario.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace trainsim {

// One measured run: its cells by column name.
// `s` in lower case (ASCII): names and words as sources spell them.
std::string lower_case(std::string s);

// A cell the row is read with under another name than it holds: a GPU or
// cluster without a card (row_hardware.hpp), an mlp alias (row_mlp). Reported
// as an assumption of the row.
struct CellReading {
  std::string column;  // the CSV column, e.g. "cluster"
  std::string value;   // what the cell is read as, e.g. "dgx-h100-80gb"
  std::string why;     // the rule, naming the cell's own text
};

struct RunRow {
  std::string file;                          // the CSV it came from
  int line = 0;                              // 1-based line where the record starts
  std::map<std::string, std::string> cells;  // column -> trimmed text ("" = empty cell)

  // The cell of `column` ("" when the CSV has no such column).
  const std::string& get(const std::string& column) const;
  bool has(const std::string& column) const { return !get(column).empty(); }
  // The cell as a positive integer; empty when it is not one (empty, text,
  // zero, negative, or out of int's range).
  std::optional<int> positive_int(const std::string& column) const;
  // The cell in lower case: the word columns (mlp, precision, recompute,
  // sequence_parallel, auto cells) as sources spell them ("BF16", "SwiGLU").
  std::string word(const std::string& column) const;
  // The cell as a location for messages: {file, line, column}.
  SourceLocation where(const std::string& column) const { return {file, line, column}; }
  // The value of column `id` (the run's name).
  const std::string& id() const { return get("id"); }
};

struct RunsTable {
  std::string file;
  std::vector<std::string> columns;  // header order
  std::vector<RunRow> rows;          // file order
};

// Columns every runs CSV must have (the layout and what was measured).
// Optional: source, notes, step_time_kind, reported_tflops_per_gpu, quality,
// settings (the launch the row states: launch_settings.hpp stated_settings()),
// and model-card columns that override what the row's family implies
// (position, norm, tied_embeddings, bias, dropout, embedding_norm,
// max_position, head_dim).
const std::vector<std::string>& required_run_columns();

// Parses CSV text; `file` names it in messages. Throws ConfigError naming the
// file, the line and the column: a missing required column (line 1), a
// duplicate column, a record whose field count differs from the header's, an
// unterminated quote, an empty id.
RunsTable parse_runs_csv(const std::string& text, const std::string& file);

// Reads and parses a file; throws ConfigError when it cannot be read.
RunsTable read_runs_csv(const std::string& path);

}  // namespace trainsim
