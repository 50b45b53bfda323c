// One trace session: the only place that orchestrates a trace. The CLI (`lockward trace`) and
// the language server both call it and only present its results, so a new provider or a new
// step is one change here.
//
//   open      a Provider makes a server ready: local (a lease on the shared warm cluster of an
//             installation), docker (the same for a container image) or dsn (a database the
//             user hands over as disposable)
//   begin     a fresh trace database holding the replay sources (a --schema file, the
//             migrations before the traced file): cloned from a template on the clusters
//             lockward starts, replayed in place into a --dsn database
//   replay    more sources into the current database (the CLI's later files' predecessors)
//   run       analyse the file (seeing the replayed schema unless the options carry a
//             snapshot, and the history model of everything replayed and traced so far, as
//             `check` sees a file's history), trace it, merge: the verdicts
//   end       drop the database (abandoned ones, of processes that died, are dropped by the
//             next session on the same cluster: one naming rule, trace_database_owner)
//
// Every phase reports progress (Hooks::progress) before it starts, and polls Hooks::cancelled:
// a cancel stops a cluster start, a replay between statements and a running statement (PQcancel)
// within milliseconds, and leaves nothing behind (a cluster whose start was abandoned is stopped
// by its keeper, the database is dropped).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/schema_model.h"
#include "trace/merge.h"
#include "trace/template_database.h"
#include "trace/trace_role.h"
#include "trace/tracer.h"

namespace lockward::trace {

enum class Phase {
  FindingServer,     // looking for an installation, a container CLI, or connecting to --dsn
  StartingServer,    // leasing the warm cluster; starting it when none runs
  PreparingRole,     // the unprivileged role the traced SQL runs as
  BuildingTemplate,  // replaying the earlier migrations (once per their content)
  Cloning,           // the trace database, from the template
  Replaying,         // a source replayed into the trace database itself
  Statement,         // statement `done + 1` of `total`
};
std::string_view phase_name(Phase phase);  // "starting-server"

struct Progress {
  Phase phase = Phase::FindingServer;
  std::string message;  // "starting PostgreSQL 15", "statement 3 of 12"
  std::size_t done = 0, total = 0;  // Statement only
};

struct Hooks {
  std::function<void(const Progress&)> progress;  // called on the session's thread
  std::function<bool()> cancelled;                // polled every few milliseconds
  bool is_cancelled() const { return cancelled && cancelled(); }
  void report(Phase phase, std::string message) const {
    if (progress) progress(Progress{phase, std::move(message), 0, 0});
  }
};

struct SessionSettings {
  std::string provider = "local";  // local, docker or dsn
  int pg_version = 17;             // the target major; the server's own version decides after open
  // --pg-bin without --pg-version: the installation says which version it is.
  bool version_from_installation = false;
  std::optional<std::filesystem::path> pg_bin;
  std::optional<std::string> docker_image;  // default postgres:<major>-alpine
  std::optional<std::string> docker_cli;    // else $LOCKWARD_DOCKER_CLI, docker, podman
  // Extra `run` options for the container engine; $LOCKWARD_DOCKER_ARGS when empty. They reach
  // the keeper that starts the container.
  std::vector<std::string> docker_extra_args;
  std::optional<std::string> dsn;  // --provider dsn
  bool allow_nonempty = false;     // dsn: a database that already holds relations
  bool superuser = false;          // run the traced SQL as a superuser (local, docker)
  std::string superuser_hint;      // how the user asks for it: "`lockward trace --superuser`"
  std::chrono::seconds keep_warm{0};
  std::vector<std::string> keeper_command;  // how to run `lockward pg keep-warm`
  TraceOptions trace;  // continue_on_error, timeouts (cancelled, progress, identity: the session's)
};

// What the session runs on, for reports.
struct ServerInfo {
  int major = 0;
  std::string version;   // "15.18"
  std::string provider;  // "local (/usr/lib/postgresql/15/bin)", "dsn"
  bool started = false;  // a cluster or container had to be started
  double startup_seconds = 0;
};

// Where trace databases come from. One implementation per provider (session.cpp).
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const ServerInfo& server() const = 0;
  // A database ready for one trace holding `replay`, and who runs the traced SQL in it; ""
  // or the error (`cancelled` set when the hooks said so).
  struct Database {
    std::string name, conninfo;  // conninfo: as the traced identity
    TraceIdentity identity;
    bool template_built = false;
  };
  virtual std::string prepare(const std::string& name, const std::vector<ReplaySource>& replay, const Hooks& hooks,
                              Database& out) = 0;
  virtual void drop(const std::string& name) = 0;  // no-op for a database the user handed over
  // The same drop as a function that needs nothing of the provider, for another thread.
  virtual std::function<void()> dropper(const std::string& name) = 0;
  virtual bool alive() = 0;                        // the server still answers
  // From another thread (a signal handler's): drop `name` now, end the lease. Idempotent.
  virtual void abandon(const std::string& name) = 0;
};

