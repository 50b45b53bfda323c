// Trace from the editor: runs traces on their own worker thread against warm clusters (one per
// PostgreSQL major or container image, leased from the clusters shared with other lockward
// processes on first use, released after an idle period and on exit), with the
// migrations that precede the traced file replayed once into a template database keyed by
// their contents, so a re-trace after an edit costs a clone plus the statements.
// Results are keyed by statement text so that an edit drops only what it touched.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>  // before Boost 1.74 Asio
#include <boost/asio.hpp>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"
#include "trace/merge.h"
#include "trace/session.h"

namespace lockward::server::lsp {

// What the trace said about one statement, independent of where the statement now is.
struct StatementEvidence {
  trace::Verification status = trace::Verification::Skipped;
  std::string detail;              // mismatch detail or the server's error
  std::string observed;            // "SHARE on users, …"
  std::string method;              // observation method
  double duration_ms = 0;
  double held_ms = 0;  // until its transaction ended
  std::vector<std::string> changes;
  // Trace-only findings and errors, with ranges relative to the statement's first byte.
  std::vector<analysis::Finding> findings;
  trace::StatementVerification verification;       // the verdict, lock by lock
  std::vector<trace::ObservedLock> transaction_locks;  // what its transaction held once it had run
};


struct TraceResults {
  int pg_version = 0;
  std::string server_version;
  long document_version = 0;
  // Keyed by statement text and its occurrence among identical texts ("COMMIT" #2).
  std::map<std::pair<std::string, int>, StatementEvidence> by_statement;
  std::size_t confirmed = 0, mismatches = 0, errors = 0, trace_only = 0;
  double seconds = 0;
  bool cold = false;  // a cluster had to be started
};

// Whether two traces of a document found the same (timings aside): a re-trace that did not
// change anything publishes nothing.
bool same_findings(const TraceResults& a, const TraceResults& b);

// Statement keys for an analysis of `text`, parallel to analysis.statements.
std::vector<std::pair<std::string, int>> statement_keys(std::string_view text, const analysis::Analysis& analysis);

struct TraceRequest {
  std::string uri;
  std::filesystem::path path;  // empty for unsaved documents: no preceding migrations
  // The up parts its migration tool runs before it, in order ({name, text}: server/migrations),
  // replayed into the template the trace clones.
  std::vector<std::pair<std::string, std::string>> history;
  std::shared_ptr<const std::string> text;
  long version = 0;
  // Copied, with the snapshot and stats they point to kept alive by the two pointers below:
  // the trace predicts with the same configuration as `lockward trace`.
  analysis::Options options;
  std::shared_ptr<const analysis::SchemaSnapshot> snapshot;
  std::shared_ptr<const analysis::TableStats> stats;
  std::optional<std::filesystem::path> pg_bin;
  std::string provider = "local";           // "docker" or "dsn"
  std::optional<std::string> docker_image;  // default postgres:<major>-alpine
  std::optional<std::string> docker_cli;
  std::optional<std::string> dsn;           // provider "dsn": a disposable, empty database
  bool superuser = false;  // run the traced SQL as a superuser (default: lockward_migrator)
  // Set by the client's cancel; any phase stops within milliseconds.
  std::shared_ptr<std::atomic<bool>> cancelled;
  std::function<void(const trace::Progress&)> progress;  // called on the trace thread
};

struct TraceOutcome {
  std::shared_ptr<const TraceResults> results;  // null on failure or cancellation
  std::string error;                            // with the next step for the user
  bool cancelled = false;
};

class TraceService {
 public:
  explicit TraceService(std::chrono::seconds idle);
  ~TraceService();  // stops every cluster

  // Runs on the trace thread; `done` is called there too.
  void run(TraceRequest request, std::function<void(TraceOutcome)> done);
  // Stops clusters unused for longer than the idle period (call periodically).
  void reap_idle();
  void set_idle(std::chrono::seconds idle) { idle_ = idle; }
  std::size_t running_clusters() const;

 private:
  struct Warm;
  TraceOutcome trace(const TraceRequest& request);
  void end_finished_trace();
  boost::asio::thread_pool thread_{1};  // runs traces, one at a time, and holds the leases
  boost::asio::thread_pool cleanup_{1};  // drops finished trace databases, so the next trace need not wait
  std::chrono::seconds idle_;
  mutable std::mutex mutex_;  // guards clusters_ for running_clusters()
  std::map<std::string, std::unique_ptr<Warm>> clusters_;  // by provider and version or image
  // The last trace's session, whose database is dropped after its answer is sent: a cancelled
  // trace is answered without waiting for DROP DATABASE. Touched on the trace thread only.
  trace::TraceSession* finished_ = nullptr;
};

}  // namespace lockward::server::lsp
