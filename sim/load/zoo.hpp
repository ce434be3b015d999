// The zoo: named model cards (models/NAME.yaml), cluster cards
// (topologies/NAME.yaml) and GPU cards (topologies/gpus/NAME.yaml) under one
// data directory. A reference that looks like a path (has a '/' or ends in
// .yaml/.yml/.json) is a file, relative to the referring file's folder first,
// then to the working directory. Which data directory a front end uses:
// sim/load/data_dir.hpp.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace trainsim {

enum class ZooKind { model, cluster, gpu };

class Zoo {
 public:
  explicit Zoo(std::filesystem::path data_dir);

  const std::filesystem::path& root() const { return root_; }

  // Resolves `ref` (a zoo name or a path) to an existing file. `referrer` is
  // the file that names it (for relative paths); `where` locates the reference
  // in messages. Throws ConfigError listing the valid names, nearest first.
  std::filesystem::path resolve(ZooKind kind, const std::string& ref, const std::filesystem::path& referrer,
                                const SourceLocation& where) const;

  // Sorted zoo names of a kind.
  std::vector<std::string> names(ZooKind kind) const;

 private:
  std::filesystem::path folder(ZooKind kind) const;
  std::filesystem::path root_;
};

}  // namespace trainsim
