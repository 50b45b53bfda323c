// `lockward check`: analyse files, report in the chosen format, decide the exit code.
// Files are read and analysed on every core (a large file's statements are parsed on them),
// each into its own slot; messages and the report then follow the files' order, so the output
// does not depend on the number of threads. What flows from one file to the next, the schema
// the earlier migrations of its folder built, is computed first (server/cli/history).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <mutex>
#include <streambuf>

#include "analysis/analyze.h"
#include "analysis/migration_set.h"
#include "server/cli/commands.h"
#include "server/cli/changed_files.h"
#include "server/cli/history.h"
#include "server/cli/input_files.h"
#include "server/config/config.h"
#include "server/migrations/migration_set.h"
#include "server/pool_parallel_for.h"
#include "server/report/report.h"

namespace lockward::server {
namespace {

// Hands `out` 64 KiB at a time: the text formats write a report piece by piece, and each
// piece costs a locked stdio call on std::cout.
class BufferedOut : public std::streambuf {
 public:
  explicit BufferedOut(std::ostream& out) : out_(out) { setp(buffer_, buffer_ + sizeof buffer_); }
  ~BufferedOut() override { sync(); }

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) sputc(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  int sync() override {
    out_.write(pbase(), pptr() - pbase());
    setp(buffer_, buffer_ + sizeof buffer_);
    return out_ ? 0 : -1;
  }

 private:
  std::ostream& out_;
  char buffer_[64 * 1024];
};

struct Slot {
  FileReport report;
  const ConfigResult* config = nullptr;  // null: the path itself was in error
  bool read = false;
  bool from_stdin = false;  // its text was read from standard input
  std::shared_ptr<const MigrationSet> set;
  MigrationSet::Place place;
};

}  // namespace

int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  ConfigOverrides overrides;
  overrides.config_path = args.config_path;
  overrides.pg_version = args.pg_version;
  overrides.migration_tool = args.migration_tool;
  overrides.assume_in_transaction = args.assume_in_transaction;
  overrides.max_risk = args.max_risk;
  overrides.fail_on_unknown = args.fail_on_unknown;
  overrides.stats_file = args.stats_file;
  overrides.snapshot_file = args.snapshot_file;

  // Configuration per directory: its files share the nearest .lockward.toml, and a snapshot or
  // stats file is loaded once rather than once per file.
  std::vector<InputFile> inputs = collect_input_files(args.paths);
  // `-`: standard input, read whole before anything else, named by --stdin-filename.
  const auto is_stdin = [](const InputFile& in) { return in.path == "-" && in.error.empty(); };
  const auto stdin_count = std::count_if(inputs.begin(), inputs.end(), is_stdin);
  if (stdin_count > 1) {
    err << "lockward: `-` (standard input) can be given once\n";
    return kExitUsage;
  }
  if (args.stdin_filename && (stdin_count == 0 || args.stdin_filename->empty())) {
    err << "lockward: --stdin-filename names standard input: give `-` among the paths, and a non-empty name\n";
    return kExitUsage;
  }
  std::string stdin_text;
  const std::string stdin_name = args.stdin_filename.value_or("<stdin>");
  if (stdin_count == 1) {
    std::string error;
    if (!read_stdin(stdin_text, error)) {
      err << "lockward: standard input: " << error << "\n";
      return kExitUsage;
    }
    // A generator that failed upstream in a pipe often prints nothing: say so, not only SAFE.
    if (stdin_text.find_first_not_of(" \t\r\n") == std::string::npos)
      err << "lockward: standard input is empty: no statement was checked\n";
  }
  // The named file's folder reads the piped text in its place (its migration set, the history
  // of the files after it); without a name it stands alone.
  std::filesystem::path stdin_path;
  if (args.stdin_filename) {
    std::error_code ec;
    stdin_path = std::filesystem::absolute(*args.stdin_filename, ec).lexically_normal();
  }
  const Overlay stdin_overlay = stdin_path.empty() ? Overlay() : Overlay([&](const std::filesystem::path& p) {
    return p.lexically_normal() == stdin_path ? std::optional<std::string>(stdin_text) : std::nullopt;
  });
  if (args.changed_since) {
    // The files that differ from the ref; the others are still read as their history.
    std::string error;
    const std::optional<std::set<std::filesystem::path>> changed = files_changed_since(*args.changed_since, error);
    if (!changed) {
      err << "lockward: " << error << "\n";
      return kExitUsage;
    }
    std::erase_if(inputs, [&](const InputFile& in) {
      std::error_code ec;
      const std::filesystem::path p = std::filesystem::weakly_canonical(in.path, ec);
      return !in.error.empty() || is_stdin(in) ? false : !changed->contains(p);
    });
  }
  std::map<std::filesystem::path, ConfigResult> configs;
  std::vector<Slot> slots(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    slots[i].report.path = inputs[i].path;
    if (!inputs[i].error.empty()) continue;
    if (is_stdin(inputs[i])) {
      slots[i].from_stdin = true;
      slots[i].report.path = stdin_name;
    }
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(slots[i].report.path, ec).parent_path();
    auto it = configs.find(dir);
    if (it == configs.end()) it = configs.emplace(dir, resolve_config(slots[i].report.path, overrides)).first;
    slots[i].config = &it->second;
  }

