#include "sim/config/yaml_read.hpp"

#include <yaml-cpp/eventhandler.h>

#include <map>
#include <sstream>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/spec/input_file.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// Checks the events of one document; throws ConfigError at the first problem.
class Checker : public YAML::EventHandler {
 public:
  explicit Checker(const std::string& file) : file_(file) {}

  bool has_content() const { return content_; }
  int start_line() const { return start_line_; }

  void OnDocumentStart(const YAML::Mark& mark) override { start_line_ = mark.line + 1; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string& value) override {
    content_ = true;
    node(mark, &value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool map = false;
    bool at_key = true;               // a map's next node is a key
    bool is_key = false;              // this container is its parent map's key
    std::map<std::string, int> keys;  // key -> line of its first occurrence
    std::string path;                 // dotted path of this container, for messages
    std::string last_key;
  };

  std::string child_path() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    if (!f.map || f.last_key.empty()) return f.path;
    return f.path.empty() ? f.last_key : f.path + "." + f.last_key;
  }

  void count(const YAML::Mark& mark) {
    if (++nodes_ > kMaxDocumentValues)
      throw ConfigError({file_, mark.line + 1, child_path()},
                        "more than " + std::to_string(kMaxDocumentValues) +
                            " values in one YAML document; trainsim reads at most that many "
                            "(docs/limits.md, Input files)");
  }

  // A scalar, null or alias node; `key` is its text when it is a scalar.
  void node(const YAML::Mark& mark, const std::string* key) {
    count(mark);
    if (!stack_.empty() && stack_.back().map && stack_.back().at_key) {
      if (key) check_key(mark, *key);
      stack_.back().at_key = false;
      return;
    }
    done();
  }

  void check_key(const YAML::Mark& mark, const std::string& key) {
    Frame& f = stack_.back();
    const int line = mark.line + 1;
    const std::string shown = f.path.empty() ? shown_name(key) : f.path + "." + shown_name(key);
    if (key.size() > kMaxKeyLength)
      throw ConfigError({file_, line, shown}, "a key of " + std::to_string(key.size()) +
                                                  " bytes; trainsim reads keys of at most " +
                                                  std::to_string(kMaxKeyLength) + " (docs/limits.md, Input files)");
    auto [it, fresh] = f.keys.emplace(key, line);
    if (!fresh)
      throw ConfigError({file_, line, shown}, "duplicate key: already given on line " + std::to_string(it->second) +
                                                  " of this map; give each key once");
    f.last_key = key;
  }

  void open(const YAML::Mark& mark, bool map) {
    content_ = true;
    // A map or list as a key (DocBuilder refuses it later): its map expects
    // the value when it closes.
    const bool is_key = !stack_.empty() && stack_.back().map && stack_.back().at_key;
    if (is_key) stack_.back().last_key.clear();
    count(mark);
    if (static_cast<int>(stack_.size()) >= kMaxNestingDepth)
      throw ConfigError({file_, mark.line + 1, child_path()},
                        "maps and lists nested deeper than " + std::to_string(kMaxNestingDepth) +
                            " levels; trainsim reads at most " + std::to_string(kMaxNestingDepth) +
                            " (docs/limits.md, Input files)");
    Frame f;
    f.map = map;
    f.is_key = is_key;
    f.path = child_path();
    stack_.push_back(std::move(f));
  }

  void close() {
    const bool was_key = !stack_.empty() && stack_.back().is_key;
    if (!stack_.empty()) stack_.pop_back();
    if (was_key)
      stack_.back().at_key = false;
    else
      done();
  }

  // A value ended: its map expects a key next.
  void done() {
    if (!stack_.empty() && stack_.back().map) stack_.back().at_key = true;
  }

  const std::string& file_;
  std::vector<Frame> stack_;
  bool content_ = false;
  int start_line_ = 1;
  long long nodes_ = 0;
};

// yaml-cpp refuses an implicit key past 1,024 characters as "illegal map
// value"; when the failing line holds such a key, say so in our words.
[[noreturn]] void malformed(const std::string& text, const std::string& file, const YAML::Exception& e) {
  std::size_t start = 0;
  for (int l = 0; l < e.mark.line && start != std::string::npos; ++l) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start != std::string::npos && e.mark.line >= 0) {
    std::string_view line = std::string_view(text).substr(start);
    line = line.substr(0, line.find('\n'));
    std::size_t begin = line.find_first_not_of(" -\t");
    std::size_t colon = line.find(':', begin == std::string_view::npos ? 0 : begin);
    if (begin != std::string_view::npos && colon != std::string_view::npos && colon - begin > kMaxKeyLength)
      throw ConfigError({file, e.mark.line + 1, shown_name(line.substr(begin, colon - begin))},
                        "a key of " + std::to_string(colon - begin) + " bytes; trainsim reads keys of at most " +
                            std::to_string(kMaxKeyLength) + " (docs/limits.md, Input files)");
  }
  throw ConfigError({file, e.mark.line + 1, ""}, "malformed YAML: " + e.msg);
}

void check(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  Checker first(file);
  if (!parser.HandleNextDocument(first)) return;
  Checker second(file);
  if (parser.HandleNextDocument(second) && second.has_content())
    throw ConfigError({file, second.start_line(), ""},
                      "a second YAML document starts here; trainsim reads one document per file (remove the "
                      "'---' line and what follows, or put it in a file of its own)");
}

}  // namespace

YAML::Node load_yaml(const std::string& text, const std::string& file) {
  try {
    check(text, file);
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    malformed(text, file, e);
  }
}

}  // namespace trainsim
