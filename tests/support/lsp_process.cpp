#include "tests/support/lsp_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lockward::test {

LspProcess::LspProcess(std::vector<std::string> extra_args) {
  char tmpl[] = "/tmp/lockward-lsp-stderr-XXXXXX";
  int err_fd = mkstemp(tmpl);
  err_path_ = tmpl;
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    dup2(err_fd, 2);
    close(to_child[1]);
    close(from_child[0]);
    // Debug logs unless the test chooses the level (or, with "--log-level" "default", none).
    std::vector<std::string> args = {LOCKWARD_BINARY, "lsp"};
    if (std::find(extra_args.begin(), extra_args.end(), "--log-level") == extra_args.end()) {
      args.push_back("--log-level");
      args.push_back("debug");
    }
    for (std::size_t i = 0; i < extra_args.size(); ++i) {
      if (extra_args[i] == "--log-level" && i + 1 < extra_args.size() && extra_args[i + 1] == "default") {
        ++i;
        continue;
      }
      args.push_back(extra_args[i]);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err_fd);
  close(to_child[0]);
  close(from_child[1]);
  in_ = to_child[1];
  out_ = from_child[0];
  signal(SIGPIPE, SIG_IGN);
}

LspProcess::~LspProcess() {
  if (in_ >= 0) close(in_);
  if (pid_ > 0) {
    if (wait_exit(2000) == -1) {}
  }
  if (out_ >= 0) close(out_);
  unlink(err_path_.c_str());
}

void LspProcess::send_raw(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(in_, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void LspProcess::send(const Json& message) {
  std::string body = message.dump();
  send_raw("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

void LspProcess::notify(const std::string& method, const Json& params) {
  send(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

Json LspProcess::request(const std::string& method, const Json& params, int timeout_ms) {
  long id = next_id_++;
  send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  auto r = wait_response(id, timeout_ms);
  if (!r) throw std::runtime_error("no response to " + method);
  return *r;
}

std::optional<Json> LspProcess::read_message(int timeout_ms) {
  std::optional<std::string> body = read_body(timeout_ms);
  if (!body) return std::nullopt;
  return Json::parse(*body);
}

std::optional<std::string> LspProcess::read_body(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::size_t header_end = buffer_.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      std::size_t cl = buffer_.find("Content-Length:");
      std::size_t length = std::stoul(buffer_.substr(cl + 15, header_end - cl - 15));
      if (buffer_.size() >= header_end + 4 + length) {
        std::string body = buffer_.substr(header_end + 4, length);
        buffer_.erase(0, header_end + 4 + length);
        if (!buffer_.empty()) first_byte_ = std::chrono::steady_clock::now();  // the next frame began already
        return body;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return std::nullopt;
    char chunk[65536];
    ssize_t n = read(out_, chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    if (buffer_.empty()) first_byte_ = std::chrono::steady_clock::now();
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<Json> LspProcess::receive(int timeout_ms) {
  if (!backlog_.empty()) {
    Json m = backlog_.front();
    backlog_.erase(backlog_.begin());
    return m;
  }
  return read_message(timeout_ms);
}

std::optional<Json> LspProcess::wait_for(const std::function<bool(const Json&)>& wanted, int timeout_ms) {
  for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
    if (wanted(*it)) {
      Json m = *it;
      backlog_.erase(it);
      return m;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    auto m = read_message(static_cast<int>(std::max<long>(left, 0)));
    if (!m) return std::nullopt;
    if (wanted(*m)) return m;
    backlog_.push_back(*m);
  }
}

std::optional<Json> LspProcess::wait_notification(const std::string& method, int timeout_ms) {
  return wait_for([&](const Json& m) { return m.value("method", "") == method && !m.contains("id"); }, timeout_ms);
}

std::optional<Json> LspProcess::wait_response(const Json& id, int timeout_ms) {
  return wait_for([&](const Json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); }, timeout_ms);
}

Json LspProcess::initialize(const Json& capabilities, const Json& options) {
  Json params{{"processId", nullptr}, {"rootUri", nullptr}, {"capabilities", capabilities}};
  if (!options.is_null()) params["initializationOptions"] = options;
  Json r = request("initialize", params);
  notify("initialized", Json::object());
  return r;
}

void LspProcess::close_stdin() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

int LspProcess::wait_exit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    usleep(5000);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string LspProcess::stderr_text() const {
  std::ifstream f(err_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace lockward::test
