// Typed errors of the configuration stage. The library throws these; the CLI
// turns them into "file:line: key: message" and exit status 2.
#pragma once

#include <stdexcept>
#include <string>

namespace trainsim {

// Where a value came from: a file and a 1-based line (0 when unknown, e.g. a
// --set override or a computed default), and the dotted key.
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string key;
};

// Bad input: a malformed file, an unknown key, a value of the wrong type or
// unit, or an impossible layout. `what()` reads
//   "FILE:LINE: KEY: MESSAGE"
// and the message says what would be valid.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(SourceLocation where, const std::string& message);

  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

// A value string that does not parse as the expected quantity. Thrown by the
// units parser, which knows nothing of files; readers rethrow it as ConfigError.
class UnitError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace trainsim
