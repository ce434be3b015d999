#include "sim/load/zoo.hpp"

#include <algorithm>
#include <map>

#include "sim/config/keys.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"

namespace fs = std::filesystem;

namespace trainsim {
namespace {

bool looks_like_path(const std::string& ref) {
  auto ends = [&](const char* ext) { return fs::path(ref).extension() == ext; };
  return ref.find('/') != std::string::npos || ends(".yaml") || ends(".yml") || ends(".json");
}

const char* kind_name(ZooKind k) {
  switch (k) {
    case ZooKind::model: return "model";
    case ZooKind::cluster: return "cluster";
    case ZooKind::gpu: return "GPU card";
  }
  return "entry";
}

}  // namespace

Zoo::Zoo(fs::path data_dir) : root_(std::move(data_dir)) {}

fs::path Zoo::folder(ZooKind kind) const {
  switch (kind) {
    case ZooKind::model: return root_ / "models";
    case ZooKind::cluster: return root_ / "topologies";
    case ZooKind::gpu: return root_ / "topologies" / "gpus";
  }
  return root_;
}

std::vector<std::string> Zoo::names(ZooKind kind) const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder(kind), ec))
    if (e.is_regular_file(ec) && e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// True when `p` names a regular file. A path the OS cannot even look up (a
// name past NAME_MAX, found by fuzz_yaml_loaders) is not a file: no throw.
bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

std::string file_role(ZooKind kind, const std::string& ref) {
  return std::string(kind_name(kind)) + " file '" + shown_name(ref) + "'";
}

}  // namespace

fs::path Zoo::resolve(ZooKind kind, const std::string& ref, const fs::path& referrer,
                      const SourceLocation& where) const {
  if (ref.empty()) throw ConfigError(where, std::string("empty ") + kind_name(kind) + " reference");
  if (looks_like_path(ref)) {
    fs::path p(ref);
    if (p.is_relative() && !referrer.empty()) {
      fs::path beside = referrer.parent_path() / p;
      if (is_file(beside)) return beside;
      if (present(beside)) check_input_file(beside.string(), file_role(kind, ref), where);  // says what it is
    }
    if (is_file(p)) return p;
    if (present(p)) check_input_file(ref, file_role(kind, ref), where);
    throw ConfigError(where, std::string("no such ") + kind_name(kind) + " file '" + shown_name(ref) +
                                 "' (looked beside " + (referrer.empty() ? "." : referrer.string()) +
                                 " and in the working directory)");
  }
  fs::path p = folder(kind) / (ref + ".yaml");
  if (is_file(p)) return p;
  std::vector<std::string> valid = names(kind);
  // Edit distance is quadratic: compare a name's first bytes only (a 10 MB
  // name took 33 s, issue 25), each candidate's distance once.
  const std::string_view head = std::string_view(ref).substr(0, kMaxNameForSuggestions);
  std::map<std::string, size_t> distance;
  for (const std::string& v : valid) distance[v] = edit_distance(head, v);
  std::stable_sort(valid.begin(), valid.end(),
                   [&](const std::string& a, const std::string& b) { return distance[a] < distance[b]; });
  std::string list;
  for (size_t i = 0; i < valid.size(); ++i) list += (i ? ", " : "") + valid[i];
  throw ConfigError(where, std::string("unknown ") + kind_name(kind) + " '" + shown_name(ref) + "' in " +
                               folder(kind).string() + "; valid names (nearest first): " + list +
                               "; or give a path to a file");
}

}  // namespace trainsim
