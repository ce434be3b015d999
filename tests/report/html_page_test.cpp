// The HTML report pages (sim/report/html_report.hpp) as text: self-contained
// (every script inline, nothing loaded), the data embedded so that no value can
// close its script element, deterministic, and the run page's data selected from
// the StepResult as documented (one GPU per stage, the first stage's spans).
// tests/report/html_report_test.sh opens the pages in Chromium.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "sim/report/html_report.hpp"

using namespace trainsim;

namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The JSON inside <script type="application/json" id="report-data">.
std::string embedded_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const std::size_t from = page.find(open) + open.size();
  return page.substr(from, page.find("</script>", from) - from);
}

GpuStats gpu(int rank, int pp, double peak_gib) {
  GpuStats g;
  g.rank = rank;
  g.coord.pp = pp;
  g.coord.dp = rank % 2;
  g.at_peak.activations = Bytes(peak_gib * 1073741824.0);
  g.peak_bytes = g.at_peak.total();
  return g;
}

TraceSpan span(int rank, Lane lane, const std::string& name, double start, double end) {
  TraceSpan s;
  s.rank = rank;
  s.lane = lane;
  s.name = name;
  s.category = "forward";
  s.start_s = Seconds(start);
  s.end_s = Seconds(end);
  return s;
}

}  // namespace

TEST_CASE("a page is one self-contained file: inline scripts only, no resource loaded") {
  const std::string page =
      html_validate_report({{"rows", nlohmann::json::array()}, {"files", nlohmann::json::array()}});
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count(page, "<script") == 4);  // data, Chart.js, common, validate
  CHECK(count(page, "</script>") == 4);
  CHECK(page.find("Chart.js v3") != std::string::npos);
  const std::regex loads(R"(<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=)", std::regex::icase);
  CHECK_FALSE(std::regex_search(page, loads));
  CHECK(page.find("data-kind=\"validate\"") != std::string::npos);
}

TEST_CASE("data that contains </script> or <!-- cannot end or open anything in the page") {
  const nlohmann::json data = {{"title", "</script><script>alert(1)</script> <!-- x"}, {"rows", {"a</b"}}};
  const std::string page = html_sweep_report(data);
  CHECK(count(page, "</script>") == 4);
  const std::string embedded = embedded_data(page);
  CHECK(embedded.find("</") == std::string::npos);
  CHECK(embedded.find("<!--") == std::string::npos);
  CHECK(nlohmann::json::parse(embedded) == data);  // the same JSON, only escaped
  // the title element is HTML-escaped
  CHECK(page.find("<title>trainsim sweep: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- x</title>") !=
        std::string::npos);
}

TEST_CASE("the run page's data: the highest-peak GPU of each stage and the first stage's spans") {
  StepResult r;
  r.model = "m";
  r.cluster = "c";
  r.gpus = 4;
  r.per_gpu = {gpu(0, 0, 10), gpu(1, 0, 12), gpu(2, 1, 9), gpu(3, 1, 9)};
  r.spans = {span(2, Lane::compute, "L1 mlp fwd", 0.001, 0.002), span(0, Lane::compute, "L0 attn fwd", 0, 0.0015),
             span(0, Lane::tp_comm, "all_reduce L0 attn 8 MB ring", 0.0015, 0.00175)};
  r.memory_samples = {{0, Seconds(0), Bytes(1073741824.0)},
                      {0, Seconds(0), Bytes(2 * 1073741824.0)},
                      {0, Seconds(0.001), Bytes(3 * 1073741824.0)},
                      {2, Seconds(0.0005), Bytes(1073741824.0)}};
  const nlohmann::json d = html_run_data(r, {{"step_time_s", 0.002}});
  REQUIRE(d["stages"].size() == 2);
  CHECK(d["stages"][0]["rank"] == 1);  // 12 GiB beats rank 0's 10
  CHECK(d["stages"][1]["rank"] == 2);  // a tie goes to the lower rank
  CHECK(d["stages"][0]["at_peak"]["activations"] == 12LL * 1073741824LL);
  CHECK(d["timeline"]["rank"] == 0);
  REQUIRE(d["timeline"]["spans"].size() == 2);
  CHECK(d["timeline"]["spans"][1][1] == doctest::Approx(1500.0));  // start in microseconds
  CHECK(d["timeline"]["spans"][1][2] == doctest::Approx(250.0));   // duration
  CHECK(d["timeline"]["names"][1] == "all_reduce L0 attn 8 MB ring");
  REQUIRE(d["memory"].size() == 2);
  // two samples at the same instant: the counter shows the last
  CHECK(d["memory"][0]["gib"] == nlohmann::json::array({2.0, 3.0}));
  CHECK(d["memory"][0]["t_us"] == nlohmann::json::array({0.0, 1000.0}));
  CHECK(html_run_report(r, {{"step_time_s", 0.002}}) == html_run_report(r, {{"step_time_s", 0.002}}));
}
