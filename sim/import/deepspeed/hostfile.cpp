#include "sim/import/deepspeed/hostfile.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "sim/spec/input_file.hpp"

namespace trainsim {

ImportResult parse_hostfile(const std::string& text, const std::string& file) {
  static const std::regex line_re(R"(^\s*(\S+)\s+slots\s*=\s*(\d+)\s*$)");
  std::istringstream in(text);
  std::string line;
  std::set<std::string> hosts;
  int lineno = 0, gpus = 0, first_slots = 0;
  bool uneven = false;
  while (std::getline(in, line)) {
    ++lineno;
    line = line.substr(0, line.find('#'));
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    bool matched = std::regex_match(line, m, line_re);
    if (matched && m[2].str().size() > 6)  // before the conversion, which would overflow
      throw ConfigError({file, lineno, "hostfile"}, "slots=" + m[2].str() + ": expected at most 999999 slots per host");
    if (!matched || std::stoll(m[2].str()) < 1)
      throw ConfigError({file, lineno, "hostfile"},
                        "expected 'HOSTNAME slots=N' with N >= 1 (e.g. 'worker-0 slots=8'), "
                        "found '" +
                            line + "'");
    if (!hosts.insert(m[1].str()).second)
      throw ConfigError({file, lineno, "hostfile"}, "host " + m[1].str() + " is already defined (DeepSpeed's rule)");
    int slots = std::stoi(m[2].str());
    if (first_slots == 0) first_slots = slots;
    uneven = uneven || slots != first_slots;
    gpus += slots;
  }
  if (hosts.empty()) throw ConfigError({file, 0, "hostfile"}, "no hosts: list one 'HOSTNAME slots=N' per line");
  ImportResult r;
  r.settings.push_back({"nodes", std::to_string(hosts.size()), {file, 0, "hostfile"}, false, "hosts listed"});
  r.settings.push_back({"gpus", std::to_string(gpus), {file, 0, "hostfile"}, false, "sum of slots"});
  if (uneven)
    r.warnings.push_back(file + ": hosts have different slot counts; trainsim places " + std::to_string(gpus) +
                         " GPUs on the fewest nodes that hold them, filling each node");
  return r;
}

ImportResult read_hostfile(const std::string& path) {
  return parse_hostfile(read_input_file(path, "hostfile", {path, 0, "--hostfile"}), path);
}

ImportResult launcher_size(int num_nodes, int num_gpus) {
  ImportResult r;
  if (num_nodes > 0)
    r.settings.push_back({"nodes", std::to_string(num_nodes), {"--num_nodes", 0, "--num_nodes"}, false, ""});
  if (num_gpus > 0) {
    int nodes = num_nodes > 0 ? num_nodes : 1;
    r.settings.push_back({"gpus",
                          std::to_string(nodes * num_gpus),
                          {"--num_gpus", 0, "--num_gpus"},
                          false,
                          std::to_string(nodes) + " node(s) x " + std::to_string(num_gpus) + " GPUs"});
    if (num_nodes == 0) r.settings.push_back({"nodes", "1", {"--num_gpus", 0, "--num_gpus"}, false, "single node"});
  }
  return r;
}

}  // namespace trainsim