  const unsigned helpers = args.jobs ? *args.jobs - 1 : PoolParallelFor::helpers_for_cores(7);
  PoolParallelFor pool(helpers);
  const analysis::ParallelFor parallel = pool.parallel_for();
  // The schema each file's earlier migrations built (one pass per folder).
  // Unnamed standard input has no folder: no set, no history.
  auto in_a_set = [&](const Slot& slot) { return slot.config && slot.config->ok() && (!slot.from_stdin || args.stdin_filename); };
  Histories histories{MigrationSets(stdin_overlay, stdin_path)};
  if (!args.no_history) {
    for (const Slot& slot : slots)
      if (in_a_set(slot)) histories.add(slot.report.path, slot.config->config.options);
    histories.build(pool);
  }
  // Without history (--no-history) the sets are still read: the tool decides the parts.
  MigrationSets sets(stdin_overlay, stdin_path);
  for (Slot& slot : slots) {
    if (!in_a_set(slot)) continue;
    std::shared_ptr<const MigrationSet> set = args.no_history
                                                  ? sets.of(slot.report.path, slot.config->config.options.migration_tool)
                                                  : histories.set(slot.report.path);
    if (!set) continue;
    slot.set = set;
    slot.place = set->place(slot.report.path);
    slot.report.migration = {set->tool().tool, set->tool().reason, set->place_note(slot.place),
                             slot.place.down_file ? "down" : "up"};
  }
  // The models of snapshots alone, made before the pool reads them.
  for (const Slot& slot : slots)
    if (slot.config && slot.config->ok()) histories.snapshot_model(slot.config->config.options.snapshot);
  auto analyse = [&](Slot& slot, const analysis::ParallelFor* statements_on) {
    analysis::Options options = slot.set ? options_in_set(slot.config->config.options, *slot.set, slot.place)
                                         : slot.config->config.options;
    const analysis::SchemaView view = histories.view(slot.report.path);
    if (view.model) {
      options.schema = view.model;
      options.schema_place = view.place;
    } else if (const analysis::SchemaModel* seeded = std::as_const(histories).snapshot_model(options.snapshot)) {
      options.schema = seeded;  // no history: the snapshot alone
      options.schema_place = 0;
    }
    // Its up part was parsed already, as history (server/cli/history).
    const std::unique_ptr<analysis::StatementCache> parsed = histories.take_parsed(slot.report.path);
    slot.report.analysis =
        analysis::analyze_migration(slot.report.text, options, slot.place.down_file, statements_on, parsed.get());
  };
  std::vector<std::size_t> large;
  std::mutex large_mutex;
  pool(slots.size(), [&](std::size_t i) {
    Slot& slot = slots[i];
    if (!slot.config) return;
    if (slot.from_stdin) {
      slot.report.text = stdin_text;
      slot.read = true;
    } else {
      slot.read = read_file(slot.report.path, slot.report.text, slot.report.error);
    }
    if (!slot.read || !slot.config->ok()) return;
    if (slot.report.text.size() < kLargeFileBytes) return analyse(slot, nullptr);
    std::lock_guard lock(large_mutex);
    large.push_back(i);
  });
  for (std::size_t i : large) analyse(slots[i], helpers > 0 ? &parallel : nullptr);

  std::vector<FileReport> reports;
  bool io_error = false;
  analysis::Risk max_risk = analysis::Risk::High;
  bool fail_on_unknown = false;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    Slot& slot = slots[i];
    if (!slot.config) {
      err << "lockward: " << inputs[i].path << ": " << inputs[i].error << "\n";
      io_error = true;
      continue;
    }
    if (!slot.read) {
      err << "lockward: " << slot.report.path << ": " << slot.report.error << "\n";
      io_error = true;
      continue;
    }
    if (!slot.config->ok()) {
      for (const auto& e : slot.config->errors) err << "lockward: " << e << "\n";
      return kExitUsage;
    }
    max_risk = slot.config->config.max_risk;
    fail_on_unknown = slot.config->config.fail_on_unknown;
    reports.push_back(std::move(slot.report));
  }

  ReportOptions ro;
  ro.max_risk = max_risk;
  ro.color = args.format == "text" && args.color.value_or(isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
  {
    BufferedOut buffer(out);
    std::ostream report(&buffer);
    if (args.format == "json") write_json(report, reports, ro);
    else if (args.format == "sarif") write_sarif(report, reports, ro);
    else if (args.format == "github") write_github(report, reports, ro);
    else if (args.format == "gitlab") write_gitlab(report, reports, ro);
    else if (args.format == "github-actions") write_github_actions(report, reports, ro);
    else write_text(report, reports, ro);
  }
  out.flush();
  // The process ends with this command: handing the analyses' memory back piece by piece
  // would cost about a twentieth of a large run. A static keeps it reachable (no leak).
  static std::vector<FileReport>* const kept_until_exit = new std::vector<FileReport>();
  *kept_until_exit = std::move(reports);
  const std::vector<FileReport>& done = *kept_until_exit;

  if (io_error) return kExitUsage;
  if (args.ci) {
    for (const auto& r : done) {
      for (const auto& f : r.analysis.findings) {
        // A statement that does not parse (or nests too deep to) fails CI whatever the
        // threshold: nothing was checked. An UNKNOWN finding fails only above a SAFE threshold
        // (UNKNOWN ranks just above SAFE) or with fail_on_unknown.
        if (f.risk > max_risk || f.rule == "syntax-error" || f.rule == "statement-too-complex" ||
            (fail_on_unknown && f.risk == analysis::Risk::Unknown))
          return kExitFindings;
      }
    }
  }
  return kExitClean;
}

}  // namespace lockward::server
