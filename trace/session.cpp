#include "trace/session.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <iomanip>
#include <set>
#include <sstream>

#include "analysis/analyze.h"
#include "analysis/migration_history.h"
#include "trace/catalog_sql.h"
#include "trace/container_cli.h"
#include "trace/docker_cluster.h"
#include "trace/image_reference.h"
#include "trace/local_cluster.h"
#include "trace/migration_folder.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/schema_compare.h"
#include "trace/schema_reader.h"
#include "trace/warm_cluster.h"

namespace lockward::trace {
namespace fs = std::filesystem;

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::FindingServer: return "finding-server";
    case Phase::StartingServer: return "starting-server";
    case Phase::PreparingRole: return "preparing-role";
    case Phase::BuildingTemplate: return "building-template";
    case Phase::Cloning: return "cloning";
    case Phase::Replaying: return "replaying";
    case Phase::Statement: return "statement";
  }
  return "unknown";
}

namespace {

constexpr std::int64_t kMaxKeepWarmSeconds = 365LL * 24 * 3600;
constexpr std::string_view kTracePrefix = "lockward_trace_";
constexpr std::string_view kFormerEditorPrefix = "lockward_t";  // then a digit

// Digits at the start of `text`, moved past; nullopt when there are none.
std::optional<long> take_number(std::string_view& text) {
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end == text.data() || ec != std::errc() || value <= 0) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Trace databases of lockward processes that died without dropping theirs (SIGKILL): the
// shared cluster outlives them.
void drop_abandoned_databases(PgConnection& admin) {
  QueryResult dbs = admin.exec("SELECT datname FROM pg_catalog.pg_database "
                               "WHERE datname OPERATOR(pg_catalog.~~) 'lockward\\_t%'");
  for (std::size_t i = 0; dbs.ok() && i < dbs.rows.size(); ++i) {
    std::string name = dbs.value(i, 0);
    std::optional<pid_t> owner = trace_database_owner(name);
    if (owner && *owner != getpid() && !process_alive(*owner)) admin.exec("DROP DATABASE IF EXISTS " + quote_identifier(name));
  }
}

std::vector<std::string> docker_extra_args(const SessionSettings& settings) {
  if (!settings.docker_extra_args.empty()) return settings.docker_extra_args;
  const char* extra = std::getenv("LOCKWARD_DOCKER_ARGS");
  return split_extra_args(extra ? extra : "");
}

// local and docker: a lease on the shared warm cluster of an installation or image; each trace
// clones a template of its replay sources.
class LeasedProvider : public Provider {
 public:
  static std::unique_ptr<Provider> open(const SessionSettings& settings, const Hooks& hooks, std::string& error) {
    auto p = std::unique_ptr<LeasedProvider>(new LeasedProvider());
    p->settings_ = settings;
    WarmSpec spec;
    std::string where;
    if (settings.provider == "docker") {
      hooks.report(Phase::FindingServer, "finding a container engine");
      const char* env_cli = std::getenv("LOCKWARD_DOCKER_CLI");
      const char* path = std::getenv("PATH");
      CliChoice cli = choose_container_cli(settings.docker_cli.value_or(env_cli ? env_cli : ""), path ? path : "");
      if (!cli.path) {
        error = cli.error;
        return nullptr;
      }
      spec.kind = WarmSpec::Kind::Docker;
      spec.docker.cli = *cli.path;
      spec.docker.image = settings.docker_image.value_or(default_postgres_image(settings.pg_version));
      spec.docker.extra_args = docker_extra_args(settings);
      where = "docker (" + spec.docker.image + " through " + spec.docker.cli.string() + ")";
    } else {
      hooks.report(Phase::FindingServer, "finding PostgreSQL " + std::to_string(settings.pg_version));
      PgSearch search;
      search.pg_bin = settings.pg_bin;
      if (!settings.version_from_installation) search.major = settings.pg_version;
      PgLookup lookup = find_pg_binaries(search);
      if (!lookup.binaries) {
        error = lookup.error;
        return nullptr;
      }
      spec.binaries = *lookup.binaries;
      where = "local (" + lookup.binaries->bin_dir.string() + ")";
    }
    if (hooks.is_cancelled()) return nullptr;
    bool docker = spec.kind == WarmSpec::Kind::Docker;
    hooks.report(Phase::StartingServer, docker ? "starting or reusing the PostgreSQL container (" + spec.docker.image + ")"
                                               : "starting or reusing a PostgreSQL " + spec.binaries.version + " cluster");
    std::string why;
    p->lease_ = WarmLease::acquire(spec, settings.keeper_command, why, hooks.cancelled);
    if (!p->lease_) {
      if (hooks.is_cancelled()) return nullptr;
      error = docker ? "cannot start PostgreSQL in a container (" + spec.docker.image + " through " +
                           spec.docker.cli.string() + "): " + scrub_credentials(why)
                     : "cannot start a PostgreSQL " + std::to_string(settings.pg_version) +
                           " cluster: " + scrub_credentials(why);
      return nullptr;
    }
    p->lease_->set_keep_warm(settings.keep_warm);
    ServerInfo& info = p->info_;
    info.major = p->lease_->server_major() >= 10 ? p->lease_->server_major() : settings.pg_version;
    info.version = p->lease_->server_version();
    info.started = p->lease_->started();
    info.startup_seconds = p->lease_->startup_seconds();
    const char* what = docker ? "container" : "cluster";
    std::ostringstream line;
    line << where << ", PostgreSQL " << info.version << ", "
         << (info.started ? std::string(what) + " started" : std::string("warm ") + what + " reused") << " in "
         << std::fixed << std::setprecision(2) << info.startup_seconds << " s";
    info.provider = line.str();
    PgConnection admin(p->lease_->conninfo());
    if (!admin.connected()) {
      error = "cannot connect to the trace cluster: " + admin.error();
      return nullptr;
    }
    drop_abandoned_databases(admin);
    return p;
  }

