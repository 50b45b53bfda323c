// `lockward check` end to end through the real binary (read, analyse, report), beside squawk on
// the same input in the same run when squawk is installed. Reports numbers; asserts none.
// Targets: one file of 20,000 statements under 250 ms in every format with peak RSS under
// 100 MB; a folder of 1,000 files × 20 statements under 400 ms (each file with the schema its
// predecessors built; `folder-no-history` without, `folder-last` the last file alone with 999
// predecessors as history, target 300 ms); faster than squawk on every
// input. ms per 1,000 statements at each size shows whether time grows linearly.
//
//   check_bench [--runs N] [--squawk PATH] [--formats text,json,…] [--squawk-reporters tty,json,gitlab]
//               [SIZES… | folder | folder-no-history | folder-last]
// (squawk's tty reporter grows quadratically: minutes at 20,000 statements.)
//
// squawk: `npm install squawk-cli` (its binary comes in the @squawk-cli/<platform> package);
// found through --squawk, $SQUAWK, ./node_modules/.bin or PATH.
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/generate.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  double ms = 0;
  double cpu_ms = 0;  // user + system: less disturbed than wall time on a busy machine
  long peak_rss_kb = 0;
  std::uintmax_t output_bytes = 0;
  int exit_code = -1;
};

// Runs argv with stdout into `output` and stderr discarded; the child's own peak RSS.
Result run_once(const std::vector<std::string>& argv, const fs::path& output) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Result r;
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = open("/dev/null", O_WRONLY);
    dup2(out, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  r.peak_rss_kb = usage.ru_maxrss;
  auto ms_of = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  r.cpu_ms = ms_of(usage.ru_utime) + ms_of(usage.ru_stime);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::error_code ec;
  r.output_bytes = fs::file_size(output, ec);
  return r;
}

// Every run's time (the spread shows the machine's noise) and the median's other numbers.
struct Series {
  std::vector<double> ms;
  Result median;
};

Series run(const std::vector<std::string>& argv, const fs::path& output, int runs) {
  std::vector<Result> results;
  for (int i = 0; i < runs; ++i) results.push_back(run_once(argv, output));
  std::sort(results.begin(), results.end(), [](const Result& a, const Result& b) { return a.ms < b.ms; });
  Series s;
  for (const auto& r : results) s.ms.push_back(r.ms);
  s.median = results[results.size() / 2];
  return s;
}

std::string find_squawk(const std::string& given) {
  std::vector<std::string> candidates;
  if (!given.empty()) candidates.push_back(given);
  if (const char* env = std::getenv("SQUAWK")) candidates.push_back(env);
  candidates.push_back("node_modules/@squawk-cli/linux-x64/bin/squawk");
  candidates.push_back("node_modules/.bin/squawk");
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) candidates.push_back(dir + "/squawk");
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec) && access(c.c_str(), X_OK) == 0) return fs::absolute(c).string();
  }
  return "";
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string times(const Series& s) {
  std::string out;
  char buf[32];
  for (double ms : s.ms) {
    std::snprintf(buf, sizeof buf, "%s%.0f", out.empty() ? "" : " ", ms);
    out += buf;
  }
  return out;
}

void report(const std::string& tool, const std::string& format, const Series& s, std::size_t statements) {
  const Result& m = s.median;
  std::printf("  %-8s %-15s %8.1f ms  %6.2f ms/1k stmts  cpu %8.1f ms  %6.1f MB RSS  %7.1f MB out  exit %d  runs [%s]\n",
              tool.c_str(), format.c_str(), m.ms, m.ms * 1000.0 / static_cast<double>(statements), m.cpu_ms,
              static_cast<double>(m.peak_rss_kb) / 1024.0, static_cast<double>(m.output_bytes) / 1e6, m.exit_code,
              times(s).c_str());
}

struct Input {
  std::string name;
  std::vector<std::string> paths;         // what lockward is given
  std::vector<std::string> squawk_paths;  // the same files, as squawk takes them
  std::size_t statements = 0;
  std::vector<std::string> flags;         // extra lockward flags (--no-history)
};

