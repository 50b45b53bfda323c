// Runs the real `lockward lsp` binary over pipes and speaks LSP to it, with timeouts, so
// end-to-end tests never hang.
#pragma once

#include <nlohmann/json.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lockward::test {

using Json = nlohmann::json;

class LspProcess {
 public:
  explicit LspProcess(std::vector<std::string> extra_args = {});
  ~LspProcess();
  LspProcess(const LspProcess&) = delete;
  LspProcess& operator=(const LspProcess&) = delete;

  void send_raw(const std::string& bytes);
  void send(const Json& message);
  Json request(const std::string& method, const Json& params, int timeout_ms = 10000);
  void notify(const std::string& method, const Json& params);
  // The next message (any kind); nullopt on timeout or EOF.
  std::optional<Json> receive(int timeout_ms = 10000);
  // The next message from the server itself, bypassing messages kept for later.
  std::optional<Json> read_next(int timeout_ms = 10000) { return read_message(timeout_ms); }
  // The next frame's body, unparsed (for benchmarks that time parsing apart).
  std::optional<std::string> read_body(int timeout_ms = 10000);
  // When the first byte of the frame read_body()/read_next() returned last arrived.
  std::chrono::steady_clock::time_point first_byte() const { return first_byte_; }
  // Puts a message back for later receive()/wait_*() calls.
  void keep(const Json& message) { backlog_.push_back(message); }
  // The next notification with this method, skipping others (kept for later receive()).
  std::optional<Json> wait_notification(const std::string& method, int timeout_ms = 10000);
  // The next message `wanted` accepts, keeping the others for later.
  std::optional<Json> wait_for(const std::function<bool(const Json&)>& wanted, int timeout_ms);
  // The next response to `id`.
  std::optional<Json> wait_response(const Json& id, int timeout_ms = 10000);
  // Initializes with the given capabilities and sends `initialized`.
  Json initialize(const Json& capabilities = Json::object(), const Json& options = nullptr);
  void close_stdin();
  // Waits for the process to exit; returns its exit code, or -1 on timeout (then kills it).
  int wait_exit(int timeout_ms = 5000);
  std::string stderr_text() const;
  int pid() const { return pid_; }

 private:
  std::optional<Json> read_message(int timeout_ms);
  int pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string err_path_;
  std::string buffer_;
  std::chrono::steady_clock::time_point first_byte_;
  std::vector<Json> backlog_;
  long next_id_ = 1000;
};

}  // namespace lockward::test