  ~LeasedProvider() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lease_) lease_->release();
  }

  const ServerInfo& server() const override { return info_; }

  std::string prepare(const std::string& name, const std::vector<ReplaySource>& replay, const Hooks& hooks,
                      Database& out) override {
    PgConnection admin(lease_->conninfo());
    if (!admin.connected()) return "cannot connect to the trace cluster: " + admin.error();
    out = Database{};
    if (!settings_.superuser) {
      hooks.report(Phase::PreparingRole, "preparing the role " + std::string(kTraceRole));
      std::string role_error = prepare_trace_role(
          admin, lease_->conninfo(),
          "the trace runs migrations as the unprivileged role " + std::string(kTraceRole) + "; " +
              settings_.superuser_hint + " runs them as a superuser, for migrations you trust",
          out.identity);
      if (!role_error.empty()) return scrub_credentials(role_error);
    }
    if (hooks.is_cancelled()) return "";
    std::string tpl = template_name(info_.major, replay, out.identity.role);
    if (!templates_.count(tpl)) {
      hooks.report(Phase::BuildingTemplate, replay.empty() ? std::string("preparing the empty template")
                                                           : "replaying " + std::to_string(replay.size()) +
                                                                 (replay.size() == 1 ? " earlier file" : " earlier files"));
      TemplateResult built = ensure_template(
          admin, [&](const std::string& db) { return lease_->conninfo(db); }, info_.major, replay, out.identity,
          hooks.cancelled);
      if (built.name.empty()) {
        out.name = built.leftover;  // dropped by end(), after the caller has answered
        return built.error;
      }
      out.template_built = built.built;
      templates_.insert(built.name);
    }
    if (hooks.is_cancelled()) return "";
    hooks.report(Phase::Cloning, "cloning the trace database");
    QueryResult created = admin.exec("CREATE DATABASE " + name + " TEMPLATE " + tpl + out.identity.owner_clause());
    if (!created.ok()) return "cannot create the trace database: " + created.error->message;
    out.name = name;
    out.conninfo = out.identity.conninfo(lease_->conninfo(name));
    return "";
  }

  void drop(const std::string& name) override { dropper(name)(); }

  std::function<void()> dropper(const std::string& name) override {
    return [conninfo = lease_->conninfo(), sql = "DROP DATABASE IF EXISTS " + name + (info_.major >= 13 ? " WITH (FORCE)" : "")] {
      PgConnection admin(conninfo);
      admin.exec(sql);
    };
  }

  bool alive() override {
    PgConnection admin(lease_->conninfo());
    return admin.connected() && admin.exec("SELECT 1").ok();
  }

  void abandon(const std::string& name) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!lease_) return;
    if (!name.empty()) drop(name);
    lease_->release();
  }

 private:
  LeasedProvider() = default;
  SessionSettings settings_;
  ServerInfo info_;
  std::unique_ptr<WarmLease> lease_;
  std::mutex mutex_;
  std::set<std::string> templates_;  // built or found on this cluster already
};

