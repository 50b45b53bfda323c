#include "server/lsp/trace_service.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis/analyze.h"
#include "server/cli/commands.h"
#include "trace/image_reference.h"
#include "trace/migration_folder.h"

namespace lockward::server::lsp {
namespace fs = std::filesystem;

// A lease on the cluster shared with other lockward processes (trace::WarmLease), held while
// this server keeps it warm; dropping it lets the keeper stop the cluster if nobody else uses it.
struct TraceService::Warm {
  std::unique_ptr<trace::TraceSession> session;
  std::chrono::steady_clock::time_point last_used;
};

namespace {

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
    cleanup_.join();  // after the traces queued before: every finished database dropped while leased
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
    end_finished_trace();
  });
}

void TraceService::end_finished_trace() {
  if (finished_) {
    if (auto drop = finished_->release_database()) boost::asio::post(cleanup_, std::move(drop));
  }
  finished_ = nullptr;
}

TraceOutcome TraceService::trace(const TraceRequest& request) {
  TraceOutcome out;
  auto started = std::chrono::steady_clock::now();
  const int major = request.options.pg_version;
  trace::Hooks hooks;
  hooks.cancelled = [c = request.cancelled] { return c && c->load(); };
  hooks.progress = request.progress;
  const std::string warm_key =
      request.provider == "docker" ? "docker " + request.docker_image.value_or(trace::default_postgres_image(major))
      : request.provider == "dsn"  ? "dsn " + request.dsn.value_or("")
                                   : "local " + std::to_string(major) + " " + request.pg_bin.value_or("").string();
  Warm* warm = nullptr;
  bool cold = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = clusters_.find(warm_key);
    if (it != clusters_.end()) warm = it->second.get();
  }
  if (warm) hooks.report(trace::Phase::StartingServer, "reusing the warm PostgreSQL " + warm->session->server().version +
                                                        (request.provider == "dsn" ? " database" : " server"));
  if (warm && !warm->session->alive()) {  // it died: start afresh
    std::lock_guard<std::mutex> lock(mutex_);
    clusters_.erase(warm_key);
    warm = nullptr;
  }
  if (!warm && request.provider == "dsn" && !request.dsn) {
    out.error = "the lockward.traceProvider \"dsn\" needs lockward.traceDsn: the connection string of a disposable, "
                "empty database";
    return out;
  }
  if (!warm) {
    trace::SessionSettings settings;
    settings.provider = request.provider;
    settings.pg_version = major;
    settings.pg_bin = request.pg_bin;
    settings.docker_image = request.docker_image;
    settings.docker_cli = request.docker_cli;
    settings.dsn = request.dsn;
    settings.superuser = request.superuser && request.provider != "dsn";
    settings.superuser_hint = "the lockward.traceSuperuser setting";
    settings.keeper_command = keeper_command();
    std::string error;
    auto session = trace::TraceSession::open(settings, hooks, error);
    if (!session) {
      if (hooks.is_cancelled()) out.cancelled = true;
      else out.error = error;
      return out;
    }
    cold = session->server().started;
    auto w = std::make_unique<Warm>();
    w->session = std::move(session);
    warm = w.get();
    std::lock_guard<std::mutex> lock(mutex_);
    clusters_[warm_key] = std::move(w);
  }
  warm->last_used = std::chrono::steady_clock::now();
  trace::TraceSession& session = *warm->session;
  session.set_hooks(hooks);
  // The preceding migrations, replayed once into a template keyed by their contents (shared
  // with other processes using the same cluster).
  std::vector<trace::ReplaySource> sources;
  for (const auto& [name, text] : request.history) sources.push_back({name, text});
  finished_ = &session;
  if (std::string e = session.begin(sources); !e.empty() || hooks.is_cancelled()) {
    if (hooks.is_cancelled()) out.cancelled = true;
    else out.error = request.provider == "dsn" ? e : e + " (fix that migration, or trace it first)";
    return out;
  }
  analysis::Options options = request.options;
  options.snapshot = request.snapshot.get();
  options.stats = request.stats.get();
  // Predicted with the session's model of the same history (reused while the history is unchanged).
  trace::FileRun run = session.run(*request.text, options);
  auto results = std::make_shared<TraceResults>();
  if (run.trace.cancelled) {
    out.cancelled = true;
  } else if (!run.trace.fatal_error.empty()) {
    out.error = run.trace.fatal_error;
  } else {
    const analysis::Analysis& a = run.analysis;
    const trace::FileTrace& ft = run.trace;
    const trace::MergedFile& merged = run.merged;
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
  results->pg_version = session.server().major;
  results->server_version = session.server().version;
  results->document_version = request.version;
  results->cold = cold;
  results->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  warm->last_used = std::chrono::steady_clock::now();
  if (!out.cancelled && out.error.empty()) out.results = std::move(results);
  return out;
}

}  // namespace lockward::server::lsp
