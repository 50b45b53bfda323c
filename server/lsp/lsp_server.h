// The language server: lifecycle, the method table, documents, debounced analysis on a worker
// thread, and the feature handlers. Every member runs on the event-loop thread except the
// analysis jobs, which see only immutable snapshots and post their results back.
#pragma once

#include <utility>  // before Boost 1.74 Asio, whose awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "analysis/document_analysis.h"
#include "analysis/object_at.h"
#include "protocol/framing.h"
#include "protocol/jsonrpc.h"
#include "protocol/line_index.h"
#include "server/config/config.h"
#include "server/lsp/diagnostics_cache.h"
#include "server/lsp/document.h"
#include "server/lsp/document_history.h"
#include "server/pool_parallel_for.h"
#include "server/lsp/settings.h"
#include "server/lsp/trace_service.h"
#include "server/migrations/migration_set.h"

namespace lockward::server::lsp {

using protocol::Json;

class LspServer;

// What one document's analysis jobs keep from one run to the next, so that an edit costs what
// it touched: the analysis and the diagnostics JSON per finding.
struct AnalysisMemory {
  analysis::DocumentAnalysis analysis;
  DiagnosticsCache diagnostics;
  // Keeps the snapshot and stats the analysis's options point to alive, so that a new
  // configuration can never reuse their addresses.
  std::shared_ptr<const ResolvedConfig> config;
  // Its migration history (document_history.h); rebuilt by the next job once marked stale.
  std::shared_ptr<const DocumentHistory> history;
  std::atomic<bool> history_stale{true};
  // The schema its Down section sees: the history and its own up part.
  RollbackSchema rollback_schema;
  // The document's split and the model of its own statements for navigation (definition,
  // references, hover's origin), built once per text and target version: a hover must not split
  // or parse the document again.
  std::shared_ptr<const analysis::FileIndex> own_model;
  std::shared_ptr<const std::string> own_model_text;
  int own_model_pg_version = 0;
};

// A request's reply. Exactly one answer is sent: reply() or error(), or, if neither was
// called, an InternalError when the last Reply for the request is destroyed (and an error in
// the log). Destroyed by an exception, it leaves the answer to LspServer::answer_guarded,
// which names the cause; should no guard be there, the InternalError follows on the next turn
// of the event loop.
class Reply {
 public:
  Reply(LspServer& server, Json id, std::string method);
  Reply(Reply&&) noexcept;
  Reply& operator=(Reply&&) = delete;
  ~Reply();
  void reply(const Json& result);
  void reply_raw(std::string_view result_json);  // an already-encoded result
  void error(int code, std::string_view message);
  const Json& id() const { return id_; }
  const std::string& method() const { return method_; }
  // Whether the request was answered, shared by every Reply moved from this one and by
  // answer_guarded, which answers for a handler that threw.
  const std::shared_ptr<bool>& sent() const { return sent_; }

 private:
  bool claim();  // true once: the caller sends the answer
  LspServer* server_;
  Json id_;
  std::string method_;
  bool moved_ = false;
  std::shared_ptr<bool> sent_ = std::make_shared<bool>(false);
};

class LspServer {
 public:
  // Writes bytes to the client's stream; the server frames its messages.
  using Writer = std::function<void(std::string_view bytes)>;
  LspServer(boost::asio::io_context& io, Writer write);
  ~LspServer();  // stops analysis workers and every trace cluster

  void on_body(std::string body);                 // a whole frame from the transport
  void on_frame_error(const std::string& message);  // a malformed header
  void on_end_of_input();                         // stdin closed
  bool exited() const { return exited_; }
  int exit_code() const { return exit_code_; }

 private:
  friend class Reply;
  using RequestHandler = void (LspServer::*)(const Json& params, Reply reply);
  using NotificationHandler = void (LspServer::*)(const Json& params);

  struct OpenDocument {
    std::unique_ptr<Document> doc;
    std::unique_ptr<boost::asio::steady_timer> debounce;
    bool in_flight = false;
    std::vector<std::function<void()>> waiters;  // run when the analysis is current
    std::optional<ResolvedConfig> config;
    std::string result_id;  // for pull diagnostics
    // The latest trace of this document, keyed by statement text (survives unrelated edits).
    std::shared_ptr<const TraceResults> trace;
    std::shared_ptr<std::atomic<bool>> trace_cancel;  // set while a trace runs
    std::string trace_token;                          // its progress token
    // Reused across analyses of this document; one analysis job at a time (in_flight) uses it.
    std::shared_ptr<AnalysisMemory> memory = std::make_shared<AnalysisMemory>();
    long published_version = -1;
    long pulled_version = -1;  // for a client that pulls: the version it was last offered
    // Bumped when what analysis and diagnostics depend on besides the text changes (settings,
    // trace evidence): a job started before is stale even for the same version.
    long inputs = 0;
    std::size_t focus = 0;  // byte the diagnostics window centres on: the last edit, or where the user looked
  };
  struct Waiter;

  void send(std::string_view body) {
    write_(protocol::frame_header(body.size()));
    write_(body);
  }
  void notify(std::string_view method, const Json& params);
  void request_client(std::string_view method, const Json& params, std::function<void(const Json&)> on_result);
  void log_message(int type, const std::string& message);

