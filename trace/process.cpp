#include "trace/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern "C" char** environ;

namespace lockward::trace {
namespace {

// What execve needs, built before fork: allocating in the child of a threaded process can
// deadlock on a lock another thread held at fork time.
struct ExecArgs {
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;  // empty: inherit ours

  ExecArgs(const std::vector<std::string>& args, const Environment& env) {
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (env.empty()) return;
    env_storage = env;
    auto overridden = [&](const char* entry) {
      const char* eq = std::strchr(entry, '=');
      std::size_t n = eq ? static_cast<std::size_t>(eq - entry) + 1 : std::strlen(entry);
      for (const auto& e : env)
        if (e.compare(0, n, entry, n) == 0) return true;
      return false;
    };
    for (char** e = environ; e && *e; ++e)
      if (!overridden(*e)) env_storage.emplace_back(*e);
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

[[noreturn]] void exec_child(ExecArgs& exec, std::optional<RunAs> as, int death_signal = 0, pid_t parent = 0) {
  if (as) {
    if (setgroups(0, nullptr) != 0 || setgid(as->gid) != 0 || setuid(as->uid) != 0) {
      std::fprintf(stderr, "lockward: cannot switch to uid %d: %s\n", static_cast<int>(as->uid), std::strerror(errno));
      _exit(126);
    }
  }
  // After the user switch: changing credentials clears the parent-death signal.
  if (death_signal) {
    prctl(PR_SET_PDEATHSIG, death_signal);
    if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
    // The signal guard blocks stop signals and children inherit the mask: a child that must
    // die by signal needs them back.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
  }
  if (exec.envp.empty())
    execv(exec.argv[0], exec.argv.data());
  else
    execve(exec.argv[0], exec.argv.data(), exec.envp.data());
  std::fprintf(stderr, "lockward: cannot run %s: %s\n", exec.argv[0], std::strerror(errno));
  _exit(127);
}

}  // namespace

bool process_matches(pid_t pid, uid_t uid, const std::string& exe_name, const std::filesystem::path& cwd) {
  if (pid <= 0) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  bool uid_ok = false;
  std::ifstream status(proc + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    long real = -1, effective = -1;
    std::istringstream(line.substr(4)) >> real >> effective;
    uid_ok = real == static_cast<long>(uid) && effective == static_cast<long>(uid);
  }
  if (!uid_ok) return false;
  std::error_code ec;
  std::string exe = std::filesystem::read_symlink(proc + "/exe", ec).filename().string();
  if (ec) return false;
  if (const std::string deleted = " (deleted)"; exe.size() > deleted.size() && exe.ends_with(deleted))
    exe.resize(exe.size() - deleted.size());  // the binary was upgraded under it
  if (exe != exe_name) return false;
  std::filesystem::path actual = std::filesystem::read_symlink(proc + "/cwd", ec);
  if (ec) return false;
  std::filesystem::path expected = std::filesystem::weakly_canonical(cwd, ec);
  return !ec && actual == expected;
}

std::optional<RunAs> unprivileged_user() {
  if (geteuid() != 0) return std::nullopt;
  for (const char* name : {"postgres", "nobody"}) {
    if (passwd* pw = getpwnam(name)) return RunAs{pw->pw_uid, pw->pw_gid};
  }
  return RunAs{65534, 65534};
}

ProcessResult run_process(const std::vector<std::string>& argv, std::optional<RunAs> as, int timeout_seconds,
                          const Environment& env) {
  ProcessResult result;
  ExecArgs exec(argv, env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return result;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    exec_child(exec, as);
  }
  close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buffer[4096];
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  result.exit_code = timed_out ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  if (timed_out) result.output += "\n(killed after " + std::to_string(timeout_seconds) + " s)";
  return result;
}

pid_t spawn_process(const std::vector<std::string>& argv, std::optional<RunAs> as, const std::string& log_path,
                    bool die_with_parent, const Environment& env) {
  ExecArgs exec(argv, env);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);  // signals to our process group (Ctrl-C) do not reach it; we stop it ourselves
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (log >= 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  // SIGINT is PostgreSQL's fast shutdown.
  exec_child(exec, as, die_with_parent ? SIGINT : 0, parent);
}

void stop_child(pid_t pid, int signal, int timeout_ms) {
  if (pid <= 0) return;
  kill(pid, signal);
  int status = 0;
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

}  // namespace lockward::trace
