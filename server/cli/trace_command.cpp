// `lockward trace`: run migrations in a throwaway PostgreSQL and verify every prediction.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>

#include "analysis/analyze.h"
#include "analysis/migration_set.h"
#include "server/cli/commands.h"
#include "server/cli/input_files.h"
#include "server/config/config.h"
#include "server/report/trace_report.h"
#include "trace/image_reference.h"
#include "trace/migration_folder.h"
#include "server/migrations/migration_set.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/session.h"
#include "trace/signal_guard.h"

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

// The up parts its tool runs before `file` (server/migrations), except the files traced
// themselves: {path, text}.
std::vector<std::pair<std::string, std::string>> untraced_preceding(MigrationSets& sets, const fs::path& file,
                                                                   const std::string& tool,
                                                                   const std::vector<InputFile>& traced) {
  std::shared_ptr<const MigrationSet> set = sets.of(file, tool);
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto& [rel, text] : set->history_before(file)) {
    const fs::path p = set->root() / rel;
    const bool is_traced = std::any_of(traced.begin(), traced.end(), [&](const InputFile& t) {
      return fs::weakly_canonical(t.path, ec) == fs::weakly_canonical(p, ec);
    });
    if (!is_traced) out.push_back({p.string(), std::move(text)});
  }
  return out;
}

// Traced files in their tools' order; a down migration (a rollback) is not deployed, so not
// traced: said on `err`.
void order_for_trace(MigrationSets& sets, std::vector<InputFile>& inputs, const std::string& tool, std::ostream& err) {
  struct Keyed {
    InputFile input;
    std::size_t root;  // the sets in the order they first appear
    std::size_t index;
  };
  std::vector<std::string> roots;
  std::vector<Keyed> keyed;
  for (InputFile& in : inputs) {
    std::shared_ptr<const MigrationSet> set = sets.of(in.path, tool);
    const MigrationSet::Place place = set->place(in.path);
    if (place.member && place.down_file) {
      err << "lockward: " << in.path << ": a down migration (" << set->tool().tool
          << "'s rollback) is not traced\n";
      continue;
    }
    auto root = std::find(roots.begin(), roots.end(), set->root().string());
    if (root == roots.end()) root = roots.insert(roots.end(), set->root().string());
    keyed.push_back({std::move(in), static_cast<std::size_t>(root - roots.begin()), place.member ? place.index : 0});
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.root != b.root ? a.root < b.root : a.index < b.index;
  });
  inputs.clear();
  for (Keyed& k : keyed) inputs.push_back(std::move(k.input));
}