  void dispatch(protocol::Message message);
  // Runs `work`, which answers `reply`. If it throws before answering, answers for it:
  // InvalidParams naming the bad field, InternalError for anything else. The dispatcher and
  // every deferred continuation of a request run handlers through it.
  void answer_guarded(Reply reply, const std::function<void(Reply)>& work);
  // Lifecycle
  void on_initialize(const Json& params, Reply reply);
  void on_shutdown(const Json& params, Reply reply);
  void on_initialized(const Json& params);
  void on_exit(const Json& params);
  void on_cancel_request(const Json& params);
  void on_set_trace(const Json& params);
  // Text sync
  void on_did_open(const Json& params);
  void on_did_change(const Json& params);
  void on_did_close(const Json& params);
  void on_did_save(const Json& params);
  // Workspace
  void on_did_change_configuration(const Json& params);
  void on_did_change_watched_files(const Json& params);
  void on_did_change_workspace_folders(const Json& params);
  void on_execute_command(const Json& params, Reply reply);
  // Features
  void on_hover(const Json& params, Reply reply);
  void on_definition(const Json& params, Reply reply);
  void on_references(const Json& params, Reply reply);
  // Answers `reply` with `query`'s result, computed on the analysis worker with copies of what it
  // reads (the document, its configuration) and its history; cancellable.
  using WorkerQuery = std::function<Json(const Document&, const DocumentHistory*, const analysis::Options&,
                                         const analysis::FileIndex& own, protocol::PositionEncoding)>;
  void on_worker(OpenDocument& open, Reply reply, WorkerQuery query);
  // A reply that a worker answers later: $/cancelRequest answers it at once and sets
  // `cancelled`, so a worker that has not started yet skips the work.
  struct WorkerReply {
    std::shared_ptr<std::optional<Reply>> reply;
    std::shared_ptr<std::atomic<bool>> cancelled;
  };
  WorkerReply cancellable_on_worker(Reply reply);
  void on_code_action(const Json& params, Reply reply);
  void on_inlay_hint(const Json& params, Reply reply);
  void on_code_lens(const Json& params, Reply reply);
  void on_document_symbol(const Json& params, Reply reply);
  void on_folding_range(const Json& params, Reply reply);
  void on_diagnostic(const Json& params, Reply reply);
  void on_work_done_progress_cancel(const Json& params);
  // Trace from the editor
  void start_trace(const std::string& uri, std::optional<Reply> reply, Json token);
  void finish_trace(const std::string& uri, TraceOutcome outcome, std::optional<Reply> reply, const Json& token);
  void trace_status(const std::string& uri, std::string_view state, const std::string& message,
                    const TraceResults* results);
  void schedule_reaper();

  // Analysis scheduling
  bool is_sql(const std::string& uri, const std::string& language_id) const;
  void schedule(OpenDocument& open, int delay_ms);
  void start_analysis(const std::string& uri);
  // The open documents' texts by path, for reading migration sets (called on the loop).
  Overlay open_buffers() const;
  // Another document than `except` changed on disk or in the editor: every other document's
  // history is stale; with `reanalyse`, they are analysed again.
  void histories_changed(const std::string& except, bool reanalyse);
  // `notification` is the publishDiagnostics message.
  // `inputs`: the document's OpenDocument::inputs when the job started.
  void finish_analysis(const std::string& uri, long version, long inputs, std::shared_ptr<const analysis::Analysis> result,
                       std::shared_ptr<const DiagnosticsMessage> notification, analysis::TextRange shown);
  // Moves the published diagnostics to `seen` (the cursor of a code action request, the
  // visible range of an inlay hint request) when they are limited and hide findings there.
  void follow(OpenDocument& open, analysis::TextRange seen);
  // Runs `handler` against the current analysis of the document, analysing now if needed.
  void with_analysis(const Json& params, Reply reply,
                     std::function<void(OpenDocument&, const analysis::Analysis&, Reply)> handler);
  const ResolvedConfig& config_for(OpenDocument& open);
  void reconfigure_all();
  void pull_configuration();
  void publish(OpenDocument& open);

  boost::asio::io_context& io_;
  Writer write_;
  // Whole-file analyses parse on the worker and on these (declared first: destroyed last):
  // a thread per extra core, up to 3 (batches of 1,024 statements gain little from more).
  PoolParallelFor parallel_{std::min(3u, std::max(1u, std::thread::hardware_concurrency()) - 1)};
  analysis::ParallelFor parallel_for_ = [this](std::size_t n, const std::function<void(std::size_t)>& work) {
    parallel_(n, work);
  };
  boost::asio::thread_pool workers_{1};
  std::map<std::string, RequestHandler, std::less<>> requests_;
  std::map<std::string, NotificationHandler, std::less<>> notifications_;

  enum class State { Uninitialized, Running, ShuttingDown } state_ = State::Uninitialized;
  bool exited_ = false;
  int exit_code_ = 1;
  protocol::PositionEncoding encoding_ = protocol::PositionEncoding::Utf16;
  bool client_pulls_diagnostics_ = false;
  bool client_refreshes_diagnostics_ = false;  // workspace/diagnostic/refresh
  bool client_has_configuration_ = false;
  bool client_watches_files_ = false;
  bool client_work_done_progress_ = false;
  std::unique_ptr<TraceService> trace_service_;
  std::unique_ptr<boost::asio::steady_timer> reaper_;
  long next_progress_token_ = 1;
  Json initialization_options_;
  EditorSettings settings_;
  std::map<std::string, OpenDocument, std::less<>> documents_;
  std::map<std::string, std::function<void()>> cancellable_;  // request id (dumped) → cancel
  std::map<std::string, std::function<void(const Json&)>> client_requests_;
  long next_client_request_ = 1;
  long messages_written_ = 0;  // for pull diagnostics result ids
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards posts after destruction
};

// Reads `path` as a file:// URI's local path; empty when the URI is not a file URI.
std::string path_from_uri(std::string_view uri);

}  // namespace lockward::server::lsp
