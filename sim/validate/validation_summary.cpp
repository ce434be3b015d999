// summarize() of validation.hpp: step-time MAPE, median and worst absolute
// error over the rows with both a measured and a predicted step time; OOM
// agreement over every row (a failed row disagrees); memory MAPE over the rows
// with a measured and a predicted peak.
#include <algorithm>
#include <cmath>

#include "sim/validate/validation.hpp"

namespace trainsim {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

void step_time_figures(const std::vector<RowReport>& rows, ValidationSummary& s) {
  std::vector<double> abs_err, signed_err;
  for (const RowReport& r : rows) {
    if (r.failed || !r.error) continue;
    double a = std::fabs(*r.error);
    if (abs_err.empty() || a > *s.max_abs_error) s.max_abs_error = a, s.max_abs_error_id = r.id;
    abs_err.push_back(a);
    signed_err.push_back(*r.error);
    s.rows_over_10pct += a > 0.10;
    s.rows_over_20pct += a > 0.20;
  }
  s.rows_compared = static_cast<int>(abs_err.size());
  if (abs_err.empty()) return;
  s.mape_step_time = mean(abs_err);
  s.median_abs_error = median(abs_err);
  s.mean_error = mean(signed_err);
}

void memory_figures(const std::vector<RowReport>& rows, ValidationSummary& s) {
  std::vector<double> abs_err;
  for (const RowReport& r : rows)
    if (!r.failed && r.memory_error) abs_err.push_back(std::fabs(*r.memory_error));
  s.memory_rows = static_cast<int>(abs_err.size());
  if (abs_err.empty()) return;
  s.memory_mape = mean(abs_err);
  s.memory_max_abs_error = *std::max_element(abs_err.begin(), abs_err.end());
}

}  // namespace

ValidationSummary summarize(const std::vector<RowReport>& rows) {
  ValidationSummary s;
  s.rows = static_cast<int>(rows.size());
  for (const RowReport& r : rows) {
    s.rows_failed += r.failed;
    s.oom_rows_agreeing += !r.failed && r.oom_agrees();
  }
  if (s.rows > 0) s.oom_agreement = static_cast<double>(s.oom_rows_agreeing) / s.rows;
  step_time_figures(rows, s);
  memory_figures(rows, s);
  return s;
}

}  // namespace trainsim