// A progress line on stderr when it is a terminal: rewritten in place, cleared at the end.
class ProgressLine {
 public:
  explicit ProgressLine(std::ostream& err) : err_(err), on_(&err == &std::cerr && isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { clear(); }
  void show(const trace::Progress& p) {
    if (!on_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    err_ << "\r\033[K" << "lockward: " << (file_.empty() ? "" : file_ + ": ") << p.message << std::flush;
    shown_ = true;
  }
  void set_file(std::string file) {
    std::lock_guard<std::mutex> lock(mutex_);
    file_ = std::move(file);
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shown_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  std::ostream& err_;
  bool on_;
  bool shown_ = false;
  std::string file_;
  std::mutex mutex_;
};

}  // namespace

int run_trace(const TraceArgs& args, std::ostream& out, std::ostream& err) {
  auto started = std::chrono::steady_clock::now();
  ConfigOverrides overrides;
  overrides.config_path = args.config_path;
  overrides.pg_version = args.pg_version;
  overrides.max_risk = args.max_risk;
  overrides.migration_tool = args.migration_tool;
  overrides.assume_in_transaction = args.assume_in_transaction;

  std::vector<InputFile> inputs = collect_input_files(args.paths);
  for (const auto& in : inputs) {
    if (!in.error.empty()) {
      // An unquoted --dsn leaves its `password=…` among the paths.
      err << "lockward: " << trace::scrub_credentials(in.path + ": " + in.error) << "\n";
      return kExitUsage;
    }
  }
  // Each file's migration set: its tool's order, the up parts replayed before it.
  MigrationSets sets;
  const std::string configured_tool =
      inputs.empty() ? std::string() : resolve_config(inputs[0].path, overrides).config.options.migration_tool;
  order_for_trace(sets, inputs, configured_tool, err);
  if (args.provider != "docker" && (args.docker_image || args.docker_cli)) {
    err << "lockward: --docker-image and --docker-cli go with --provider docker\n";
    return kExitUsage;
  }
  if (args.docker_image) {
    if (std::string why = trace::image_reference_error(*args.docker_image); !why.empty()) {
      err << "lockward: --docker-image: " << why << "\n";
      return kExitUsage;
    }
  }
  if (args.provider == "dsn" && !args.dsn) {
    err << "lockward: --provider dsn needs --dsn URL (a disposable database)\n";
    return kExitUsage;
  }
  if (args.provider == "dsn" && args.superuser) {
    err << "lockward: --superuser goes with --provider local or docker; with --provider dsn the traced SQL runs as "
           "the user of the --dsn connection\n";
    return kExitUsage;
  }
  ConfigResult first = resolve_config(inputs.empty() ? fs::current_path() : fs::path(inputs[0].path), overrides);
  if (!first.ok()) {
    for (const auto& e : first.errors) err << "lockward: " << e << "\n";
    return kExitUsage;
  }
  // The local and docker providers lease the shared warm cluster or container: on exit, and
  // on SIGINT/SIGTERM/SIGHUP, this process drops its database and ends the lease; the keeper
  // stops the cluster unless another lockward holds it or --keep-warm asks for longer (after
  // SIGKILL, at its next tick).
  std::string keep_warm_error;
  std::optional<std::chrono::seconds> keep_warm = trace::parse_keep_warm(args.keep_warm, keep_warm_error);
  if (!keep_warm) {
    err << "lockward: --keep-warm: " << keep_warm_error << "\n";
    return kExitUsage;
  }
  std::string schema_text;
  if (args.schema) {
    std::string read_error;
    if (!read_file(*args.schema, schema_text, read_error)) {
      err << "lockward: " << *args.schema << ": " << read_error << "\n";
      return kExitUsage;
    }
  }
  trace::SessionSettings settings;
  settings.provider = args.provider;
  settings.pg_version = first.config.options.pg_version;
  // --pg-bin alone: the installation says which version it is (the server decides below).
  settings.version_from_installation = args.pg_bin && !args.pg_version;
  if (args.pg_bin) settings.pg_bin = *args.pg_bin;
  settings.docker_image = args.docker_image;
  settings.docker_cli = args.docker_cli;
  settings.dsn = args.dsn;
  settings.allow_nonempty = args.allow_nonempty;
  settings.superuser = args.superuser;
  settings.superuser_hint = "`lockward trace --superuser`";
  settings.keep_warm = *keep_warm;
  settings.keeper_command = keeper_command();
  settings.trace.continue_on_error = args.continue_on_error;

  // SIGINT/SIGTERM/SIGHUP cancel the running statement (PQcancel), drop the database and end
  // the lease; a cluster still starting is stopped by its keeper, which finds nobody waiting.
  std::atomic<bool> interrupted{false};
  std::mutex session_mutex;
  std::unique_ptr<trace::TraceSession> session;
  trace::SignalGuard guard([&] {
    interrupted = true;
    std::lock_guard<std::mutex> lock(session_mutex);
    if (session) session->abandon();
  });
  // Every return below, error or not, drops the database and ends the lease before the guard
  // is disarmed.
  struct StopOnExit {
    std::function<void()> stop;
    ~StopOnExit() { stop(); }
  } stop_on_exit{[&] {
    std::lock_guard<std::mutex> lock(session_mutex);
    session.reset();
  }};
  ProgressLine progress_line(err);
  trace::Hooks hooks;
  hooks.cancelled = [&] { return interrupted.load(); };
  hooks.progress = [&](const trace::Progress& p) { progress_line.show(p); };
  {
    std::string error;
    auto opened = trace::TraceSession::open(settings, hooks, error);
    if (!opened) {
      progress_line.clear();
      if (interrupted) return kExitUsage;  // the signal's clean-up ends the process
      err << "lockward: " << trace::scrub_credentials(error) << "\n";
      return kExitUsage;
    }
    std::lock_guard<std::mutex> lock(session_mutex);
    session = std::move(opened);
  }
  const int pg_version = session->server().major;
  // --schema and the migrations before the first traced file: the session's replay (a template
  // that later runs on this warm cluster clone; replayed in place into a --dsn database).
  std::vector<trace::ReplaySource> sources;
  std::vector<std::string> replayed;  // migrations already in the trace database
  if (args.schema) sources.push_back({fs::path(*args.schema).filename().string(), schema_text, true});
  if (!inputs.empty()) {
    for (auto& [before, text] : untraced_preceding(sets, inputs[0].path, configured_tool, inputs)) {
      sources.push_back({fs::path(before).filename().string(), std::move(text)});
      replayed.push_back(before);
    }
  }
  if (std::string e = session->begin(sources); !e.empty() || interrupted) {
    progress_line.clear();
    if (!interrupted) err << "lockward: " << trace::scrub_credentials(e) << "\n";
    return kExitUsage;
  }
  std::string provider_line = session->server().provider;
  if (args.provider != "dsn")
    provider_line += std::string(", replay ") + (session->template_built() ? "template built" : "template reused");

  TraceReport report;
  report.pg_version = pg_version;
  report.max_risk = first.config.max_risk;
  bool fail = false;
  auto write_report = [&] {
    progress_line.clear();
    report.coverage.provider = provider_line;
    report.coverage.server_version = session->server().version;
    report.coverage.lifetime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    write_trace_report(args.format, report, out);
  };
  for (const InputFile& input : inputs) {
    progress_line.set_file(fs::path(input.path).filename().string());
    for (auto& [before, text] : untraced_preceding(sets, input.path, configured_tool, inputs)) {
      if (std::find(replayed.begin(), replayed.end(), before) != replayed.end()) continue;
      replayed.push_back(before);
      if (std::string e = session->replay({fs::path(before).filename().string(), text}); !e.empty()) {
        progress_line.clear();
        err << "lockward: replaying " << before << ": " << e << "\n";
      }
    }
    TraceFileReport file;
    file.path = input.path;
    std::string read_error;
    if (!read_file(input.path, file.text, read_error)) {
      progress_line.clear();
      err << "lockward: " << input.path << ": " << read_error << "\n";
      return kExitUsage;
    }
    ConfigResult config = resolve_config(input.path, overrides);
    {  // its tool's transaction default, and its up part only (a down section is not deployed)
      std::shared_ptr<const MigrationSet> set = sets.of(input.path, config.config.options.migration_tool);
      config.config.options = options_in_set(config.config.options, *set, set->place(input.path));
      file.migration = {set->tool().tool, set->tool().reason, set->place_note(set->place(input.path)), "up"};
      file.text = analysis::part_text(config.config.options.migration_tool, file.text, analysis::Part::Up);
    }
    // Predicted with the session's history model: the replayed migrations and the files traced before.
    trace::FileRun run = session->run(file.text, config.config.options, fs::path(input.path).filename().string());
    file.analysis = std::move(run.analysis);
    file.trace = std::move(run.trace);
    if (file.trace.cancelled) {
      progress_line.clear();
      err << "lockward: " << input.path << ": trace interrupted\n";  // the signal's clean-up ends the process
      return kExitUsage;
    }
    if (!file.trace.fatal_error.empty()) {
      progress_line.clear();
      err << "lockward: " << input.path << ": " << file.trace.fatal_error << "\n";
      if (!report.files.empty()) write_report();  // the files traced before it still count
      return kExitUsage;
    }
    file.merged = std::move(run.merged);
    const trace::MergedFile& merged = file.merged;
    if (merged.mismatches > 0 || merged.error_count > 0 || merged.max_risk > first.config.max_risk) fail = true;
    add_to_coverage(report.coverage, file);
    report.files.push_back(std::move(file));
  }
  write_report();
  return args.ci && fail ? kExitFindings : kExitClean;
}

}  // namespace lockward::server
