#include "server/lsp/trace_service.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "analysis/analyze.h"
#include "server/cli/commands.h"
#include "trace/container_cli.h"
#include "trace/image_reference.h"
#include "trace/migration_folder.h"
#include "trace/pg_binaries.h"
#include "trace/pg_connection.h"
#include "trace/schema_reader.h"
#include "trace/template_database.h"
#include "trace/trace_role.h"
#include "trace/tracer.h"
#include "trace/warm_cluster.h"

namespace lockward::server::lsp {
namespace fs = std::filesystem;

// A lease on the cluster shared with other lockward processes (trace::WarmLease), held while
// this server keeps it warm; dropping it lets the keeper stop the cluster if nobody else uses it.
struct TraceService::Warm {
  std::unique_ptr<trace::WarmLease> cluster;
  std::set<std::string> templates;  // template databases already built, by name
  std::chrono::steady_clock::time_point last_used;
};

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string describe_locks(const std::vector<trace::LockComparison>& locks) {
  std::string out;
  for (const auto& c : locks) {
    if (!c.observed) continue;
    out += (out.empty() ? "" : ", ") + std::string(analysis::lock_mode_name(*c.observed)) + " on " + c.object.sql();
    if (c.observed_until_statement_end) out += " (released when the statement ended)";
  }
  return out.empty() ? "no lock on an existing object" : out;
}

}  // namespace

bool same_findings(const TraceResults& a, const TraceResults& b) {
  if (a.server_version != b.server_version || a.by_statement.size() != b.by_statement.size()) return false;
  auto same_finding = [](const analysis::Finding& x, const analysis::Finding& y) {
    return x.rule == y.rule && x.message == y.message && x.risk == y.risk && x.range == y.range;
  };
  for (auto ia = a.by_statement.begin(), ib = b.by_statement.begin(); ia != a.by_statement.end(); ++ia, ++ib) {
    const StatementEvidence& x = ia->second;
    const StatementEvidence& y = ib->second;
    if (ia->first != ib->first || x.status != y.status || x.detail != y.detail || x.observed != y.observed ||
        x.changes != y.changes || x.transaction_locks != y.transaction_locks ||
        x.findings.size() != y.findings.size() ||
        !std::equal(x.findings.begin(), x.findings.end(), y.findings.begin(), same_finding))
      return false;
  }
  return true;
}

std::vector<std::pair<std::string, int>> statement_keys(std::string_view text, const analysis::Analysis& a) {
  std::vector<std::pair<std::string, int>> out;
  std::map<std::string, int, std::less<>> seen;
  for (const auto& s : a.statements) {
    std::string code(s.code.slice(text));
    int n = seen[code]++;
    out.emplace_back(std::move(code), n);
  }
  return out;
}

TraceService::TraceService(std::chrono::seconds idle) : idle_(idle) {}

TraceService::~TraceService() {
  boost::asio::post(thread_, [this] {
    std::lock_guard<std::mutex> lock(mutex_);
    clusters_.clear();  // ends every lease: unused clusters stop before we exit
  });
  thread_.join();
}

std::size_t TraceService::running_clusters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return clusters_.size();
}

void TraceService::reap_idle() {
  boost::asio::post(thread_, [this] {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    std::erase_if(clusters_, [&](const auto& entry) { return now - entry.second->last_used > idle_; });
  });
}

void TraceService::run(TraceRequest request, std::function<void(TraceOutcome)> done) {
  boost::asio::post(thread_, [this, request = std::move(request), done = std::move(done)] {
    TraceOutcome outcome;
    try {
      outcome = trace(request);
    } catch (const std::exception& e) {
      outcome.error = std::string("trace failed: ") + e.what();
    }
    done(std::move(outcome));
    drop_finished_database();
  });
}

void TraceService::drop_finished_database() {
  if (finished_database_.empty()) return;
  trace::PgConnection admin(finished_admin_conninfo_);
  admin.exec("DROP DATABASE IF EXISTS " + finished_database_);
  finished_database_.clear();
  finished_admin_conninfo_.clear();
}

