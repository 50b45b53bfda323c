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
#include "analysis/migration_history.h"
#include "analysis/schema_model.h"
#include "server/cli/commands.h"
#include "server/cli/input_files.h"
#include "server/config/config.h"
#include "server/report/trace_report.h"
#include "trace/catalog_sql.h"
#include "trace/container_cli.h"
#include "trace/docker_cluster.h"
#include "trace/image_reference.h"
#include "trace/local_cluster.h"
#include "trace/migration_folder.h"
#include "trace/merge.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/schema_reader.h"
#include "trace/signal_guard.h"
#include "trace/template_database.h"
#include "trace/trace_role.h"
#include "trace/tracer.h"
#include "trace/warm_cluster.h"

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

// Migrations in the same folder that sort before `file` and are not traced themselves.
std::vector<fs::path> untraced_preceding(const fs::path& file, const std::vector<InputFile>& traced) {
  std::vector<fs::path> out = trace::preceding_migrations(file);
  std::error_code ec;
  std::erase_if(out, [&](const fs::path& p) {
    return std::any_of(traced.begin(), traced.end(), [&](const InputFile& t) {
      return fs::weakly_canonical(t.path, ec) == fs::weakly_canonical(p, ec);
    });
  });
  return out;
}

// Trace databases of lockward processes that died without dropping theirs (SIGKILL): the
// shared cluster outlives them.
void drop_abandoned_databases(trace::PgConnection& admin) {
  trace::QueryResult dbs = admin.exec("SELECT datname FROM pg_catalog.pg_database "
                                      "WHERE datname OPERATOR(pg_catalog.~~) 'lockward\\_trace\\_%'");
  for (std::size_t i = 0; dbs.ok() && i < dbs.rows.size(); ++i) {
    std::string name = dbs.value(i, 0);
    pid_t owner = static_cast<pid_t>(std::atol(name.substr(std::string("lockward_trace_").size()).c_str()));
    if (!trace::process_alive(owner)) admin.exec("DROP DATABASE IF EXISTS " + name);
  }
}

constexpr std::int64_t kMaxKeepWarmSeconds = 365LL * 24 * 3600;