// dsn: a database the user handed over as disposable; the trace runs in it, as its user.
class DsnProvider : public Provider {
 public:
  static std::unique_ptr<Provider> open(const SessionSettings& settings, const Hooks& hooks, std::string& error) {
    if (!settings.dsn) {
      error = "--provider dsn needs --dsn URL (a disposable database)";
      return nullptr;
    }
    hooks.report(Phase::FindingServer, "connecting to the --dsn database");
    auto p = std::unique_ptr<DsnProvider>(new DsnProvider());
    p->settings_ = settings;
    PgConnection probe(*settings.dsn);
    if (!probe.connected()) {
      error = "cannot connect to --dsn: " + scrub_credentials(probe.error());
      return nullptr;
    }
    QueryResult version = probe.exec("SHOW server_version");
    if (!version.ok()) {
      error = "cannot read the --dsn server's version: " + version.error->message;
      return nullptr;
    }
    p->info_.version = version.value(0, 0);
    p->info_.major = std::atoi(p->info_.version.c_str());
    p->info_.provider = "dsn (PostgreSQL " + p->info_.version + ")";
    return p;
  }

  const ServerInfo& server() const override { return info_; }

  std::string prepare(const std::string&, const std::vector<ReplaySource>& replay, const Hooks& hooks,
                      Database& out) override {
    out = Database{};
    PgConnection probe(*settings_.dsn);
    if (!probe.connected()) return "cannot connect to --dsn: " + scrub_credentials(probe.error());
    // Only a database the user hands over as disposable, and empty unless they say otherwise.
    QueryResult objects = probe.exec(
        std::string("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE ") +
        kUserSchemaFilter);
    if (!objects.ok()) return "cannot inspect the --dsn database: " + objects.error->message;
    if (objects.value(0, 0) != "0" && !settings_.allow_nonempty)
      return "the --dsn database holds " + objects.value(0, 0) +
             " relations; trace changes it, so it must be a disposable, empty database (or pass --allow-nonempty)";
    out.conninfo = *settings_.dsn;
    for (const ReplaySource& source : replay) {
      if (hooks.is_cancelled()) return "";
      hooks.report(Phase::Replaying, "replaying " + source.name);
      if (std::string e = replay_migration(probe, source.text, &out.identity, hooks.cancelled); !e.empty())
        return "replaying " + source.name + ": " + e;
    }
    return "";
  }

  void drop(const std::string&) override {}  // the user's database: they decide what becomes of it
  std::function<void()> dropper(const std::string&) override { return [] {}; }
  bool alive() override {
    PgConnection probe(*settings_.dsn);
    return probe.connected();
  }
  void abandon(const std::string&) override {}

 private:
  DsnProvider() = default;
  SessionSettings settings_;
  ServerInfo info_;
};

}  // namespace

std::optional<pid_t> trace_database_owner(std::string_view name) {
  std::string_view rest;
  if (name.substr(0, kTracePrefix.size()) == kTracePrefix) {
    rest = name.substr(kTracePrefix.size());
  } else if (name.substr(0, kFormerEditorPrefix.size()) == kFormerEditorPrefix && name.size() > kFormerEditorPrefix.size() &&
             name[kFormerEditorPrefix.size()] >= '0' && name[kFormerEditorPrefix.size()] <= '9') {
    rest = name.substr(kFormerEditorPrefix.size());
  } else {
    return std::nullopt;
  }
  std::optional<long> pid = take_number(rest);
  if (!pid) return std::nullopt;
  if (!rest.empty()) {
    if (rest.front() != '_') return std::nullopt;
    rest.remove_prefix(1);
    if (!take_number(rest) || !rest.empty()) return std::nullopt;
  }
  return static_cast<pid_t>(*pid);
}

std::optional<std::chrono::seconds> parse_keep_warm(std::string_view text, std::string& why) {
  why = "expected seconds or a duration such as 300, 30s, 5m or 1h, got \"" + std::string(text) + "\"";
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (end == text.data()) return std::nullopt;
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
  return std::chrono::seconds(number * factor);
}

std::unique_ptr<TraceSession> TraceSession::open(const SessionSettings& settings, const Hooks& hooks,
                                                 std::string& error) {
  std::unique_ptr<TraceSession> s(new TraceSession());
  s->settings_ = settings;
  s->hooks_ = hooks;
  s->provider_ = settings.provider == "dsn" ? DsnProvider::open(settings, hooks, error)
                                            : LeasedProvider::open(settings, hooks, error);
  if (!s->provider_) return nullptr;
  return s;
}

