#include "server/lsp/lsp_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "analysis/analyze.h"
#include "analysis/migration_set.h"
#include "lockward_version.h"
#include "protocol/framing.h"
#include "protocol/json_writer.h"
#include "server/lsp/convert.h"
#include "analysis/object_at.h"
#include "server/lsp/navigation.h"
#include "server/migrations/migration_set.h"
#include "server/lsp/params.h"

namespace lockward::server::lsp {

namespace ec = protocol::error_code;

// ---- Reply ------------------------------------------------------------------------------------

Reply::Reply(LspServer& server, Json id, std::string method)
    : server_(&server), id_(std::move(id)), method_(std::move(method)) {}

Reply::Reply(Reply&& other) noexcept
    : server_(other.server_), id_(std::move(other.id_)), method_(std::move(other.method_)), sent_(other.sent_) {
  other.moved_ = true;
}

Reply::~Reply() {
  if (moved_ || *sent_) return;
  if (std::uncaught_exceptions() > 0) {
    // Unwinding: answer_guarded answers with the cause; if none runs this handler, nobody
    // will, so check again once the exception is over.
    boost::asio::post(server_->io_, [server = server_, id = id_, method = method_, sent = sent_,
                                     alive = server_->alive_] {
      if (!*alive || *sent) return;
      *sent = true;
      spdlog::error("request {} ({}) failed without a reply", id.dump(), method);
      server->cancellable_.erase(id.dump());
      server->send(protocol::encode_error(id, ec::kInternalError, "lockward failed to answer this request"));
    });
    return;
  }
  *sent_ = true;
  spdlog::error("request {} ({}) was dropped without a reply", id_.dump(), method_);
  server_->cancellable_.erase(id_.dump());
  server_->send(protocol::encode_error(id_, ec::kInternalError, "lockward dropped this request"));
}

bool Reply::claim() {
  if (moved_ || *sent_) return false;
  *sent_ = true;
  server_->cancellable_.erase(id_.dump());
  return true;
}

void Reply::reply(const Json& result) {
  if (claim()) server_->send(protocol::encode_response(id_, result));
}

void Reply::reply_raw(std::string_view result_json) {
  if (!claim()) return;
  std::string body = R"({"jsonrpc":"2.0","id":)" + id_.dump() + R"(,"result":)";
  body += result_json;
  body += "}";
  server_->send(body);
}

void Reply::error(int code, std::string_view message) {
  if (claim()) server_->send(protocol::encode_error(id_, code, message));
}

// ---- URIs -------------------------------------------------------------------------------------

std::string path_from_uri(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (!uri.starts_with(kScheme)) return {};
  uri.remove_prefix(kScheme.size());
  std::size_t slash = uri.find('/');  // skip an authority ("file://host/path")
  if (slash == std::string_view::npos) return {};
  uri.remove_prefix(slash);
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && std::isxdigit(static_cast<unsigned char>(uri[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(uri.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

// ---- Construction and dispatch ----------------------------------------------------------------

LspServer::LspServer(boost::asio::io_context& io, Writer write) : io_(io), write_(std::move(write)) {
  // Every method lockward answers, one per line.
  requests_ = {
      {"initialize", &LspServer::on_initialize},
      {"shutdown", &LspServer::on_shutdown},
      {"textDocument/hover", &LspServer::on_hover},
      {"textDocument/definition", &LspServer::on_definition},
      {"textDocument/references", &LspServer::on_references},
      {"textDocument/codeAction", &LspServer::on_code_action},
      {"textDocument/inlayHint", &LspServer::on_inlay_hint},
      {"textDocument/codeLens", &LspServer::on_code_lens},
      {"textDocument/documentSymbol", &LspServer::on_document_symbol},
      {"textDocument/foldingRange", &LspServer::on_folding_range},
      {"textDocument/diagnostic", &LspServer::on_diagnostic},
      {"workspace/executeCommand", &LspServer::on_execute_command},
  };
  notifications_ = {
      {"initialized", &LspServer::on_initialized},
      {"exit", &LspServer::on_exit},
      {"$/cancelRequest", &LspServer::on_cancel_request},
      {"$/setTrace", &LspServer::on_set_trace},
      {"textDocument/didOpen", &LspServer::on_did_open},
      {"textDocument/didChange", &LspServer::on_did_change},
      {"textDocument/didClose", &LspServer::on_did_close},
      {"textDocument/didSave", &LspServer::on_did_save},
      {"workspace/didChangeConfiguration", &LspServer::on_did_change_configuration},
      {"workspace/didChangeWatchedFiles", &LspServer::on_did_change_watched_files},
      {"workspace/didChangeWorkspaceFolders", &LspServer::on_did_change_workspace_folders},
      {"window/workDoneProgress/cancel", &LspServer::on_work_done_progress_cancel},
  };
}

LspServer::~LspServer() {
  *alive_ = false;
  workers_.join();
  // Requests still waiting for an analysis are answered now, while the maps their replies
  // touch still exist.
  documents_.clear();
  trace_service_.reset();  // joins the trace thread, stops clusters, removes their directories
}

void LspServer::notify(std::string_view method, const Json& params) {
  send(protocol::encode_notification(method, params));
}

void LspServer::request_client(std::string_view method, const Json& params, std::function<void(const Json&)> on_result) {
  std::string id = "lockward-" + std::to_string(next_client_request_++);
  client_requests_[id] = std::move(on_result);
  send(protocol::encode_request(id, method, params));
}

void LspServer::log_message(int type, const std::string& message) {
  if (type == 1) spdlog::error("{}", message);
  else spdlog::info("{}", message);
  notify("window/logMessage", Json{{"type", type}, {"message", message}});
}

void LspServer::on_frame_error(const std::string& message) {
  spdlog::warn("bad frame: {}", message);
  send(protocol::encode_error(nullptr, ec::kParseError, "bad message header: " + message));
}

void LspServer::on_end_of_input() {
  if (exited_) return;
  spdlog::info("stdin closed before exit; stopping");
  exited_ = true;
  exit_code_ = state_ == State::ShuttingDown ? 0 : 1;
  io_.stop();
}

void LspServer::on_body(std::string body) {
  protocol::Decoded decoded = protocol::decode_message(body);
  if (decoded.error) {
    if (!decoded.error->reply) {
      // A notification: JSON-RPC forbids any reply, so the client only hears of it in its log.
      log_message(2, "lockward ignored a notification: " + decoded.error->message);
      return;
    }
    spdlog::warn("undecodable message: {}", decoded.error->message);
    send(protocol::encode_error(decoded.error->id, decoded.error->code, decoded.error->message));
    return;
  }
  dispatch(std::move(*decoded.message));
}

void LspServer::dispatch(protocol::Message m) {
  using Kind = protocol::Message::Kind;
  if (m.kind == Kind::Response) {
    std::string key = m.id.is_string() ? m.id.get<std::string>() : m.id.dump();
    auto it = client_requests_.find(key);
    if (it == client_requests_.end()) return;
    auto handler = std::move(it->second);
    client_requests_.erase(it);
    if (m.error.is_null()) handler(m.result);
    else handler(nullptr);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  if (m.kind == Kind::Notification) {
    spdlog::debug("<-- {}", m.method);
    if (state_ == State::Uninitialized && m.method != "exit") return;  // dropped per the specification
    auto it = notifications_.find(m.method);
    if (it == notifications_.end()) return;  // unknown notifications ($/… included) are ignored
    try {
      (this->*(it->second))(m.params);
    } catch (const std::exception& e) {
      log_message(1, "lockward: could not handle " + m.method + ": " + e.what());
    }
    return;
  }
  spdlog::debug("<-- {}({})", m.method, m.id.dump());
  Reply reply(*this, m.id, m.method);
  if (state_ == State::Uninitialized && m.method != "initialize") {
    reply.error(ec::kServerNotInitialized, "the server is not initialized");
    return;
  }
  if (state_ == State::ShuttingDown) {
    reply.error(ec::kInvalidRequest, "the server is shutting down");
    return;
  }
  auto it = requests_.find(m.method);
  if (it == requests_.end()) {
    reply.error(ec::kMethodNotFound, "unknown method " + m.method);
    return;
  }
  const RequestHandler handler = it->second;
  answer_guarded(std::move(reply), [&](Reply r) { (this->*handler)(m.params, std::move(r)); });
  spdlog::debug("--> {}({}) {} µs", m.method, m.id.dump(),
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
}

void LspServer::answer_guarded(Reply reply, const std::function<void(Reply)>& work) {
  const Json id = reply.id();
  const std::string method = reply.method();
  const std::shared_ptr<bool> sent = reply.sent();
  auto fail = [&](int code, const std::string& message) {
    spdlog::warn("{}({}): {}", method, id.dump(), message);
    cancellable_.erase(id.dump());
    if (*sent) return;  // answered before it threw
    *sent = true;
    send(protocol::encode_error(id, code, message));
  };
  try {
    work(std::move(reply));
  } catch (const InvalidParams& e) {
    fail(ec::kInvalidParams, std::string("invalid params: ") + e.what());
  } catch (const Json::exception& e) {
    fail(ec::kInvalidParams, std::string("invalid params: ") + e.what());
  } catch (const std::exception& e) {
    fail(ec::kInternalError, std::string("internal error: ") + e.what());
  } catch (...) {
    fail(ec::kInternalError, "internal error");
  }
}

// ---- Lifecycle --------------------------------------------------------------------------------

void LspServer::on_initialize(const Json& params, Reply reply) {
  if (state_ != State::Uninitialized) {
    reply.error(ec::kInvalidRequest, "initialize was already received");
    return;
  }
  // Capabilities are optional hints: a malformed one counts as absent.
  auto object = [](const Json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : Json::object();
  };
  auto flag = [](const Json& j, const char* key) { return j.is_object() && j.value(key, Json()) == true; };
  const Json caps = object(params, "capabilities");
  const Json general = object(caps, "general");
  if (general.contains("positionEncodings") && general["positionEncodings"].is_array()) {
    for (const auto& e : general["positionEncodings"]) {
      if (e == "utf-8") encoding_ = protocol::PositionEncoding::Utf8;
    }
  }
  const Json text_doc = object(caps, "textDocument");
  client_pulls_diagnostics_ = text_doc.contains("diagnostic");
  const Json workspace = object(caps, "workspace");
  client_refreshes_diagnostics_ = flag(object(workspace, "diagnostics"), "refreshSupport");
  client_has_configuration_ = flag(workspace, "configuration");
  client_watches_files_ = flag(object(workspace, "didChangeWatchedFiles"), "dynamicRegistration");
  client_work_done_progress_ = flag(object(caps, "window"), "workDoneProgress");
  initialization_options_ = params.is_object() ? params.value("initializationOptions", Json()) : Json();
  std::vector<std::string> errors;
  settings_ = parse_settings(initialization_options_, errors);

  state_ = State::Running;
  Json capabilities{
      {"positionEncoding", encoding_ == protocol::PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync", Json{{"openClose", true}, {"change", 2}, {"save", Json{{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"codeActionProvider", Json{{"codeActionKinds", Json::array({"quickfix", "source.fixAll.lockward", "source.lockward.trace"})}}},
      {"inlayHintProvider", true},
      {"codeLensProvider", Json{{"resolveProvider", false}}},
      {"documentSymbolProvider", true},
      {"foldingRangeProvider", true},
      {"diagnosticProvider", Json{{"identifier", "lockward"}, {"interFileDependencies", false},
                                  {"workspaceDiagnostics", false}}},
      {"executeCommandProvider", Json{{"commands", Json::array({"lockward.trace"})}}},
      {"workspace", Json{{"workspaceFolders", Json{{"supported", true}, {"changeNotifications", true}}}}},
  };
  reply.reply(Json{{"capabilities", capabilities},
                   {"serverInfo", Json{{"name", "lockward"}, {"version", LOCKWARD_VERSION}}}});
  for (const auto& e : errors) log_message(1, e);
}

void LspServer::on_initialized(const Json&) {
  if (client_watches_files_) {
    // The configuration, and what a migration set is made of: its files and the tools' own
    // files (server/migrations): a migration created, changed or deleted on disk is history of
    // the open documents after it.
    Json watchers = Json::array();
    for (const char* glob : {"**/.lockward.toml", "**/*.sql", "**/*.sql.conf", "**/sqitch.plan", "**/atlas.sum",
                             "**/meta/_journal.json", "**/metadata.toml", "**/migration_lock.toml", "**/flyway.conf",
                             "**/flyway.toml", "**/dbconfig.yml", "**/atlas.hcl", "**/diesel.toml"})
      watchers.push_back(Json{{"globPattern", glob}});
    request_client("client/registerCapability",
                   Json{{"registrations", Json::array({Json{{"id", "lockward-config-watch"},
                                                            {"method", "workspace/didChangeWatchedFiles"},
                                                            {"registerOptions", Json{{"watchers", watchers}}}}})}},
                   [](const Json&) {});
  }
  pull_configuration();
}

void LspServer::on_shutdown(const Json&, Reply reply) {
  state_ = State::ShuttingDown;
  reply.reply(nullptr);
}

void LspServer::on_exit(const Json&) {
  exited_ = true;
  exit_code_ = state_ == State::ShuttingDown ? 0 : 1;
  io_.stop();
}

void LspServer::on_cancel_request(const Json& params) {
  if (!params.is_object() || !params.contains("id")) return;
  auto it = cancellable_.find(params["id"].dump());
  if (it == cancellable_.end()) return;  // already answered: nothing to do
  auto cancel = std::move(it->second);
  cancellable_.erase(it);
  cancel();
}

void LspServer::on_set_trace(const Json& params) {
  spdlog::info("$/setTrace {}", optional_string_field(params, "value", "off"));
}

// ---- Configuration ------------------------------------------------------------------------------

void LspServer::pull_configuration() {
  if (!client_has_configuration_) {
    reconfigure_all();
    return;
  }
  request_client("workspace/configuration", Json{{"items", Json::array({Json{{"section", "lockward"}}})}},
                 [this](const Json& result) {
                   Json section = result.is_array() && !result.empty() ? result[0] : Json();
                   // Settings pulled from the client replace the initialization options wholesale,
                   // so a key removed from the settings goes back to its default.
                   Json merged = initialization_options_.is_object() ? initialization_options_ : Json::object();
                   if (section.is_object()) merged.update(section);
                   std::vector<std::string> errors;
                   settings_ = parse_settings(merged, errors);
                   for (const auto& e : errors) log_message(1, e);
                   reconfigure_all();
                 });
}

void LspServer::on_did_change_configuration(const Json& params) {
  if (client_has_configuration_) {
    pull_configuration();
    return;
  }
  std::vector<std::string> errors;
  const Json settings = params.is_object() ? params.value("settings", Json()) : Json();
  settings_ = parse_settings(settings.is_object() && settings.contains("lockward") ? settings["lockward"] : settings,
                             errors);
  for (const auto& e : errors) log_message(1, e);
  reconfigure_all();
}

void LspServer::on_did_change_watched_files(const Json& params) {
  // A configuration file: everything is resolved again. Migrations and the tools' files: the
  // open documents' histories are read again (reused when their up parts hash the same) and
  // the documents analysed again, so their diagnostics follow the files on disk.
  bool config = true;
  if (params.is_object() && params.contains("changes") && params["changes"].is_array() && !params["changes"].empty()) {
    config = false;
    for (const auto& change : params["changes"]) {
      const std::string uri = change.is_object() && change.contains("uri") && change["uri"].is_string()
                                  ? change["uri"].get<std::string>()
                                  : std::string(".lockward.toml");
      if (uri.ends_with(".lockward.toml")) config = true;
    }
  }
  if (config) reconfigure_all();
  else histories_changed("", /*reanalyse=*/true);
}

void LspServer::on_did_change_workspace_folders(const Json&) { reconfigure_all(); }

void LspServer::histories_changed(const std::string& except, bool reanalyse) {
  for (auto& [uri, open] : documents_) {
    if (uri == except) continue;
    open.memory->history_stale = true;
    if (!reanalyse) continue;
    open.doc->analysed_version = -1;  // the schema its history built may differ
    ++open.inputs;
    open.published_version = -1;
    schedule(open, settings_.debounce_ms);
  }
}

void LspServer::reconfigure_all() {
  for (auto& [uri, open] : documents_) {
    open.memory->history_stale = true;
    open.config.reset();
    open.doc->analysed_version = -1;  // the old analysis used the old settings
    ++open.inputs;
    open.published_version = -1;
    schedule(open, 0);
  }
}

const ResolvedConfig& LspServer::config_for(OpenDocument& open) {
  if (open.config) return *open.config;
  std::string path = path_from_uri(open.doc->uri());
  ConfigResult result = resolve_config(path.empty() ? std::filesystem::current_path() : std::filesystem::path(path),
                                       settings_.overrides);
  for (const auto& e : result.errors) log_message(1, "lockward configuration: " + e);
  for (const auto& [rule, setting] : settings_.rules) result.config.options.rules[rule] = setting;
  open.config = std::move(result.config);
  return *open.config;
}

// ---- Text synchronisation ---------------------------------------------------------------------

bool LspServer::is_sql(const std::string& uri, const std::string& language_id) const {
  static const char* kIds[] = {"sql", "pgsql", "postgres", "postgresql", "plpgsql"};
  for (const char* id : kIds) {
    if (language_id == id) return true;
  }
  return uri.ends_with(".sql") || uri.ends_with(".SQL");
}

void LspServer::on_did_open(const Json& params) {
  std::string uri = string_field(params, "textDocument.uri");
  std::string language = optional_string_field(params, "textDocument.languageId");
  if (!is_sql(uri, language)) return;
  const long version = optional_field(params, "textDocument.version") ? integer_field(params, "textDocument.version") : 0;
  OpenDocument open;
  open.doc = std::make_unique<Document>(uri, language, version, string_field(params, "textDocument.text"));
  open.debounce = std::make_unique<boost::asio::steady_timer>(io_);
  auto [it, inserted] = documents_.insert_or_assign(uri, std::move(open));
  schedule(it->second, 0);
  histories_changed(uri, /*reanalyse=*/false);  // the buffer's text now stands for its file
}

void LspServer::on_did_change(const Json& params) {
  auto it = documents_.find(string_field(params, "textDocument.uri"));
  if (it == documents_.end()) return;
  OpenDocument& open = it->second;
  const long version = optional_field(params, "textDocument.version") ? integer_field(params, "textDocument.version")
                                                                       : open.doc->version() + 1;
  // Every change is read before any is applied: a bad one leaves the text as it was.
  std::vector<TextChange> changes;
  const Json& content_changes = array_field(params, "contentChanges");
  for (std::size_t i = 0; i < content_changes.size(); ++i) {
    const Json& c = content_changes[i];
    TextChange change;
    try {
      change.text = string_field(c, "text");
      if (optional_field(c, "range")) change.range = range_field(c, "range");
    } catch (const InvalidParams& e) {
      throw InvalidParams("in `contentChanges[" + std::to_string(i) + "]`: " + e.what());
    }
    changes.push_back(std::move(change));
  }
  open.doc->apply(version, changes, encoding_);
  open.focus = open.doc->last_edit();
  schedule(open, settings_.debounce_ms);
  // The others' histories may hold this text: read again at their next analysis.
  histories_changed(open.doc->uri(), /*reanalyse=*/false);
}

void LspServer::on_did_close(const Json& params) {
  std::string uri = string_field(params, "textDocument.uri");
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  auto waiters = std::move(it->second.waiters);
  documents_.erase(it);
  histories_changed(uri, /*reanalyse=*/true);  // its file on disk counts again
  for (auto& waiter : waiters) waiter();  // each answers ContentModified: the document is gone
  if (!client_pulls_diagnostics_) notify("textDocument/publishDiagnostics", Json{{"uri", uri}, {"diagnostics", Json::array()}});
}

void LspServer::on_did_save(const Json& params) {
  std::string uri = string_field(params, "textDocument.uri");
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  if (!it->second.doc->analysis_current()) schedule(it->second, 0);
  histories_changed(uri, /*reanalyse=*/true);  // a saved migration is history of the later ones
  if (settings_.trace_on_save && !it->second.trace_cancel) start_trace(uri, std::nullopt, nullptr);
}

// ---- Analysis scheduling ----------------------------------------------------------------------

void LspServer::schedule(OpenDocument& open, int delay_ms) {
  std::string uri = open.doc->uri();
  open.debounce->expires_after(std::chrono::milliseconds(delay_ms));
  open.debounce->async_wait([this, uri, alive = alive_](const boost::system::error_code& error) {
    if (error || !*alive) return;  // cancelled by a newer change, or shutting down
    start_analysis(uri);
  });
}

namespace {

// What a worker needs to write one version's publishDiagnostics message.
struct MessageJob {
  std::string uri;
  long version = 0;
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const protocol::LineIndex> lines;
  FeatureSettings features;
  protocol::PositionEncoding encoding = protocol::PositionEncoding::Utf16;
  std::size_t focus = 0, limit = 0;  // maxDiagnostics and where the user works
  std::shared_ptr<const TraceResults> trace;
};

struct WrittenMessage {
  std::shared_ptr<const DiagnosticsMessage> message;
  analysis::TextRange shown;  // DiagnosticsWindow's shown_bytes
};

// On the worker that owns `memory`. `change`: what the analysis replaced since the cache last
// wrote (nothing, when only the focus moved).
WrittenMessage write_message(const MessageJob& job, const analysis::Analysis& a, const analysis::AnalysisChange& change,
                             AnalysisMemory& memory) {
  std::string prefix = R"({"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":)";
  protocol::append_json_string(prefix, job.uri);
  prefix += R"(,"version":)" + std::to_string(job.version) + R"(,"diagnostics":)";
  std::string suffix = "}}";
  const DiagnosticsWindow window = diagnostics_window(a.findings, job.focus, job.limit);
  WrittenMessage out;
  out.shown = shown_bytes(window, a.findings);
  if (job.trace) {
    memory.diagnostics.clear();
    out.message = std::make_shared<const DiagnosticsMessage>(
        std::move(prefix),
        diagnostics_json(job.uri, *job.lines, *job.text, a, job.encoding, job.features, job.trace.get(), &window),
        std::move(suffix));
  } else {
    out.message = memory.diagnostics.update(job.uri, job.text, job.lines, a, change, job.encoding, job.features, window,
                                            std::move(prefix), std::move(suffix));
  }
  return out;
}

}  // namespace

Overlay LspServer::open_buffers() const {
  std::map<std::filesystem::path, std::shared_ptr<const std::string>> open;
  for (const auto& [uri, doc] : documents_) {
    const std::string path = path_from_uri(uri);
    if (!path.empty()) open[std::filesystem::path(path).lexically_normal()] = doc.doc->text();
  }
  return [open = std::move(open)](const std::filesystem::path& p) -> std::optional<std::string> {
    auto it = open.find(p.lexically_normal());
    if (it == open.end()) return std::nullopt;
    return *it->second;
  };
}

void LspServer::start_analysis(const std::string& uri) {
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  OpenDocument& open = it->second;
  if (open.in_flight) return;  // finish_analysis reschedules when the text moved on
  if (open.doc->analysis_current()) {
    publish(open);
    return;
  }
  open.in_flight = true;
  MessageJob job{uri,   open.doc->version(), open.doc->text(), open.doc->lines_ptr(),
                 FeatureSettings{settings_.docs_url, settings_.inlay_hints, settings_.code_lens},
                 encoding_, open.focus, settings_.max_diagnostics, open.trace};
  // The job owns copies: options and the snapshot/stats they point into.
  auto job_config = std::make_shared<const ResolvedConfig>(config_for(open));
  // The previous result is stale: let go of it, so the job can update it in place.
  open.doc->analysis.reset();
  // Its history is read again only when something else changed (histories_changed).
  std::string path = path_from_uri(uri);
  Overlay overlay = !path.empty() && open.memory->history_stale.exchange(false) ? open_buffers() : nullptr;
  boost::asio::post(workers_, [this, job = std::move(job), job_config, inputs = open.inputs, memory = open.memory,
                               path = std::move(path), overlay = std::move(overlay), alive = alive_] {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    if (overlay) memory->history = build_document_history(path, job_config->options, overlay, memory->history);
    const analysis::Options options = options_with_history(job_config->options, memory->history.get());
    std::shared_ptr<const analysis::Analysis> result;
    analysis::AnalysisChange whole;  // a rollback added to the result: diagnostics written afresh
    const analysis::AnalysisChange* change = &whole;
    const bool down_file = memory->history && memory->history->place.member && memory->history->place.down_file;
    if (down_file) {
      result = std::make_shared<const analysis::Analysis>(analysis::analyze_migration(*job.text, options, true));
    } else if (analysis::has_down_section(options.migration_tool, *job.text)) {
      const std::string up = analysis::part_text(options.migration_tool, *job.text, analysis::Part::Up);
      auto both = std::make_shared<analysis::Analysis>(*memory->analysis.update(up, options, &parallel_for_));
      // The rollback runs after the up part: it sees the history and what the up part built,
      // as `lockward check` analyses it (analyze_migration).
      analysis::append_rollback(
          *both, analysis::analyze_down_section(
                     *job.text, memory->rollback_schema.options(options, memory->history.get(), up), &parallel_for_));
      result = std::move(both);
    } else {
      result = memory->analysis.update(*job.text, options, &parallel_for_);
      change = &memory->analysis.change();
    }
    const auto analysed = Clock::now();
    memory->config = job_config;
    WrittenMessage written = write_message(job, *result, *change, *memory);
    auto us = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
    spdlog::debug("analysed {} v{} in {} µs ({}), diagnostics in {} µs", job.uri, job.version, us(analysed - started),
                  change->full ? "whole file" : "incremental", us(Clock::now() - analysed));
    if (!*alive) return;
    boost::asio::post(io_, [this, uri = job.uri, version = job.version, inputs, result, written, alive] {
      if (*alive) finish_analysis(uri, version, inputs, result, written.message, written.shown);
    });
  });
}

void LspServer::follow(OpenDocument& open, analysis::TextRange seen) {
  // Only past maxDiagnostics, with a current analysis, when the user looks where findings
  // are hidden: then the window moves there (a new selection, no new analysis).
  const analysis::TextRange shown = open.doc->diagnostics_shown;
  if (!open.doc->analysis_current() || open.in_flight || !open.doc->diagnostics_message ||
      (seen.end >= shown.begin && seen.begin <= shown.end))
    return;
  open.focus = seen.begin + (seen.end - seen.begin) / 2;
  open.in_flight = true;
  MessageJob job{open.doc->uri(), open.doc->version(), open.doc->text(), open.doc->lines_ptr(),
                 FeatureSettings{settings_.docs_url, settings_.inlay_hints, settings_.code_lens},
                 encoding_, open.focus, settings_.max_diagnostics, open.trace};
  boost::asio::post(workers_, [this, job = std::move(job), result = open.doc->analysis, inputs = open.inputs,
                               memory = open.memory, alive = alive_] {
    analysis::AnalysisChange nothing;
    nothing.full = false;
    WrittenMessage written = write_message(job, *result, nothing, *memory);
    spdlog::debug("diagnostics of {} v{} moved to byte {}", job.uri, job.version, job.focus);
    if (!*alive) return;
    boost::asio::post(io_, [this, uri = job.uri, version = job.version, inputs, result, written, alive] {
      if (!*alive) return;
      auto it = documents_.find(uri);
      if (it != documents_.end() && it->second.inputs == inputs) it->second.published_version = -1;  // other findings
      finish_analysis(uri, version, inputs, result, written.message, written.shown);
    });
  });
}

void LspServer::finish_analysis(const std::string& uri, long version, long inputs,
                                std::shared_ptr<const analysis::Analysis> result,
                                std::shared_ptr<const DiagnosticsMessage> notification, analysis::TextRange shown) {
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  OpenDocument& open = it->second;
  open.in_flight = false;
  if (version != open.doc->version() || inputs != open.inputs) {
    // Stale: the text, the configuration or the trace evidence changed while we analysed. The
    // debounce timer for the new text may already have fired while we were busy; make sure a
    // run follows.
    if (!open.waiters.empty()) start_analysis(uri);
    else schedule(open, 0);
    return;
  }
  open.doc->analysis = std::move(result);
  open.doc->diagnostics_message = std::move(notification);
  open.doc->diagnostics_shown = shown;
  open.doc->analysed_version = version;
  // New for every message written: configuration, trace evidence and the window change it too.
  open.result_id = std::to_string(version) + "." + std::to_string(++messages_written_);
  publish(open);
  auto waiters = std::move(open.waiters);
  open.waiters.clear();
  for (auto& w : waiters) w();
}

void LspServer::publish(OpenDocument& open) {
  if (open.published_version == open.doc->analysed_version) return;
  if (client_pulls_diagnostics_) {
    // A client that pulls asks again after an edit; when the diagnostics of the text it has
    // change (trace evidence, the window moved), it has to be told.
    const bool same_text = open.pulled_version == open.doc->analysed_version;
    open.published_version = open.pulled_version = open.doc->analysed_version;
    if (same_text && client_refreshes_diagnostics_) request_client("workspace/diagnostic/refresh", nullptr, [](const Json&) {});
    return;
  }
  open.published_version = open.doc->analysed_version;
  const DiagnosticsMessage& message = *open.doc->diagnostics_message;
  const auto started = std::chrono::steady_clock::now();
  write_(protocol::frame_header(message.size()));
  message.write(write_);
  spdlog::debug("published {} v{}: {} bytes in {} µs", open.doc->uri(), open.published_version, message.size(),
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
}

void LspServer::with_analysis(const Json& params, Reply reply,
                              std::function<void(OpenDocument&, const analysis::Analysis&, Reply)> handler) {
  std::string uri = string_field(params, "textDocument.uri");
  auto it = documents_.find(uri);
  if (it == documents_.end()) {
    reply.reply(nullptr);  // not a document we analyse
    return;
  }
  OpenDocument& open = it->second;
  if (open.doc->analysis_current()) {
    handler(open, *open.doc->analysis, std::move(reply));
    return;
  }
  // Answer once the current text is analysed; skip the debounce, someone is waiting.
  std::string key = reply.id().dump();
  auto shared_reply = std::make_shared<std::optional<Reply>>(std::move(reply));
  // The waiter owns the reply; the cancel entry only points at it. Were the entry an owner,
  // destroying it could destroy the last Reply, whose destructor erases that same entry from
  // cancellable_ while the map is erasing it (a double free when the server tears down).
  cancellable_[key] = [weak = std::weak_ptr(shared_reply)] {
    auto shared = weak.lock();
    if (!shared) return;
    if (*shared) (*shared)->error(ec::kRequestCancelled, "request cancelled");
    shared->reset();
  };
  open.waiters.push_back([this, uri, shared_reply, handler] {
    if (!*shared_reply) return;  // cancelled meanwhile
    auto it = documents_.find(uri);
    Reply r = std::move(**shared_reply);
    shared_reply->reset();
    if (it == documents_.end() || !it->second.doc->analysis_current()) {
      r.error(ec::kContentModified, "the document changed or closed");
      return;
    }
    // Outside the dispatcher now: the same guard answers if the handler throws.
    answer_guarded(std::move(r), [&](Reply guarded) {
      handler(it->second, *it->second.doc->analysis, std::move(guarded));
    });
  });
  open.debounce->cancel();
  start_analysis(uri);
}

// ---- Features ---------------------------------------------------------------------------------

void LspServer::on_hover(const Json& params, Reply reply) {
  const protocol::Position position = position_field(params, "position");
  with_analysis(params, std::move(reply), [this, position](OpenDocument& open, const analysis::Analysis& a, Reply r) {
    Converter conv{open.doc->lines(), encoding_};
    const std::size_t offset = conv.offset(position);
    // No follow(): the mouse resting on text is not where the user works.
    Json result = hover(*open.doc, a, encoding_, offset, open.trace.get());
    if (result.is_null()) return r.reply(result);
    // Where the name under the mouse came from: looked up on the worker (it parses).
    on_worker(open, std::move(r),
              [result = std::move(result), offset](const Document& doc, const DocumentHistory* history,
                                                   const analysis::Options& options, const analysis::FileIndex& own,
                                                   protocol::PositionEncoding enc) {
                Json out = result;
                const std::string origin = origin_line(doc, history, options, own, enc, offset);
                if (!origin.empty()) {
                  std::string md = out["contents"]["value"];
                  const std::size_t head = md.find("\n\n");
                  md.insert(head == std::string::npos ? md.size() : head + 2, "Origin: " + origin + "\n\n");
                  out["contents"]["value"] = md;
                }
                return out;
              });
  });
}

void LspServer::on_definition(const Json& params, Reply reply) {
  const protocol::Position position = position_field(params, "position");
  with_analysis(params, std::move(reply), [this, position](OpenDocument& open, const analysis::Analysis&, Reply r) {
    const std::size_t offset = Converter{open.doc->lines(), encoding_}.offset(position);
    on_worker(open, std::move(r),
              [offset](const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                       const analysis::FileIndex& own, protocol::PositionEncoding enc) {
                return definition(doc, history, options, own, enc, offset);
              });
  });
}

void LspServer::on_references(const Json& params, Reply reply) {
  const protocol::Position position = position_field(params, "position");
  const Json* declaration = optional_field(params, "context.includeDeclaration");
  const bool include_declaration = !declaration || !declaration->is_boolean() || declaration->get<bool>();
  with_analysis(params, std::move(reply), [this, position, include_declaration](OpenDocument& open,
                                                                                 const analysis::Analysis&, Reply r) {
    const std::size_t offset = Converter{open.doc->lines(), encoding_}.offset(position);
    on_worker(open, std::move(r),
              [offset, include_declaration](const Document& doc, const DocumentHistory* history,
                                            const analysis::Options& options, const analysis::FileIndex& own,
                                            protocol::PositionEncoding enc) {
                return references(doc, history, options, own, enc, offset, include_declaration);
              });
  });
}

LspServer::WorkerReply LspServer::cancellable_on_worker(Reply reply) {
  auto shared_reply = std::make_shared<std::optional<Reply>>(std::move(reply));
  auto cancelled = std::make_shared<std::atomic<bool>>(false);  // read by the worker
  cancellable_[(*shared_reply)->id().dump()] = [weak = std::weak_ptr(shared_reply), cancelled] {
    cancelled->store(true);
    auto shared = weak.lock();
    if (!shared) return;
    if (*shared) (*shared)->error(ec::kRequestCancelled, "request cancelled");
    shared->reset();
  };
  return {std::move(shared_reply), std::move(cancelled)};
}

void LspServer::on_worker(OpenDocument& open, Reply reply, WorkerQuery query) {
  auto doc = std::make_shared<const Document>(*open.doc);
  auto config = std::make_shared<const ResolvedConfig>(config_for(open));
  auto [shared_reply, cancelled] = cancellable_on_worker(std::move(reply));
  boost::asio::post(workers_, [this, doc, config, query = std::move(query), encoding = encoding_, shared_reply,
                               cancelled, memory = open.memory, alive = alive_] {
    if (!*alive || cancelled->load()) return;
    // The history belongs to this worker thread (AnalysisMemory).
    const analysis::Options options = options_with_history(config->options, memory->history.get());
    std::optional<Json> result;
    std::string failure;
    try {
      if (!memory->own_model || memory->own_model_text != doc->text() ||
          memory->own_model_pg_version != options.pg_version) {
        memory->own_model = std::make_shared<const analysis::FileIndex>(analysis::file_index(*doc->text(), options, ""));
        memory->own_model_text = doc->text();
        memory->own_model_pg_version = options.pg_version;
      }
      result = query(*doc, memory->history.get(), options, *memory->own_model, encoding);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    boost::asio::post(io_, [shared_reply, result = std::move(result), failure = std::move(failure), alive] {
      if (!*alive || !*shared_reply) return;
      if (result) (*shared_reply)->reply(*result);
      else (*shared_reply)->error(ec::kInternalError, failure);
      shared_reply->reset();
    });
  });
}

void LspServer::on_code_action(const Json& params, Reply reply) {
  const PositionRange range = range_field(params, "range");
  const Json* only_field = optional_field(params, "context.only");
  Json only = only_field ? *only_field : Json();
  // A request the editor makes by itself (VS Code's light bulb, on every cursor move) shows
  // no source actions: it does not get the fix-all, which costs a whole-file analysis.
  const Json* trigger = optional_field(params, "context.triggerKind");
  if (only.is_null() && trigger && trigger->is_number_integer() && trigger->get<int>() == 2)
    only = Json::array({"quickfix", "source.lockward.trace"});
  with_analysis(params, std::move(reply), [this, range, only](OpenDocument& open, const analysis::Analysis&, Reply r) {
    Converter conv{open.doc->lines(), encoding_};
    const analysis::TextRange at = conv.byte_range(range);
    follow(open, {at.begin, at.begin});
    // Each offered fix is checked by analysing its result (a whole-file analysis): on the
    // worker, with copies of what it reads, so that the I/O thread goes on meanwhile.
    auto doc = std::make_shared<const Document>(*open.doc);
    auto config = std::make_shared<const ResolvedConfig>(config_for(open));
    auto [shared_reply, cancelled] = cancellable_on_worker(std::move(r));
    boost::asio::post(workers_, [this, doc, config, at, only, encoding = encoding_, offer_trace = !open.trace_cancel,
                                 shared_reply, cancelled, memory = open.memory, alive = alive_] {
      if (!*alive || cancelled->load()) return;  // a cancelled request costs no analysis
      // The options the document was analysed with: its migration set's tool and history (the
      // memory is only touched on this one worker thread).
      const analysis::Options options = options_with_history(config->options, memory->history.get());
      Json actions = code_actions(*doc, *doc->analysis, options, encoding, at, only, offer_trace, &parallel_for_);
      boost::asio::post(io_, [shared_reply, actions = std::move(actions), alive] {
        if (!*alive || !*shared_reply) return;
        (*shared_reply)->reply(actions);
        shared_reply->reset();
      });
    });
  });
}

void LspServer::on_inlay_hint(const Json& params, Reply reply) {
  const PositionRange range = range_field(params, "range");
  with_analysis(params, std::move(reply), [this, range](OpenDocument& open, const analysis::Analysis& a, Reply r) {
    Converter conv{open.doc->lines(), encoding_};
    const analysis::TextRange visible = conv.byte_range(range);  // clients ask for what is on screen
    follow(open, visible);
    if (!settings_.inlay_hints) return r.reply(Json::array());
    r.reply(inlay_hints(*open.doc, a, encoding_, visible, open.trace.get()));
  });
}

void LspServer::on_code_lens(const Json& params, Reply reply) {
  with_analysis(params, std::move(reply), [this](OpenDocument& open, const analysis::Analysis& a, Reply r) {
    if (!settings_.code_lens) return r.reply(Json::array());
    r.reply(code_lenses(*open.doc, a, encoding_));
  });
}

void LspServer::on_document_symbol(const Json& params, Reply reply) {
  with_analysis(params, std::move(reply), [this](OpenDocument& open, const analysis::Analysis& a, Reply r) {
    r.reply(document_symbols(*open.doc, a, encoding_));
  });
}

void LspServer::on_folding_range(const Json& params, Reply reply) {
  with_analysis(params, std::move(reply), [](OpenDocument& open, const analysis::Analysis& a, Reply r) {
    r.reply(folding_ranges(*open.doc, a));
  });
}

void LspServer::on_diagnostic(const Json& params, Reply reply) {
  std::string previous = optional_string_field(params, "previousResultId");
  with_analysis(params, std::move(reply), [previous](OpenDocument& open, const analysis::Analysis&, Reply r) {
    if (!previous.empty() && previous == open.result_id) {
      r.reply(Json{{"kind", "unchanged"}, {"resultId", open.result_id}});
      return;
    }
    std::string result = R"({"kind":"full","resultId":)";
    protocol::append_json_string(result, open.result_id);
    result += R"(,"items":)";
    result += open.doc->diagnostics_message->array();
    result += "}";
    r.reply_raw(result);
  });
}

void LspServer::on_execute_command(const Json& params, Reply reply) {
  std::string command = string_field(params, "command");
  if (command != "lockward.trace") {
    reply.error(ec::kInvalidParams, "unknown command " + command);
    return;
  }
  // Arguments: [uri] or [{"uri": …}].
  const Json* args_field = optional_field(params, "arguments");
  const Json args = args_field ? *args_field : Json::array();
  if (!args.is_array()) throw InvalidParams("`arguments` must be an array");
  std::string uri;
  if (!args.empty() && args[0].is_string()) uri = args[0].get<std::string>();
  else if (!args.empty() && args[0].is_object()) uri = args[0].value("uri", std::string());
  if (!documents_.contains(uri)) {
    reply.error(ec::kInvalidParams, "lockward.trace needs the URI of an open SQL document");
    return;
  }
  const Json* token = optional_field(params, "workDoneToken");
  start_trace(uri, std::move(reply), token ? *token : Json());
}

void LspServer::on_work_done_progress_cancel(const Json& params) {
  const Json* token_field = optional_field(params, "token");
  const Json token = token_field ? *token_field : Json();
  for (auto& [uri, open] : documents_) {
    if (open.trace_cancel && token.is_string() && open.trace_token == token.get<std::string>()) open.trace_cancel->store(true);
  }
}

void LspServer::trace_status(const std::string& uri, std::string_view state, const std::string& message,
                             const TraceResults* results) {
  Json params{{"uri", uri}, {"state", state}, {"message", message}};
  if (results) {
    params["pgVersion"] = results->server_version;
    params["confirmed"] = results->confirmed;
    params["mismatches"] = results->mismatches;
    params["errors"] = results->errors;
    params["traceOnly"] = results->trace_only;
    params["seconds"] = results->seconds;
  }
  notify("lockward/traceStatus", params);
}

void LspServer::schedule_reaper() {
  if (!reaper_) reaper_ = std::make_unique<boost::asio::steady_timer>(io_);
  reaper_->expires_after(std::chrono::seconds(std::min(60, settings_.trace_idle_seconds)));
  reaper_->async_wait([this, alive = alive_](const boost::system::error_code& error) {
    if (error || !*alive || !trace_service_) return;
    trace_service_->set_idle(std::chrono::seconds(settings_.trace_idle_seconds));
    trace_service_->reap_idle();
    schedule_reaper();
  });
}

void LspServer::start_trace(const std::string& uri, std::optional<Reply> reply, Json token) {
  auto it = documents_.find(uri);
  OpenDocument& open = it->second;
  if (open.trace_cancel) {
    if (reply) reply->error(ec::kRequestFailed, "a trace of this document is already running");
    return;
  }
  if (!trace_service_) {
    trace_service_ = std::make_unique<TraceService>(std::chrono::seconds(settings_.trace_idle_seconds));
    schedule_reaper();
  }
  open.trace_cancel = std::make_shared<std::atomic<bool>>(false);
  // Progress: the client's token, or one we create when the client supports it.
  if (token.is_null() && client_work_done_progress_) {
    token = "lockward-trace-" + std::to_string(next_progress_token_++);
    request_client("window/workDoneProgress/create", Json{{"token", token}}, [](const Json&) {});
  }
  open.trace_token = token.is_string() ? token.get<std::string>() : token.dump();
  const ResolvedConfig& config = config_for(open);
  std::string file = path_from_uri(uri);
  std::string title = "Tracing " + (file.empty() ? uri : std::filesystem::path(file).filename().string()) +
                      " on PostgreSQL " + std::to_string(config.options.pg_version);
  if (!token.is_null()) {
    notify("$/progress", Json{{"token", token},
                             {"value", Json{{"kind", "begin"}, {"title", title}, {"cancellable", true}, {"percentage", 0}}}});
  }
  trace_status(uri, "running", title, nullptr);
  if (reply) {
    std::string key = reply->id().dump();
    cancellable_[key] = [cancel = open.trace_cancel] { cancel->store(true); };
  }

  TraceRequest request;
  request.uri = uri;
  request.path = file;
  request.text = open.doc->text();
  request.version = open.doc->version();
  request.options = config.options;
  if (!file.empty()) {
    // Its migration set (open buffers in place of their files): the up parts before it are
    // replayed, and only its own up part is traced.
    std::shared_ptr<const MigrationSet> set =
        MigrationSet::load(MigrationSet::root_of(file), config.options.migration_tool, open_buffers(), file);
    request.history = set->history_before(file);
    request.options = options_in_set(request.options, *set, set->place(file));
    request.text = std::make_shared<const std::string>(
        analysis::part_text(request.options.migration_tool, *request.text, analysis::Part::Up));
  }
  request.snapshot = config.snapshot;  // the same configuration as `lockward trace`: its snapshot and stats
  request.stats = config.stats;
  if (settings_.trace_pg_bin) request.pg_bin = *settings_.trace_pg_bin;
  request.provider = settings_.trace_provider;
  request.docker_image = settings_.trace_docker_image;
  request.docker_cli = settings_.trace_docker_cli;
  request.dsn = settings_.trace_dsn;
  request.superuser = settings_.trace_superuser;
  request.cancelled = open.trace_cancel;
  // Every phase (finding a server, starting it, the replay template, the clone, each
  // statement) is a report, so the client hears from the trace before any cluster is up.
  request.progress = [this, token, alive = alive_](const trace::Progress& p) {
    if (token.is_null()) return;
    int percent = p.total == 0 ? 0 : static_cast<int>(100 * p.done / p.total);
    std::string message = p.message;
    boost::asio::post(io_, [this, token, percent, message, alive] {
      if (*alive) notify("$/progress", Json{{"token", token}, {"value", Json{{"kind", "report"}, {"message", message},
                                                                             {"percentage", percent}}}});
    });
  };
  // The reply travels with the job: it is answered exactly once when the trace ends.
  auto shared_reply = std::make_shared<std::optional<Reply>>(std::move(reply));
  trace_service_->run(std::move(request), [this, uri, token, shared_reply, alive = alive_](TraceOutcome outcome) {
    if (!*alive) return;
    boost::asio::post(io_, [this, uri, token, shared_reply, outcome = std::move(outcome), alive]() mutable {
      if (*alive) finish_trace(uri, std::move(outcome), std::move(*shared_reply), token);
    });
  });
}

void LspServer::finish_trace(const std::string& uri, TraceOutcome outcome, std::optional<Reply> reply,
                             const Json& token) {
  std::string summary;
  if (outcome.cancelled) {
    summary = "trace cancelled";
  } else if (!outcome.results) {
    summary = "trace failed: " + outcome.error;
  } else {
    const TraceResults& r = *outcome.results;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", r.seconds);
    summary = "PostgreSQL " + r.server_version + ": " + std::to_string(r.confirmed) + " confirmed, " +
              std::to_string(r.mismatches) + " mismatches, " + std::to_string(r.trace_only) + " trace-only, " +
              std::to_string(r.errors) + " errors in " + seconds + " s" + (r.cold ? " (cluster started)" : "");
  }
  if (!token.is_null()) notify("$/progress", Json{{"token", token}, {"value", Json{{"kind", "end"}, {"message", summary}}}});
  auto it = documents_.find(uri);
  if (it != documents_.end()) {
    OpenDocument& open = it->second;
    open.trace_cancel.reset();
    open.trace_token.clear();
    // A re-trace that found what the last one found changes no diagnostic: nothing to publish.
    if (outcome.results && !(open.trace && same_findings(*open.trace, *outcome.results))) {
      open.trace = outcome.results;
      // Rebuild the diagnostics with the evidence (the document analysis makes this cheap).
      open.doc->analysed_version = -1;
      open.published_version = -1;
      ++open.inputs;
      schedule(open, 0);
    }
  }
  trace_status(uri, outcome.cancelled ? "cancelled" : outcome.results ? "done" : "failed", summary,
               outcome.results.get());
  if (!outcome.cancelled && !outcome.results) notify("window/showMessage", Json{{"type", 1}, {"message", "lockward: " + summary}});
  if (reply) {
    if (outcome.cancelled) reply->error(ec::kRequestCancelled, "trace cancelled");
    else if (!outcome.results) reply->error(ec::kRequestFailed, summary);
    else reply->reply(Json{{"summary", summary}, {"confirmed", outcome.results->confirmed},
                          {"mismatches", outcome.results->mismatches}, {"errors", outcome.results->errors},
                          {"traceOnly", outcome.results->trace_only}, {"seconds", outcome.results->seconds}});
  }
}

}  // namespace lockward::server::lsp