// --keep-warm: seconds ("300") or a duration ("30s", "5m", "5min", "2h", "1d"). The number is
// read as an integer and bounded before any multiplication, so no value overflows.
std::optional<std::int64_t> keep_warm_seconds(std::string_view text, std::string& why) {
  why = "expected seconds or a duration such as 300, 30s or 5m, got \"" + std::string(text) + "\"";
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (end == text.data() || text.front() == '-') return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t factor = 0;
  if (unit.empty() || unit == "s") factor = 1;
  else if (unit == "m" || unit == "min") factor = 60;
  else if (unit == "h") factor = 3600;
  else if (unit == "d") factor = 86400;
  else return std::nullopt;
  if (ec == std::errc::result_out_of_range || number > kMaxKeepWarmSeconds / factor) {
    why = "at most 365 days (" + std::to_string(kMaxKeepWarmSeconds) + " seconds), got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  return number * factor;
}

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
  int pg_version = first.config.options.pg_version;
  std::string error;
  // The local and docker providers lease the shared warm cluster or container: on exit, and
  // on SIGINT/SIGTERM/SIGHUP, this process drops its database and ends the lease; the keeper
  // stops the cluster unless another lockward holds it or --keep-warm asks for longer (after
  // SIGKILL, at its next tick).
  std::string keep_warm_error;
  std::optional<std::int64_t> keep_warm = keep_warm_seconds(args.keep_warm, keep_warm_error);
  if (!keep_warm) {
    err << "lockward: --keep-warm: " << keep_warm_error << "\n";
    return kExitUsage;
  }
  const std::string trace_db = "lockward_trace_" + std::to_string(getpid());
  std::unique_ptr<trace::WarmLease> cluster;
  std::mutex cluster_mutex;
  // SIGINT/SIGTERM/SIGHUP cancel the running statement (PQcancel) before the database goes.
  std::atomic<bool> interrupted{false};
  std::unique_ptr<trace::CancelHandle> running;  // the traced session's, once connected
  auto stop_clusters = [&](bool signalled) {
    std::lock_guard<std::mutex> lock(cluster_mutex);
    if (signalled) {
      interrupted = true;
      if (running) running->cancel();
    }
    if (cluster) {
      trace::PgConnection admin(cluster->conninfo());
      admin.exec("DROP DATABASE IF EXISTS " + trace_db + (cluster->server_major() >= 13 ? " WITH (FORCE)" : ""));
      cluster->release();
    }
  };
  trace::SignalGuard guard([&] { stop_clusters(true); });
  // Every return below, error or not, ends the lease (the destructor would too, but only after
  // the guard is disarmed).
  struct StopOnExit {
    std::function<void()> stop;
    ~StopOnExit() { stop(); }
  } stop_on_exit{[&] { stop_clusters(false); }};
  std::string schema_text;
  if (args.schema) {
    std::string read_error;
    if (!read_file(*args.schema, schema_text, read_error)) {
      err << "lockward: " << *args.schema << ": " << read_error << "\n";
      return kExitUsage;
    }
  }
  std::vector<std::string> replayed;  // migrations already in the trace database
  // Who runs the traced SQL: lockward_migrator on the clusters lockward starts (unless
  // --superuser), the --dsn connection's user on a database the user hands over.
  trace::TraceIdentity identity;
  bool schema_loaded = false;
  std::string conninfo, provider_line, server_version;
  if (args.provider == "dsn") {
    conninfo = *args.dsn;
    trace::PgConnection probe(conninfo);
    if (!probe.connected()) {
      err << "lockward: cannot connect to --dsn: " << trace::scrub_credentials(probe.error()) << "\n";
      return kExitUsage;
    }
    // Only a database the user hands over as disposable, and empty unless they say otherwise.
    trace::QueryResult objects = probe.exec(
        std::string("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE ") +
        trace::kUserSchemaFilter);
    if (!objects.ok()) {
      err << "lockward: cannot inspect the --dsn database: " << objects.error->message << "\n";
      return kExitUsage;
    }
    if (objects.value(0, 0) != "0" && !args.allow_nonempty) {
      err << "lockward: the --dsn database holds " << objects.value(0, 0)
          << " relations; trace changes it, so it must be a disposable, empty database (or pass --allow-nonempty)\n";
      return kExitUsage;
    }
    trace::QueryResult version = probe.exec("SHOW server_version");
    pg_version = std::atoi(version.value(0, 0).c_str());
    server_version = version.value(0, 0);
    provider_line = "dsn (PostgreSQL " + version.value(0, 0) + ")";
  } else {
    // local or docker: a lease on the shared warm cluster of the installation or image.
    trace::WarmSpec spec;
    std::string where;
    if (args.provider == "docker") {
      const char* env_cli = std::getenv("LOCKWARD_DOCKER_CLI");
      const char* path = std::getenv("PATH");
      trace::CliChoice cli =
          trace::choose_container_cli(args.docker_cli.value_or(env_cli ? env_cli : ""), path ? path : "");
      if (!cli.path) {
        err << "lockward: " << cli.error << "\n";
        return kExitUsage;
      }
      spec.kind = trace::WarmSpec::Kind::Docker;
      spec.docker.cli = *cli.path;
      spec.docker.image = args.docker_image.value_or(trace::default_postgres_image(pg_version));
      where = "docker (" + spec.docker.image + " through " + spec.docker.cli.string() + ")";
    } else {
      trace::PgSearch search;
      if (args.pg_bin) search.pg_bin = *args.pg_bin;
      // --pg-bin alone: the installation says which version it is (the server decides below).
      if (!args.pg_bin || args.pg_version) search.major = pg_version;
      trace::PgLookup lookup = trace::find_pg_binaries(search);
      if (!lookup.binaries) {
        err << "lockward: " << lookup.error << "\n";
        return kExitUsage;
      }
      spec.binaries = *lookup.binaries;
      where = "local (" + lookup.binaries->bin_dir.string() + ")";
    }
    {
      auto lease = trace::WarmLease::acquire(spec, keeper_command(), error);
      if (lease) lease->set_keep_warm(std::chrono::seconds(*keep_warm));
      std::lock_guard<std::mutex> lock(cluster_mutex);
      cluster = std::move(lease);
    }
    if (!cluster) {
      if (spec.kind == trace::WarmSpec::Kind::Docker)
        err << "lockward: cannot start PostgreSQL in a container (" << spec.docker.image << " through "
            << spec.docker.cli.string() << "): " << trace::scrub_credentials(error) << "\n";
      else
        err << "lockward: cannot start a PostgreSQL " << pg_version << " cluster: " << trace::scrub_credentials(error)
            << "\n";
      return kExitUsage;
    }
    if (cluster->server_major() >= 10) pg_version = cluster->server_major();  // the server decides
    server_version = cluster->server_version();
    trace::PgConnection admin(cluster->conninfo());
    drop_abandoned_databases(admin);
    if (!args.superuser) {
      std::string role_error = trace::prepare_trace_role(
          admin, cluster->conninfo(),
          "the trace runs migrations as the unprivileged role " + std::string(trace::kTraceRole) +
              "; `lockward trace --superuser` runs them as a superuser, for migrations you trust",
          identity);
      if (!role_error.empty()) {
        err << "lockward: " << trace::scrub_credentials(role_error) << "\n";
        return kExitUsage;
      }
    }
    // --schema and the migrations before the first traced file, replayed once into a template
    // that later runs on this warm cluster clone.
    std::vector<trace::ReplaySource> sources;
    if (args.schema) sources.push_back({fs::path(*args.schema).filename().string(), schema_text});
    std::vector<std::string> in_template;
    if (!inputs.empty()) {
      for (const fs::path& before : untraced_preceding(inputs[0].path, inputs)) {
        std::string text, read_error;
        if (!read_file(before.string(), text, read_error)) continue;
        sources.push_back({before.filename().string(), std::move(text)});
        in_template.push_back(before.string());
      }
    }
    trace::TemplateResult tpl = trace::ensure_template(
        admin, [&](const std::string& db) { return cluster->conninfo(db); }, pg_version, sources, identity);
    if (tpl.name.empty()) {
      err << "lockward: " << tpl.error << "\n";
      return kExitUsage;
    }
    replayed = in_template;
    schema_loaded = true;
    trace::QueryResult created =
        admin.exec("CREATE DATABASE " + trace_db + " TEMPLATE " + tpl.name + identity.owner_clause());
    if (!created.ok()) {
      err << "lockward: cannot create the trace database: " << created.error->message << "\n";
      return kExitUsage;
    }
    conninfo = identity.conninfo(cluster->conninfo(trace_db));
    std::ostringstream line;
    const char* what = spec.kind == trace::WarmSpec::Kind::Docker ? "container" : "cluster";
    line << where << ", PostgreSQL " << server_version << ", "
         << (cluster->started() ? std::string(what) + " started" : std::string("warm ") + what + " reused") << " in "
         << std::fixed << std::setprecision(2) << cluster->startup_seconds() << " s, replay "
         << (tpl.built ? "template built" : "template reused");
    provider_line = line.str();
  }
  trace::PgConnection session(conninfo);
  trace::PgConnection observer(conninfo);
  if (!session.connected() || !observer.connected()) {
    err << "lockward: cannot connect to the trace database: " << trace::scrub_credentials(session.error() + observer.error())
        << "\n";
    return kExitUsage;
  }
  {
    std::lock_guard<std::mutex> lock(cluster_mutex);
    running = std::make_unique<trace::CancelHandle>(session);
  }
  if (args.schema && !schema_loaded) {
    if (std::string e = trace::replay_migration(session, schema_text, &identity); !e.empty()) {
      err << "lockward: loading --schema " << *args.schema << ": " << e << "\n";
      return kExitUsage;
    }
  }

  trace::TraceOptions options;
  options.continue_on_error = args.continue_on_error;
  options.cancelled = [&] { return interrupted.load(); };
  options.identity = &identity;
  TraceReport report;
  report.pg_version = pg_version;
  report.max_risk = first.config.max_risk;
  bool fail = false;
  auto write_report = [&] {
    report.coverage.provider = provider_line;
    report.coverage.server_version = server_version;
    report.coverage.lifetime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    write_trace_report(args.format, report, out);
  };
  // The schema the replayed migrations built, as `check` knows it from the history: the
  // predictions resolve their objects with it (and with the snapshot read from the replay).
  analysis::SchemaModel history;
  analysis::SchemaModel::Place history_place = 0;
  std::vector<std::string> in_history;
  analysis::Options history_options = first.config.options;
  history_options.pg_version = pg_version;
  if (args.schema) history.apply_unknown(history_place++);  // --schema: never claim an object absent
  for (const InputFile& input : inputs) {
    for (const fs::path& before : untraced_preceding(input.path, inputs)) {
      if (std::find(in_history.begin(), in_history.end(), before.string()) != in_history.end()) continue;
      std::string text, read_error;
      if (!read_file(before.string(), text, read_error)) continue;
      in_history.push_back(before.string());
      analysis::apply_migration(history, text, history_place++, before.filename().string(), history_options);
    }
    for (const fs::path& before : untraced_preceding(input.path, inputs)) {
      if (std::find(replayed.begin(), replayed.end(), before.string()) != replayed.end()) continue;
      std::string text, read_error;
      if (!read_file(before.string(), text, read_error)) continue;
      replayed.push_back(before.string());
      if (std::string e = trace::replay_migration(session, text, &identity); !e.empty())
        err << "lockward: replaying " << before.string() << ": " << e << "\n";
    }
    TraceFileReport file;
    file.path = input.path;
    std::string read_error;
    if (!read_file(input.path, file.text, read_error)) {
      err << "lockward: " << input.path << ": " << read_error << "\n";
      return kExitUsage;
    }
    ConfigResult config = resolve_config(input.path, overrides);
    config.config.options.pg_version = pg_version;  // the server's version decides
    // Without a snapshot of their own, predictions see the schema the replay built, as a user
    // with `lockward snapshot` would: the old type of an ALTER COLUMN TYPE decides a rewrite.
    analysis::SchemaSnapshot live;
    if (!config.config.options.snapshot && trace::read_schema_snapshot(session, live).empty())
      config.config.options.snapshot = &live;
    config.config.options.schema = &history;
    config.config.options.schema_place = history_place;
    file.analysis = analysis::analyze(file.text, config.config.options);
    file.trace = trace::trace_file(session, observer, file.text, file.analysis, options);
    in_history.push_back(input.path);
    analysis::apply_migration(history, file.text, history_place++, fs::path(input.path).filename().string(),
                              history_options);
    if (file.trace.cancelled) {
      err << "lockward: " << input.path << ": trace interrupted\n";  // the signal's clean-up ends the process
      return kExitUsage;
    }
    if (!file.trace.fatal_error.empty()) {
      err << "lockward: " << input.path << ": " << file.trace.fatal_error << "\n";
      if (!report.files.empty()) write_report();  // the files traced before it still count
      return kExitUsage;
    }
    file.merged = trace::merge_trace(file.analysis, file.trace);
    const trace::MergedFile& merged = file.merged;
    if (merged.mismatches > 0 || merged.error_count > 0 || merged.max_risk > first.config.max_risk) fail = true;
    add_to_coverage(report.coverage, file);
    report.files.push_back(std::move(file));
  }
  write_report();
  return args.ci && fail ? kExitFindings : kExitClean;
}

}  // namespace lockward::server