TraceSession::~TraceSession() { end(); }

std::string TraceSession::begin(const std::vector<ReplaySource>& replay) {
  end();
  if (hooks_.is_cancelled()) return "";
  // One naming rule for every trace database, so that any session's clean-up recognises them.
  std::string name = std::string(kTracePrefix) + std::to_string(getpid()) + "_" + std::to_string(next_database_++);
  Provider::Database db;
  std::string error = provider_->prepare(name, replay, hooks_, db);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    database_ = db;
  }
  if (!error.empty() || hooks_.is_cancelled()) return error;
  if (!connect(error)) return error;
  // The history model of these sources: rebuilt only when they differ from the last begin()'s.
  unfolded_run_.reset();
  std::string key = template_name(server().major, replay, "");
  if (key != history_.key || history_.extended) {
    history_ = History{};
    for (const ReplaySource& source : replay) fold_into_history(source);
    history_.key = std::move(key);
    history_.extended = false;
  }
  return "";
}

void TraceSession::fold_into_history(const ReplaySource& source) {
  if (source.opaque) {  // never claim an object absent that the dump may have created
    history_.model.apply_unknown(history_.place++);
  } else {
    analysis::Options options;
    options.pg_version = server().major;
    analysis::apply_migration(history_.model, source.text, history_.place++, source.name, options);
  }
  history_.extended = true;
}

void TraceSession::fold_last_run() {
  if (!unfolded_run_) return;
  fold_into_history(*unfolded_run_);
  unfolded_run_.reset();
}

bool TraceSession::connect(std::string& error) {
  session_ = std::make_unique<PgConnection>(database_.conninfo);
  observer_ = std::make_unique<PgConnection>(database_.conninfo);
  if (!session_->connected() || !observer_->connected()) {
    error = "cannot connect to the trace database: " + scrub_credentials(session_->error() + observer_->error());
    session_.reset();
    observer_.reset();
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = std::make_unique<CancelHandle>(*session_);
  return true;
}

std::string TraceSession::replay(const ReplaySource& source) {
  if (!session_) return "no trace database";
  hooks_.report(Phase::Replaying, "replaying " + source.name);
  fold_last_run();
  fold_into_history(source);  // what it created exists, replayed or not: later files use it
  return replay_migration(*session_, source.text, &database_.identity, hooks_.cancelled);
}

FileRun TraceSession::run(std::string_view text, analysis::Options options, std::string_view name) {
  FileRun out;
  if (!session_) {
    out.trace.fatal_error = "no trace database";
    return out;
  }
  analysis::SchemaSnapshot live;
  const bool live_read = read_schema_snapshot(*session_, live).empty();
  live.live = true;
  if (!options.snapshot && live_read) options.snapshot = &live;
  options.pg_version = server().major;  // the server's version decides
  fold_last_run();
  if (!options.schema) {
    options.schema = &history_.model;
    options.schema_place = history_.place;
  }
  out.analysis = analysis::analyze(text, options);
  unfolded_run_ = ReplaySource{std::string(name), std::string(text)};
  TraceOptions trace_options = settings_.trace;
  trace_options.cancelled = hooks_.cancelled;
  trace_options.identity = &database_.identity;
  if (hooks_.progress) {
    trace_options.progress = [this](std::size_t done, std::size_t total) {
      if (total == 0 || done >= total) return;
      hooks_.progress(Progress{Phase::Statement, "statement " + std::to_string(done + 1) + " of " + std::to_string(total),
                               done, total});
    };
  }
  out.trace = trace_file(*session_, *observer_, text, out.analysis, trace_options);
  if (!out.trace.cancelled && out.trace.fatal_error.empty()) {
    out.merged = merge_trace(out.analysis, out.trace);
    // The model the predictions used against the catalog the replay built (schema_compare.h).
    if (live_read && options.schema)
      for (analysis::Finding& f : compare_schema(*options.schema, options.schema_place, live, out.analysis))
        out.merged.trace_only.push_back(std::move(f));
  }
  return out;
}

void TraceSession::end() {
  if (auto drop = release_database()) drop();
}

std::function<void()> TraceSession::release_database() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_.reset();
  }
  session_.reset();
  observer_.reset();
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    name = database_.name;
    database_.name.clear();
  }
  if (name.empty()) return {};
  return provider_->dropper(name);
}

void TraceSession::abandon() {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_) running_->cancel();
    name = database_.name;
  }
  provider_->abandon(name);
}

}  // namespace lockward::trace
