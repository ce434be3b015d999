// trainsim: the command line. Parses arguments, calls the library, prints.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli_common.hpp"
#include "sim/core/error.hpp"

int main(int argc, char** argv) {
  using namespace trainsim::cli;
  // Logs and warnings go to stderr; SPDLOG_LEVEL=debug (or net=debug) tunes them.
  spdlog::set_default_logger(spdlog::stderr_color_mt("trainsim"));
  spdlog::cfg::load_env_levels();

  CLI::App app{"trainsim: discrete-event simulator of large-model training on GPU clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trainsim 0.1.0");
  add_run_command(app);
  add_mem_command(app);
  add_explain_command(app);
  add_help_command(app);
  add_collective_command(app);
  add_validate_command(app);
  add_sweep_command(app);
  add_advise_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  } catch (const trainsim::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OomExit& e) {
    std::cerr << "out of memory: " << e.what() << "\n";
    return kExitOom;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}