void bench(const Input& input, const std::vector<std::string>& formats, const std::string& squawk,
           const std::vector<std::string>& reporters, int runs, const fs::path& dir) {
  std::printf("%s (%zu statements)\n", input.name.c_str(), input.statements);
  const fs::path output = dir / "output";
  for (const auto& format : formats) {
    std::vector<std::string> argv{LOCKWARD_BINARY, "check", "--no-color", "--format", format};
    argv.insert(argv.end(), input.flags.begin(), input.flags.end());
    argv.insert(argv.end(), input.paths.begin(), input.paths.end());
    report("lockward", format, run(argv, output, runs), input.statements);
  }
  if (squawk.empty()) return;
  for (const std::string& reporter : reporters) {
    std::vector<std::string> argv{squawk, "--reporter", reporter};
    argv.insert(argv.end(), input.squawk_paths.begin(), input.squawk_paths.end());
    report("squawk", reporter, run(argv, output, runs), input.statements);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  std::string squawk_arg;
  std::vector<std::string> formats{"text", "json", "sarif", "gitlab", "github", "github-actions"};
  std::vector<std::string> reporters{"tty", "json", "gitlab"};
  std::vector<std::string> sizes;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--squawk" && i + 1 < argc) squawk_arg = argv[++i];
    else if ((a == "--formats" || a == "--squawk-reporters") && i + 1 < argc) {
      std::vector<std::string>& list = a == "--formats" ? formats : reporters;
      list.clear();
      std::stringstream items(argv[++i]);
      for (std::string f; std::getline(items, f, ',');) list.push_back(f);
    } else if (!a.empty() && (a == "folder" || a == "folder-no-history" || a == "folder-last" ||
                              a.find_first_not_of("0123456789") == std::string::npos)) {
      sizes.push_back(a);
    } else {
      std::fprintf(stderr,
                   "usage: check_bench [--runs N] [--squawk PATH] [--formats text,json,...] "
                   "[--squawk-reporters tty,json,gitlab] [SIZES... | folder | folder-no-history | folder-last]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (sizes.empty()) sizes = {"2000", "20000", "50000", "folder"};

  const std::string squawk = find_squawk(squawk_arg);
  if (squawk.empty())
    std::printf("squawk: not installed (npm install squawk-cli, then --squawk PATH or $SQUAWK): lockward only\n");
  else
    std::printf("squawk: %s\n", squawk.c_str());
  std::printf("lockward: %s; %d runs each, median first, every run in ms after it\n\n", LOCKWARD_BINARY, runs);

  char tmpl[] = "/tmp/lockward-check-bench-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  for (const auto& size : sizes) {
    Input input;
    if (size.starts_with("folder")) {
      // 1,000 files of 20 statements: the 20,000-statement text cut at each transaction's end.
      const fs::path folder = dir / "folder";
      const std::size_t file = lockward::bench::write_migration_folder(folder);
      input.paths = {folder.string()};                     // lockward lists the folder
      input.squawk_paths = {(folder / "*.sql").string()};  // squawk expands the pattern
      input.name = "folder of " + std::to_string(file) + " files, each with its history";
      input.statements = 20000;
      if (size == "folder-no-history") {
        input.flags = {"--no-history"};
        input.name = "folder of " + std::to_string(file) + " files, --no-history";
      } else if (size == "folder-last") {
        // The last file alone: its predecessors are read and applied as its history.
        input.paths = input.squawk_paths = {(folder / lockward::bench::migration_folder_file(file)).string()};
        input.name = "the last of " + std::to_string(file) + " files, " + std::to_string(file - 1) + " as history";
        input.statements = 20;
      }
    } else {
      input.statements = std::stoul(size);
      const fs::path file = dir / ("migration_" + size + ".sql");
      write(file, lockward::bench::generate_migration(input.statements));
      input.paths = input.squawk_paths = {file.string()};
      input.name = "one file";
    }
    bench(input, formats, squawk, reporters, runs, dir);
    std::printf("\n");
    std::fflush(stdout);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}
