// trainsim._core: the pybind11 bindings behind the Python package (python/trainsim).
// Each function calls the library as the command line does and returns the
// JSON document (or CSV text) the command line prints, so the package and
// `trainsim ... --json` cannot disagree; python/trainsim wraps them in typed
// results. Long calls run on a worker thread with the GIL released while the
// calling (main) thread waits, calls the progress callback and checks for
// signals: CPython runs signal handlers only on the main thread, so a Ctrl-C
// is seen there (PyErr_CheckSignals) and stops a sweep or validation at its
// next point. Library errors become trainsim.ConfigError (bad input: the
// message names file, line and key, as the command line's) or
// trainsim.SimulationError (a guard that tripped or an internal inconsistency).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/buy/compare_file.hpp"
#include "sim/buy/compare_report.hpp"
#include "sim/buy/compare_run.hpp"
#include "sim/core/error.hpp"
#include "sim/core/sim_error.hpp"
#include "sim/frontend/collective_table.hpp"
#include "sim/frontend/resolved_json.hpp"
#include "sim/frontend/zero_request.hpp"
#include "sim/load/data_dir.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/report/chrome_trace.hpp"
#include "sim/report/memory_report.hpp"
#include "sim/report/step_report.hpp"
#include "sim/report/zero_report.hpp"
#include "sim/search/plan_search.hpp"
#include "sim/sweep/advise.hpp"
#include "sim/sweep/advise_json.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/sweep/sweep_summary.hpp"
#include "sim/validate/validation.hpp"
#include "sim/validate/validation_report.hpp"
#include "sim/workload/step_sim.hpp"

namespace py = pybind11;
using namespace trainsim;

