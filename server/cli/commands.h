// The CLI subcommands. Each returns the process exit code: 0 clean, 1 findings above the
// threshold (with --ci), 2 usage or I/O error.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace lockward::server {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct CheckArgs {
  std::vector<std::string> paths;
  std::optional<int> pg_version;
  std::string format = "text";
  bool ci = false;
  std::optional<std::string> max_risk;
  std::optional<bool> fail_on_unknown;  // --fail-on-unknown: --ci fails on an UNKNOWN finding
  std::optional<std::string> config_path;
  std::optional<std::string> stats_file;
  std::optional<std::string> snapshot_file;
  std::optional<std::string> migration_tool;
  std::optional<bool> assume_in_transaction;
  std::optional<bool> color;  // nullopt: auto (TTY and NO_COLOR)
  std::optional<unsigned> jobs;  // threads, the caller's included; nullopt: one per core
  bool no_history = false;       // do not read the migrations before each file
  std::optional<std::string> changed_since;  // report only files that differ from this git ref
  // `-` among the paths reads standard input; this names it in reports, and its folder gives
  // the configuration, the migration set and the history ("<stdin>" and the current folder's
  // configuration, no history, without it).
  std::optional<std::string> stdin_filename;
};
int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err);

struct ExplainArgs {
  std::string sql;  // empty: read stdin
  std::optional<int> pg_version;
};
int run_explain(const ExplainArgs& args, std::istream& in, std::ostream& out, std::ostream& err);

int run_rules(std::ostream& out);

struct TraceArgs {
  std::vector<std::string> paths;
  std::optional<int> pg_version;
  std::optional<std::string> pg_bin;
  std::string provider = "local";
  std::string format = "text";  // text, json, sarif, github or gitlab
  bool ci = false;
  std::optional<std::string> max_risk;
  std::optional<std::string> config_path;
  std::optional<std::string> migration_tool;
  std::optional<bool> assume_in_transaction;
  bool continue_on_error = false;
  std::optional<std::string> dsn;        // --provider dsn: a disposable database
  bool allow_nonempty = false;
  std::optional<std::string> schema;     // SQL loaded before the migrations (pg_dump --schema-only)
  std::optional<std::string> docker_image;  // --provider docker: default postgres:<major>-alpine
  std::optional<std::string> docker_cli;    // --provider docker: docker, podman or a path
  std::string keep_warm = "0";              // --provider local: how long the shared cluster stays warm after
  bool superuser = false;                   // run the traced SQL as a superuser, not lockward_migrator
};
int run_trace(const TraceArgs& args, std::ostream& out, std::ostream& err);

struct VerifyRulesArgs {
  std::vector<std::string> pg_bins;  // empty: every installation found
  std::string only;                  // a single row id
};
// `lockward pg keep-warm` (internal: the process that owns a shared warm cluster) and
// `lockward pg stop` (stops every warm cluster of this user).
struct KeeperArgs {
  std::string pg_bin;        // a local installation, or
  std::string docker_image;  // an image through
  std::string docker_cli;    // this container CLI
  std::string state_dir;
  int ready_fd = -1;
};
int run_pg_keep_warm(const KeeperArgs& args, std::ostream& err);
int run_pg_stop(std::ostream& out);
// How `pg keep-warm` is run from this binary: for trace::WarmLease::acquire.
std::vector<std::string> keeper_command();

int run_verify_rules(const VerifyRulesArgs& args, std::ostream& out, std::ostream& err);

struct SnapshotArgs {
  std::string db_url;
  std::string output;  // "-" or empty: stdout
};
int run_snapshot(const SnapshotArgs& args, std::ostream& out, std::ostream& err);

int run_pg_install(int major, std::ostream& out, std::ostream& err);
int run_pg_list(std::ostream& out);

}  // namespace lockward::server
