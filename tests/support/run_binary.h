// Runs the real lockward binary and collects its exit code and output; a temporary folder to
// write migrations into. For tests that use the CLI as a user would.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace lockward::test {

struct CommandResult {
  int code = -1;
  std::string output;
};

// Runs a shell command line and collects its exit code and output.
inline CommandResult run_shell(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `args` go through the shell (quote them); stderr is captured too unless with_stderr is false.
inline CommandResult run_lockward(const std::string& args, bool with_stderr = true) {
  return run_shell(std::string(LOCKWARD_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

// The same with a changed environment: `env_args` are env(1)'s ("-u NAME", "NAME=value").
inline CommandResult run_lockward_env(const std::string& env_args, const std::string& args) {
  return run_shell("env " + env_args + " " + std::string(LOCKWARD_BINARY) + " " + args + " 2>&1");
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lockward-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `text` to `name` (creating folders) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

}  // namespace lockward::test