TraceOutcome TraceService::trace(const TraceRequest& request) {
  TraceOutcome out;
  auto started = std::chrono::steady_clock::now();
  const int major = request.options.pg_version;
  const bool docker = request.provider == "docker";
  const std::string image = request.docker_image.value_or(trace::default_postgres_image(major));
  const std::string warm_key = docker ? "docker " + image : "local " + std::to_string(major);
  Warm* warm = nullptr;
  bool cold = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = clusters_.find(warm_key);
    if (it != clusters_.end()) warm = it->second.get();
  }
  if (!warm) {
    trace::WarmSpec spec;
    if (docker) {
      const char* env_cli = std::getenv("LOCKWARD_DOCKER_CLI");
      const char* path = std::getenv("PATH");
      trace::CliChoice cli = trace::choose_container_cli(request.docker_cli.value_or(env_cli ? env_cli : ""), path ? path : "");
      if (!cli.path) {
        out.error = cli.error;
        return out;
      }
      spec.kind = trace::WarmSpec::Kind::Docker;
      spec.docker.cli = *cli.path;
      spec.docker.image = image;
      const char* extra = std::getenv("LOCKWARD_DOCKER_ARGS");
      spec.docker.extra_args = trace::split_extra_args(extra ? extra : "");
    } else {
      trace::PgSearch search;
      search.major = major;
      search.pg_bin = request.pg_bin;
      trace::PgLookup lookup = trace::find_pg_binaries(search);
      if (!lookup.binaries) {
        out.error = lookup.error;
        return out;
      }
      spec.binaries = *lookup.binaries;
    }
    std::string error;
    auto cluster = trace::WarmLease::acquire(spec, keeper_command(), error);
    if (!cluster) {
      out.error = (docker ? "cannot start PostgreSQL in a container (" + image + "): "
                          : "cannot start PostgreSQL " + spec.binaries.version + ": ") +
                  trace::scrub_credentials(error);
      return out;
    }
    cold = cluster->started();
    auto w = std::make_unique<Warm>();
    w->cluster = std::move(cluster);
    warm = w.get();
    std::lock_guard<std::mutex> lock(mutex_);
    clusters_[warm_key] = std::move(w);
  }
  warm->last_used = std::chrono::steady_clock::now();
  trace::WarmLease& cluster = *warm->cluster;
  trace::PgConnection admin(cluster.conninfo());
  if (!admin.connected()) {
    out.error = "cannot connect to the trace cluster: " + admin.error();
    std::lock_guard<std::mutex> lock(mutex_);
    clusters_.erase(warm_key);  // it died: start afresh next time
    return out;
  }

  // The traced SQL runs as lockward_migrator unless the settings ask for a superuser; the role
  // is made ready before each trace (the previous traced migration may have changed it).
  trace::TraceIdentity identity;
  if (!request.superuser) {
    std::string role_error = trace::prepare_trace_role(
        admin, cluster.conninfo(),
        "the trace runs migrations as the unprivileged role " + std::string(trace::kTraceRole) +
            "; the lockward.traceSuperuser setting runs them as a superuser, for migrations you trust",
        identity);
    if (!role_error.empty()) {
      out.error = trace::scrub_credentials(role_error);
      return out;
    }
  }
  // The preceding migrations, replayed once into a template keyed by their contents (shared
  // with other processes using the same cluster).
  std::vector<trace::ReplaySource> sources;
  for (const auto& p : trace::preceding_migrations(request.path)) sources.push_back({p.filename().string(), read_all(p)});
  std::string template_db;
  if (auto cached = warm->templates.find(trace::template_name(major, sources, identity.role));
      cached != warm->templates.end()) {
    template_db = *cached;
  } else {
    trace::TemplateResult built = trace::ensure_template(
        admin, [&](const std::string& db) { return cluster.conninfo(db); }, major, sources, identity);
    if (built.name.empty()) {
      out.error = built.error + " (fix that migration, or trace it first)";
      return out;
    }
    template_db = built.name;
    warm->templates.insert(template_db);
  }
  std::string db = "lockward_t" + std::to_string(getpid()) + "_" + std::to_string(next_database_++);
  trace::QueryResult clone = admin.exec("CREATE DATABASE " + db + " TEMPLATE " + template_db + identity.owner_clause());
  if (!clone.ok()) {
    out.error = "cannot clone the template database: " + clone.error->message;
    return out;
  }
  finished_database_ = db;
  finished_admin_conninfo_ = cluster.conninfo();
  auto results = std::make_shared<TraceResults>();
  {
    trace::PgConnection session(identity.conninfo(cluster.conninfo(db)));
    trace::PgConnection observer(identity.conninfo(cluster.conninfo(db)));
    if (!session.connected() || !observer.connected()) {
      out.error = "cannot connect to the trace database: " + trace::scrub_credentials(session.error() + observer.error());
      return out;
    }
    // Predictions see the schema the replay built (the old type of an ALTER COLUMN TYPE).
    analysis::SchemaSnapshot live;
    analysis::Options options_with_schema = request.options;
    if (trace::read_schema_snapshot(session, live).empty()) options_with_schema.snapshot = &live;
    analysis::Analysis a = analysis::analyze(*request.text, options_with_schema);
    trace::TraceOptions options;
    options.cancelled = [c = request.cancelled] { return c && c->load(); };
    options.progress = request.progress;
    options.identity = &identity;
    trace::FileTrace ft = trace::trace_file(session, observer, *request.text, a, options);
    if (ft.cancelled) {
      out.cancelled = true;
    } else if (!ft.fatal_error.empty()) {
      out.error = ft.fatal_error;
      if (!admin.exec("SELECT 1").ok()) {  // the server died: the next trace starts another
        finished_database_.clear();
        std::lock_guard<std::mutex> lock(mutex_);
        clusters_.erase(warm_key);
        return out;
      }
    } else {
      trace::MergedFile merged = trace::merge_trace(a, ft);
      auto keys = statement_keys(*request.text, a);
      for (const auto& v : merged.statements) {
        const trace::StatementTrace& t = ft.statements[v.statement];
        StatementEvidence e;
        e.status = v.status;
        e.detail = v.detail;
        e.observed = describe_locks(v.locks);
        e.method = std::string(trace::observation_method_name(t.method));
        e.duration_ms = t.duration_ms;
        e.held_ms = t.held_ms;
        e.changes = t.changes;
        e.verification = v;
        // The transaction's locks once the statement had run: strongest per object.
        for (const auto* list : {&t.held_before, &t.locks}) {
          for (const trace::ObservedLock& l : *list) {
            if (l.created_in_file) continue;
            auto same = std::find_if(e.transaction_locks.begin(), e.transaction_locks.end(),
                                     [&](const trace::ObservedLock& x) { return x.oid == l.oid; });
            if (same == e.transaction_locks.end()) e.transaction_locks.push_back(l);
            else if (l.mode > same->mode) same->mode = l.mode;
          }
        }
        std::size_t base = a.statements[v.statement].code.begin;
        auto add = [&](const analysis::Finding& f) {
          if (f.statement != v.statement) return;
          analysis::Finding rel = f;
          rel.range = {f.range.begin - base, f.range.end - base};
          e.findings.push_back(std::move(rel));
        };
        for (const auto& f : merged.trace_only) add(f);
        for (const auto& f : merged.errors) add(f);
        results->by_statement[keys[v.statement]] = std::move(e);
      }
      results->confirmed = merged.confirmed;
      results->mismatches = merged.mismatches;
      results->errors = merged.error_count;
      results->trace_only = merged.trace_only.size();
    }
  }
  results->pg_version = major;
  results->server_version = cluster.server_version();
  results->document_version = request.version;
  results->cold = cold;
  results->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  warm->last_used = std::chrono::steady_clock::now();
  if (!out.cancelled && out.error.empty()) out.results = std::move(results);
  return out;
}

}  // namespace lockward::server::lsp
