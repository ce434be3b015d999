// trainsim: the command line. Parses arguments, calls the library, prints.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "cli_common.hpp"
#include "sim/core/error.hpp"

namespace {

// The error as the message on stderr and, when the command line asked for
// --json, also as one JSON document on stdout (docs/usage.md "Errors"), so a
// script reading stdout sees what failed. Returns `status`.
int fail(bool json, int status, const char* kind, const std::string& message, const char* prefix) {
  std::cerr << prefix << message << "\n";
  if (json) std::cout << trainsim::cli::json_text(trainsim::cli::error_json(status, kind, message)) << "\n";
  return status;
}

// Standard output flushed; a write that failed (a full disk, a closed pipe,
// /dev/full) turns a success into exit 2 with a message, so a script never
// takes a truncated result for a whole one (docs/design.md §3, exit statuses).
int finish(int status) {
  std::cout.flush();
  const bool cout_failed = !std::cout.good();
  errno = 0;
  const bool stdio_failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!cout_failed && !stdio_failed) return status;
  const int err = errno;
  std::cerr << "error: cannot write the output to standard output"
            << (err ? std::string(": ") + std::strerror(err) : "") << " (the result is incomplete)\n";
  return status == trainsim::cli::kExitOk ? trainsim::cli::kExitBadInput : status;
}

int run_cli(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) { return finish(run_cli(argc, argv)); }

namespace {

int run_cli(int argc, char** argv) {
  using namespace trainsim::cli;
  // Logs and warnings go to stderr; SPDLOG_LEVEL=debug (or net=debug) tunes them.
  spdlog::set_default_logger(spdlog::stderr_color_mt("trainsim"));
  spdlog::cfg::load_env_levels();
  const CommandLineFlags flags = scan_flags(argc, argv);
  if (flags.quiet) spdlog::set_level(spdlog::level::err);  // --quiet: the result and errors only

  CLI::App app{"trainsim: discrete-event simulator of large-model training on GPU clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trainsim 0.1.0");
  bool quiet_flag = false;  // acted on by scan_flags above; declared so CLI11 accepts and documents it
  app.add_flag("-q,--quiet", quiet_flag,
               "no progress or information on stderr: only the result, warnings dropped, errors kept");
  app.fallthrough();  // --quiet after the subcommand too
  add_run_command(app);
  add_mem_command(app);
  add_explain_command(app);
  add_help_command(app);
  add_collective_command(app);
  add_validate_command(app);
  add_sweep_command(app);
  add_advise_command(app);
  add_compare_command(app);
  add_info_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0 || !flags.json) {
      int code = app.exit(e);
      return code == 0 ? kExitOk : kExitBadInput;
    }
    return fail(true, kExitBadInput, "bad_input", e.what(), "error: ");
  } catch (const trainsim::ConfigError& e) {
    return fail(flags.json, kExitBadInput, "bad_input", e.what(), "error: ");
  } catch (const UsageError& e) {
    return fail(flags.json, kExitBadInput, "bad_input", e.what(), "error: ");
  } catch (const OomExit& e) {
    // The summary (fits: false) is already the one JSON document on stdout.
    return fail(false, kExitOom, "out_of_memory", e.what(), "out of memory: ");
  } catch (const std::exception& e) {
    return fail(flags.json, kExitInternal, "internal", e.what(), "internal error: ");
  }
  return kExitOk;
}

}  // namespace
