// The one way trainsim reads an input file (docs/limits.md "Input files"):
// every reader (scenario, sweep file, model/GPU/cluster cards, ds_config,
// config.json, hostfile, torchtitan TOML, runs CSV, merge CSVs, compute
// profile) takes its text from read_input_file, so a directory, a FIFO, a
// device such as /dev/zero, a socket or an oversized file is refused before a
// byte is read, with a ConfigError naming the file and saying what it is.
#pragma once

#include <string>
#include <string_view>

#include "sim/core/error.hpp"

namespace trainsim {

// Throws ConfigError at `where` (its file defaulted to `path`) unless `path`
// names a regular file (symbolic links followed) of at most
// kMaxInputFileBytes. `what` names the file's role ("scenario file",
// "DeepSpeed config") in the message.
void check_input_file(const std::string& path, const std::string& what, SourceLocation where = {});

// check_input_file, then the whole text, without a leading UTF-8 byte order
// mark. Never blocks on a FIFO and never reads past the cap.
std::string read_input_file(const std::string& path, const std::string& what, SourceLocation where = {});

// `text` without a leading UTF-8 byte order mark (EF BB BF).
std::string_view strip_bom(std::string_view text);

// A user-given name as a message shows it: whole up to kMaxEchoedName bytes,
// else its first kMaxEchoedName bytes, "..." and its length in bytes.
std::string shown_name(std::string_view name);

}  // namespace trainsim
