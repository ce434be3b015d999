#include "sim/spec/input_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// "3.0 GB", "17.0 MB", "900 bytes": the size of a refused file.
std::string size_text(long long bytes) {
  char buf[64];
  if (bytes >= 1'000'000'000)
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / 1e9);
  else if (bytes >= 1'000'000)
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%lld bytes", bytes);
  return buf;
}

std::string cap_text() { return std::to_string(kMaxInputFileBytes >> 20) + " MiB"; }

[[noreturn]] void refuse(SourceLocation where, const std::string& what, const std::string& why) {
  throw ConfigError(std::move(where), "cannot read this " + what + ": " + why);
}

// What a path that is not a regular file is, for the message.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory; give a file";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe); trainsim reads regular files only";
  if (S_ISCHR(mode)) return "is a character device; trainsim reads regular files only";
  if (S_ISBLK(mode)) return "is a block device; trainsim reads regular files only";
  if (S_ISSOCK(mode)) return "is a socket; trainsim reads regular files only";
  return "is not a regular file; trainsim reads regular files only";
}

std::string too_big(long long bytes) {
  return "is a " + size_text(bytes) + " file; trainsim reads input files of at most " + cap_text() +
         " (docs/limits.md, Input files)";
}

}  // namespace

void check_input_file(const std::string& path, const std::string& what, SourceLocation where) {
  if (where.file.empty()) where.file = path;
  if (path.empty()) refuse(where, what, "empty path");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) refuse(where, what, "no such file");
    refuse(where, what, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) refuse(where, what, kind_of(st.st_mode));
  if (st.st_size > kMaxInputFileBytes) refuse(where, what, too_big(st.st_size));
}

std::string read_input_file(const std::string& path, const std::string& what, SourceLocation where) {
  if (where.file.empty()) where.file = path;
  check_input_file(path, what, where);
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(where, what, std::string("cannot open it: ") + std::strerror(errno));
  // Read in chunks, at most one past the cap: a file that grew since stat()
  // (or a /proc file that reports size 0) cannot make us read without bound.
  std::string text;
  char chunk[1 << 16];
  while (in && static_cast<long long>(text.size()) <= kMaxInputFileBytes) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) refuse(where, what, "read error");
  if (static_cast<long long>(text.size()) > kMaxInputFileBytes)
    refuse(where, what,
           "is larger than " + cap_text() + "; trainsim reads input files of at most " + cap_text() +
               " (docs/limits.md, Input files)");
  std::string_view body = strip_bom(text);
  if (body.size() != text.size()) text.erase(0, text.size() - body.size());
  return text;
}

std::string_view strip_bom(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

std::string shown_name(std::string_view name) {
  if (name.size() <= kMaxEchoedName) return std::string(name);
  return std::string(name.substr(0, kMaxEchoedName)) + "... (" + std::to_string(name.size()) + " bytes)";
}

}  // namespace trainsim
