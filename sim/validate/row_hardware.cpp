#include "sim/validate/row_hardware.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "sim/core/error.hpp"
#include "sim/load/hardware_loader.hpp"

namespace trainsim {
namespace {

// The words of a card name: lower case, split at '-', '_', '.', '/', '(', ')'
// and ' ', "sxm4" and "sxm5" read as "sxm", the vendor word dropped.
std::vector<std::string> words(const std::string& name) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    if (w == "sxm4" || w == "sxm5") w = "sxm";
    if (!w.empty() && w != "nvidia") out.push_back(w);
    w.clear();
  };
  for (char c : name) {
    if (c == '-' || c == '_' || c == ' ' || c == '.' || c == '/' || c == '(' || c == ')')
      flush();
    else
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return out;
}

bool has_word(const std::vector<std::string>& ws, const std::string& w) {
  return std::find(ws.begin(), ws.end(), w) != ws.end();
}

bool names_form_factor(const std::vector<std::string>& ws) {
  return has_word(ws, "sxm") || has_word(ws, "pcie") || has_word(ws, "nvl");
}

bool resolves(const Zoo& zoo, ZooKind kind, const std::string& ref, const RunRow& row, const std::string& col) {
  try {
    zoo.resolve(kind, ref, row.file, row.where(col));
    return true;
  } catch (const ConfigError&) {
    return false;
  }
}

// A cell that names a card file (or nothing) gets no substitute: a mistyped
// path or an empty cell is the row's error.
bool substitutable(const std::string& cell) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return cell.size() >= e.size() && lower_case(cell.substr(cell.size() - e.size())) == e;
  };
  return !cell.empty() && !ends(".yaml") && !ends(".yml") && !ends(".json");
}

// The zoo name equal to `cell` but for case, or "".
std::string same_name(const std::string& cell, ZooKind kind, const Zoo& zoo) {
  for (const std::string& n : zoo.names(kind))
    if (lower_case(n) == lower_case(cell)) return n;
  return "";
}

// The shipped GPU cards holding every word of `name`; SXM ones only when the
// name gives no form factor and one is SXM.
std::vector<std::string> gpu_matches(const std::string& name, const Zoo& zoo) {
  const std::vector<std::string> want = words(name);
  std::vector<std::string> found;
  if (want.empty()) return found;
  for (const std::string& card : zoo.names(ZooKind::gpu)) {
    const std::vector<std::string> have = words(card);
    if (std::all_of(want.begin(), want.end(), [&](const std::string& w) { return has_word(have, w); }))
      found.push_back(card);
  }
  if (!names_form_factor(want)) {
    std::vector<std::string> sxm;
    for (const std::string& c : found)
      if (has_word(words(c), "sxm")) sxm.push_back(c);
    if (!sxm.empty()) found = sxm;
  }
  // A variant card (h100-sxm5-96gb-hbm2e-500w) only when the row names what sets it apart: of
  // several matches, those with the fewest words beyond the row's (a tie stays ambiguous).
  std::size_t fewest = SIZE_MAX;
  for (const std::string& c : found) fewest = std::min(fewest, words(c).size());
  std::erase_if(found, [&](const std::string& c) { return words(c).size() > fewest; });
  return found;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string resolve_gpu(const RunRow& row, const Zoo& zoo, std::vector<CellReading>& subs) {
  const std::string& name = row.get("gpu");
  if (resolves(zoo, ZooKind::gpu, name, row, "gpu")) return name;
  if (!substitutable(name)) zoo.resolve(ZooKind::gpu, name, row.file, row.where("gpu"));  // throws
  if (std::string same = same_name(name, ZooKind::gpu, zoo); !same.empty()) return same;
  std::vector<std::string> found = gpu_matches(name, zoo);
  if (found.size() != 1) {
    if (found.size() > 1)
      throw ConfigError(row.where("gpu"),
                        "'" + name + "' matches several GPU cards (" + join(found) + "); name one of them");
    zoo.resolve(ZooKind::gpu, name, row.file, row.where("gpu"));  // throws, listing the valid names
  }
  const bool form_given = names_form_factor(words(name));
  subs.push_back({"gpu", found.front(),
                  "GPU '" + name + "' has no card in topologies/gpus: read as " + found.front() +
                      (form_given ? ", the one shipped card whose name holds every word of it"
                                  : ", the one shipped SXM card whose name holds every word of it (no form factor "
                                    "named)")});
  return found.front();
}

// Words of `a` found in `b`, a word also matching one it starts with (of 3
// letters or more): GCP's "a3-megagpu-8g" shares "a3" and "mega" with
// gcp-a3-mega-h100-80gb.
int shared_words(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto matches = [&](const std::string& w) {
    return std::any_of(b.begin(), b.end(), [&](const std::string& c) {
      return w == c || (c.size() >= 3 && w.size() > c.size() && w.compare(0, c.size(), c) == 0);
    });
  };
  return static_cast<int>(std::count_if(a.begin(), a.end(), matches));
}

// Shipped clusters whose node carries `gpu`: those sharing the most words
// with the row's cluster name first ("p4d.24xlarge" -> aws-p4d-a100-40gb),
// then DGX designs, then by name.
std::vector<std::string> clusters_with(const std::string& gpu, const std::string& row_cluster, const Zoo& zoo) {
  std::vector<std::string> out;
  for (const std::string& name : zoo.names(ZooKind::cluster)) {
    try {
      ClusterSpec c = load_cluster_card(zoo.resolve(ZooKind::cluster, name, {}, {}).string(), zoo);
      if (c.node.gpu.name == gpu) out.push_back(name);
    } catch (const ConfigError&) {
      // a broken card in the zoo is not this row's problem; it is skipped here
    }
  }
  std::stable_partition(out.begin(), out.end(), [](const std::string& n) { return n.rfind("dgx-", 0) == 0; });
  const std::vector<std::string> want = words(row_cluster);
  std::stable_sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
    return shared_words(want, words(a)) > shared_words(want, words(b));
  });
  return out;
}

std::string resolve_cluster(const RunRow& row, const std::string& gpu, const Zoo& zoo, std::vector<CellReading>& subs) {
  const std::string& name = row.get("cluster");
  if (resolves(zoo, ZooKind::cluster, name, row, "cluster")) return name;
  if (!substitutable(name) || name.find('/') != std::string::npos)
    zoo.resolve(ZooKind::cluster, name, row.file, row.where("cluster"));  // throws: a path or nothing
  if (std::string same = same_name(name, ZooKind::cluster, zoo); !same.empty()) return same;
  std::vector<std::string> found = clusters_with(gpu, name, zoo);
  if (found.empty()) zoo.resolve(ZooKind::cluster, name, row.file, row.where("cluster"));  // throws
  subs.push_back({"cluster", found.front(),
                  "cluster '" + name + "' has no card in topologies/: modelled on " + found.front() +
                      ", a shipped cluster of " + gpu +
                      " nodes (its node links, NICs and fabric); add a card "
                      "to model its own"});
  return found.front();
}

}  // namespace

RowHardware row_hardware(const RunRow& row, const Zoo& zoo) {
  RowHardware h;
  h.gpu = resolve_gpu(row, zoo, h.substituted);
  h.cluster = resolve_cluster(row, h.gpu, zoo, h.substituted);
  return h;
}

}  // namespace trainsim
