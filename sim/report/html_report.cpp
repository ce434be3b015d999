// The page around a report's data (html_report.hpp).
#include "sim/report/html_report.hpp"

#include <string_view>

#include "sim/report/html_assets.hpp"

namespace trainsim {
namespace {

std::string escape_html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON inside <script type="application/json">: "</" and "<!--" cannot end or
// open anything there once written "<\/" and "<\u0021--" (the same JSON).
std::string script_safe_json(const nlohmann::json& data) {
  const std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else if (text.compare(i, 4, "<!--") == 0) {
      out += "<\\u0021--";
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string page(std::string_view kind, const std::string& title, const nlohmann::json& data, std::string_view script) {
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<meta name=\"generator\" content=\"trainsim\">\n";
  html += "<title>" + escape_html(title) + "</title>\n<style>\n";
  html += html_assets::page_css();
  html += "</style>\n</head>\n<body>\n<main id=\"report\" data-kind=\"";
  html += kind;
  html +=
      "\"><noscript>This report draws its charts with JavaScript; enable it to read the report.</noscript></main>\n";
  html += "<script type=\"application/json\" id=\"report-data\">" + script_safe_json(data) + "</script>\n";
  html += "<script>\n";
  html += html_assets::chart_js();
  html += "\n</script>\n<script>\n";
  html += html_assets::common_js();
  html += "\n</script>\n<script>\n";
  html += script;
  html += "\n</script>\n</body>\n</html>\n";
  return html;
}

std::string text_or(const nlohmann::json& j, const char* key, const std::string& fallback) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

}  // namespace

std::string html_run_report(const StepResult& r, const nlohmann::json& summary) {
  const std::string title = "trainsim run: " + r.model + " on " + r.cluster + ", " + std::to_string(r.gpus) + " GPUs";
  return page("run", title, html_run_data(r, summary), html_assets::run_js());
}

std::string html_sweep_report(const nlohmann::json& sweep) {
  return page("sweep", "trainsim sweep: " + text_or(sweep, "title", "layouts"), sweep, html_assets::sweep_js());
}

std::string html_validate_report(const nlohmann::json& validation) {
  return page("validate", "trainsim validate: predicted vs measured", validation, html_assets::validate_js());
}

}  // namespace trainsim