namespace {

// Package-relative data directories, set by trainsim/__init__.py (an install's
// share/trainsim); tried after $TRAINSIM_DATA and before the source tree the
// module was built from.
std::vector<std::string> package_data_dirs;

Zoo zoo() {
  const char* env = std::getenv(kDataDirEnv);
  if (!env || !*env)
    for (const std::string& d : package_data_dirs)
      if (is_data_dir(d)) return Zoo(d);
  return Zoo(find_data_dir(env ? env : "", {}, TRAINSIM_DEFAULT_DATA_DIR));
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// Thrown from a progress hook on a worker thread once the caller asked to stop.
struct Cancelled : std::exception {};

// Runs `work` on a worker thread with the GIL released. Meanwhile the calling
// thread, every 50 ms, reports (done, total) to `progress` (when given and
// changed) and runs pending signal handlers; a Python exception from either
// (KeyboardInterrupt) sets `cancel`, waits for the worker to stop and is raised.
template <class Work>
auto interruptible(Work work, std::atomic<bool>& cancel, const std::atomic<std::size_t>& done,
                   const std::atomic<std::size_t>& total, const py::object& progress) {
  auto future = std::async(std::launch::async, std::move(work));
  std::size_t reported = static_cast<std::size_t>(-1);
  for (;;) {
    bool ready = false;
    {
      py::gil_scoped_release release;
      ready = future.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready;
    }
    try {
      const std::size_t d = done.load();
      if (!progress.is_none() && d != reported && total.load() > 0) {
        reported = d;
        progress(d, total.load());
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (...) {
      cancel = true;
      {
        py::gil_scoped_release release;
        future.wait();
      }
      throw;
    }
    if (ready) break;
  }
  py::gil_scoped_release release;
  return future.get();
}

// The progress hook of the library: counts, and stops the work once cancelled.
std::function<void(std::size_t, std::size_t)> counting_hook(std::atomic<bool>& cancel, std::atomic<std::size_t>& done,
                                                            std::atomic<std::size_t>& total) {
  return [&cancel, &done, &total](std::size_t d, std::size_t t) {
    done = d;
    total = t;
    if (cancel) throw Cancelled();
  };
}

struct ScenarioInput {
  std::string path;  // a scenario file, or
  std::string yaml;  // YAML text named `file`
  std::string file;
  std::vector<std::string> sets;
  ImportOptions imports;
};

Scenario load(const ScenarioInput& in, const Zoo& z) {
  if (!in.path.empty()) return load_scenario(in.path, in.sets, z, in.imports);
  return load_scenario_string(in.yaml, in.file, in.sets, z, in.imports);
}

ScenarioInput scenario_input(const std::string& path, const std::string& yaml, const std::string& file,
                             const std::vector<std::string>& sets, const py::dict& imports) {
  ScenarioInput in{path, yaml, file, sets, {}};
  for (auto [k, v] : imports) {
    const std::string key = py::str(k);
    if (key == "ds_config")
      in.imports.ds_config = v.cast<std::string>();
    else if (key == "megatron_args")
      in.imports.megatron_args = v.cast<std::string>();
    else if (key == "hostfile")
      in.imports.hostfile = v.cast<std::string>();
    else if (key == "torchtitan_config")
      in.imports.torchtitan_config = v.cast<std::string>();
    else if (key == "num_nodes")
      in.imports.num_nodes = v.cast<int>();
    else if (key == "num_gpus")
      in.imports.num_gpus = v.cast<int>();
    else
      throw py::value_error("unknown import option '" + key + "'");
  }
  return in;
}

py::dict run_step(const ScenarioInput& in, bool full, double max_events, double timeout_s, bool timeline) {
  py::gil_scoped_release release;  // one step: seconds at most; interrupt between calls
  const Zoo z = zoo();
  const Scenario s = load(in, z);
  StepOptions o;
  o.full = full;
  o.record_timeline = timeline;
  if (max_events > 0) o.max_events = static_cast<std::uint64_t>(max_events);
  o.timeout_s = timeout_s;
  const StepResult r = simulate_step(s, o);
  nlohmann::json summary = step_summary_json(r);
  add_resolved_deepspeed(s, summary);
  std::ostringstream csv;
  write_per_gpu_csv(r, csv);
  std::string trace;
  if (timeline) {
    std::ostringstream t;
    write_chrome_trace(r, t);
    trace = t.str();
  }
  py::gil_scoped_acquire acquire;
  py::dict out;
  out["json"] = dump(summary);
  out["per_gpu_csv"] = csv.str();
  out["warnings"] = r.warnings;
  out["imports"] = s.imports.warnings;
  out["trace"] = trace;
  return out;
}

std::string mem(const ScenarioInput& in) {
  py::gil_scoped_release release;
  const Zoo z = zoo();
  const Scenario s = load(in, z);
  nlohmann::json summary = memory_json(s, compute_memory(s));
  add_resolved_deepspeed(s, summary);
  return dump(summary);
}

std::string explain_zero(const ZeroRequest& r) {
  py::gil_scoped_release release;
  const ZeroAnswer a = explain_zero_request(r, zoo());
  return dump(zero_to_json(a.explanation, a.render));
}

std::string collective(const std::string& cluster, const CollectiveTableRequest& r) {
  py::gil_scoped_release release;
  return dump(collective_json(collective_table(collective_cluster(cluster, zoo()), r)));
}

py::dict sweep(const std::string& path, const std::string& yaml, const std::string& file, int threads, int top,
               const py::object& progress) {
  std::atomic<bool> cancel{false};
  std::atomic<std::size_t> done{0}, total{0};
  auto work = [&]() {
    const SweepSpec spec = path.empty() ? load_sweep_string(yaml, file) : load_sweep_file(path);
    SweepRunOptions o;
    o.threads = worker_threads(threads);
    o.progress = counting_hook(cancel, done, total);
    const SweepRun run = run_sweep(spec, zoo(), o);
    return std::make_pair(csv_text(run.table),
                          dump(sweep_report_json(run.table, static_cast<std::size_t>(top), run.skipped)));
  };
  auto [csv, report] = interruptible(work, cancel, done, total, progress);
  py::dict out;
  out["csv"] = csv;
  out["report"] = report;
  return out;
}

std::string validate(const std::vector<std::string>& runs, int threads, const std::string& filter,
                     const py::object& progress) {
  std::atomic<bool> cancel{false};
  std::atomic<std::size_t> done{0}, total{0};
  auto work = [&]() {
    const Zoo z = zoo();
    std::vector<std::string> files = runs;
    if (files.empty())
      files.push_back((z.root() / "data" / "reference" / "calibration_runs.csv").lexically_normal().string());
    std::vector<RunsTable> tables;
    for (const std::string& f : files) tables.push_back(read_runs_csv(f));
    ValidateOptions o;
    o.threads = worker_threads(threads);
    o.filter = filter;
    o.progress = counting_hook(cancel, done, total);
    return dump(validation_json(validate_runs(tables, z, o)));
  };
  return interruptible(work, cancel, done, total, progress);
}

std::string advise_plan(const ScenarioInput& in, int threads, std::size_t top, int max_changes, std::size_t beam) {
  py::gil_scoped_release release;  // not interruptible: the beam search has no progress hook
  const Zoo z = zoo();
  auto factory = [&](const std::vector<std::string>& overrides) {
    ScenarioInput one = in;
    one.sets.insert(one.sets.end(), overrides.begin(), overrides.end());
    return load(one, z);
  };
  AdviseOptions o;
  o.threads = worker_threads(threads);
  o.max_suggestions = top;
  o.max_changed_keys = max_changes;
  o.beam_width = beam;
  return dump(advice_json(advise(factory, o)));
}

// `trainsim compare FILE --json`: each candidate's best plan, time, cost,
// energy and goodput (sim/buy). Releases the GIL; no progress hook is wired.
std::string compare_clusters(const std::string& path, int threads) {
  py::gil_scoped_release release;
  CompareOptions o;
  o.threads = worker_threads(threads);
  return dump(compare_json(run_compare(load_compare_file(path), zoo(), o)));
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "trainsim's C++ library (use the trainsim package, not this module)";
  static py::exception<ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<SimulationError> simulation_error(m, "SimulationError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      config_error(e.what());
    } catch (const EventLimitExceeded& e) {
      simulation_error((std::string(e.what()) + " (raise max_events)").c_str());
    } catch (const WallTimeExceeded& e) {
      simulation_error((std::string(e.what()) + " (raise timeout)").c_str());
    } catch (const SimulationError& e) {
      simulation_error(e.what());
    }
  });
  m.def("set_package_data_dirs", [](std::vector<std::string> dirs) { package_data_dirs = std::move(dirs); });
  m.def("data_dir", []() { return zoo().root().string(); });
  py::class_<ScenarioInput>(m, "ScenarioInput");
  m.def("scenario_input", &scenario_input, py::arg("path"), py::arg("yaml"), py::arg("file"), py::arg("sets"),
        py::arg("imports"));
  m.def("run", &run_step, py::arg("scenario"), py::arg("full"), py::arg("max_events"), py::arg("timeout_s"),
        py::arg("timeline"));
  m.def("mem", &mem, py::arg("scenario"));
  m.def("explain_zero", [](std::string model, std::string params, std::string gpus, std::string convention,
                           std::string gpu, std::string cluster, int grad_accum, std::string precision, int seq_len,
                           int micro_batch, std::string recompute) {
    return explain_zero(
        {model, params, gpus, convention, gpu, cluster, grad_accum, precision, seq_len, micro_batch, recompute});
  });
  m.def("collective", [](std::string cluster, std::string op, int gpus, int nodes, std::string min, std::string max,
                         std::string algo, std::string proto, int concurrent) {
    return collective(cluster, {op, gpus, nodes, min, max, algo, proto, concurrent});
  });
  m.def("sweep", &sweep, py::arg("path"), py::arg("yaml"), py::arg("file"), py::arg("threads"), py::arg("top"),
        py::arg("progress"));
  m.def("validate", &validate, py::arg("runs"), py::arg("threads"), py::arg("filter"), py::arg("progress"));
  m.def("advise", &advise_plan, py::arg("scenario"), py::arg("threads"), py::arg("top"), py::arg("max_changes"),
        py::arg("beam"));
  m.def("compare", &compare_clusters, py::arg("path"), py::arg("threads"));
}
