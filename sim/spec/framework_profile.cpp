// Version parsing and profile selection (framework_profile.hpp); the table is framework_profiles.cpp.
#include "sim/spec/framework_profile.hpp"

#include <cctype>

namespace trainsim {
namespace {

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

std::vector<long> bound(const char* text) { return parse_version(text ? text : ""); }

bool holds(const FrameworkProfile& p, const std::vector<long>& v) {
  const bool above_from = *p.from == '\0' || compare_versions(v, bound(p.from)) >= 0;
  const bool below_until = *p.until == '\0' || compare_versions(v, bound(p.until)) < 0;
  return above_from && below_until;
}

}  // namespace

std::string profile_label(const FrameworkProfile& p) {
  std::string out = to_string(p.framework);
  if (*p.from == '\0' && *p.until == '\0') return out + " (all versions)";
  if (*p.from != '\0') out += std::string(" >= ") + p.from;
  if (*p.from != '\0' && *p.until != '\0') out += ",";
  if (*p.until != '\0') out += std::string(" < ") + p.until;
  return out;
}

std::vector<long> parse_version(const std::string& text) {
  std::vector<long> out;
  std::size_t i = 0;
  while (i < text.size() && !digit(text[i])) ++i;  // "v", "nemo-", "core_r"
  while (i < text.size() && digit(text[i])) {
    long n = 0;
    for (; i < text.size() && digit(text[i]); ++i) n = n * 10 + (text[i] - '0');
    out.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' && digit(text[i + 1]))
      ++i;
    else
      break;
  }
  return out;
}

int compare_versions(const std::vector<long>& a, const std::vector<long>& b) {
  for (std::size_t i = 0; i < a.size() || i < b.size(); ++i) {
    const long x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

ProfileChoice select_profile(Framework framework, const std::string& version) {
  std::vector<const FrameworkProfile*> own;
  for (const FrameworkProfile& p : framework_profiles())
    if (p.framework == framework) own.push_back(&p);
  ProfileChoice c;
  if (own.empty()) return c;
  c.profile = own.back();  // the newest
  if (version.empty()) return c;
  const std::vector<long> v = parse_version(version);
  const std::string said = std::string("framework.version '") + version + "'";
  if (v.empty()) {
    c.warning = said + " has no version number; using the newest profile, " + profile_label(*c.profile);
    return c;
  }
  for (const FrameworkProfile* p : own)
    if (holds(*p, v)) {
      c.profile = p;
      return c;
    }
  // Out of every range: the ranges are ordered, so below the first or above the last.
  const FrameworkProfile* first = own.front();
  const bool below = *first->from != '\0' && compare_versions(v, bound(first->from)) < 0;
  c.profile = below ? first : own.back();
  c.warning =
      said + " is outside the versions trainsim has profiles for; using the nearest, " + profile_label(*c.profile);
  return c;
}

}  // namespace trainsim