// The owner pid a trace database's name records ("lockward_trace_<pid>_<n>"; the older
// "lockward_trace_<pid>" and the editor's former "lockward_t<pid>_<n>"), or nothing for any
// other name (a template: "lockward_tpl_…"). A database whose owner is no longer alive was
// abandoned (its process was killed) and is dropped by the next session on the cluster.
std::optional<pid_t> trace_database_owner(std::string_view name);

// --keep-warm: seconds ("300") or a duration ("30s", "5m", "5min", "1h", "2h", "1d"), at most
// 365 days. nullopt with `why` set otherwise (the number is bounded before any multiplication).
std::optional<std::chrono::seconds> parse_keep_warm(std::string_view text, std::string& why);

struct FileRun {
  analysis::Analysis analysis;
  FileTrace trace;
  MergedFile merged;  // empty when the trace was cancelled or hit a fatal error
};

class TraceSession {
 public:
  // Makes the provider's server ready. nullptr with `error` set (empty when cancelled: check
  // hooks.is_cancelled()).
  static std::unique_ptr<TraceSession> open(const SessionSettings& settings, const Hooks& hooks, std::string& error);
  ~TraceSession();  // drops the current database, ends the lease
  TraceSession(const TraceSession&) = delete;
  TraceSession& operator=(const TraceSession&) = delete;

  const ServerInfo& server() const { return provider_->server(); }
  void set_hooks(Hooks hooks) { hooks_ = std::move(hooks); }

  // A fresh trace database holding `replay` (the current one is dropped first). "" or the error.
  std::string begin(const std::vector<ReplaySource>& replay);
  bool template_built() const { return database_.template_built; }
  // Replays one more source into the current database. "" or the error.
  std::string replay(const ReplaySource& source);
  // Analyses `text` with `options` (without a snapshot of their own they see the schema the
  // replay built, as a user with `lockward snapshot` would: the old type of an ALTER COLUMN
  // TYPE decides a rewrite; without a schema model of their own, the session's history model:
  // the indexes' tables, the foreign keys' other ends), traces it and merges. Needs begin().
  // The traced file (`name`: "003_x.sql") then belongs to the history of the next run(), as
  // it stays in the database.
  FileRun run(std::string_view text, analysis::Options options, std::string_view name = {});
  // Drops the current database. Idempotent.
  void end();
  // Closes the current database's connections and hands over its drop, to run on any thread
  // (the language server drops it on a thread of its own, so the next trace need not wait).
  std::function<void()> release_database();
  // False when the server stopped answering (the next trace should open another session).
  bool alive() { return provider_->alive(); }
  // From another thread (SIGINT): cancel the running statement, drop the database, end the lease.
  void abandon();

 private:
  TraceSession() = default;
  bool connect(std::string& error);
  void fold_into_history(const ReplaySource& source);
  void fold_last_run();
  SessionSettings settings_;
  Hooks hooks_;
  std::unique_ptr<Provider> provider_;
  Provider::Database database_;
  std::unique_ptr<PgConnection> session_, observer_;
  std::unique_ptr<CancelHandle> running_;  // session_'s, for abandon()
  std::mutex mutex_;                       // guards running_ and database_.name against abandon()
  int next_database_ = 1;
  // What the static analysis knows of the current database: its replayed sources and traced
  // files, in order. One model for the CLI and the editor, so their predictions cannot drift.
  struct History {
    analysis::SchemaModel model;
    analysis::SchemaModel::Place place = 0;
    std::string key;        // begin()'s sources it was built from (their template name)
    bool extended = false;  // it holds more than those (a replay(), a traced file)
  };
  History history_;
  // The last run()'s text, folded into the history when a later replay() or run() needs it, so
  // that the editor's next begin() with the same sources reuses the model as it stands.
  std::optional<ReplaySource> unfolded_run_;
};

}  // namespace lockward::trace
