// `lockward check`: analyse files, report in the chosen format, decide the exit code.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "analysis/analyze.h"
#include "server/cli/commands.h"
#include "server/cli/input_files.h"
#include "server/config/config.h"
#include "server/report/report.h"

namespace lockward::server {

int run_check(const CheckArgs& args, std::ostream& out, std::ostream& err) {
  ConfigOverrides overrides;
  overrides.config_path = args.config_path;
  overrides.pg_version = args.pg_version;
  overrides.migration_tool = args.migration_tool;
  overrides.assume_in_transaction = args.assume_in_transaction;
  overrides.max_risk = args.max_risk;
  overrides.stats_file = args.stats_file;
  overrides.snapshot_file = args.snapshot_file;

  std::vector<FileReport> reports;
  bool io_error = false;
  analysis::Risk max_risk = analysis::Risk::High;
  for (const InputFile& input : collect_input_files(args.paths)) {
    FileReport report;
    report.path = input.path;
    if (!input.error.empty()) {
      err << "lockward: " << input.path << ": " << input.error << "\n";
      io_error = true;
      continue;
    }
    if (!read_file(input.path, report.text, report.error)) {
      err << "lockward: " << input.path << ": " << report.error << "\n";
      io_error = true;
      continue;
    }
    ConfigResult config = resolve_config(input.path, overrides);
    if (!config.ok()) {
      for (const auto& e : config.errors) err << "lockward: " << e << "\n";
      return kExitUsage;
    }
    max_risk = config.config.max_risk;
    report.analysis = analysis::analyze(report.text, config.config.options);
    reports.push_back(std::move(report));
  }

  ReportOptions ro;
  ro.max_risk = max_risk;
  ro.color = args.format == "text" && args.color.value_or(isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR"));
  if (args.format == "json") write_json(out, reports, ro);
  else if (args.format == "sarif") write_sarif(out, reports, ro);
  else if (args.format == "github") write_github(out, reports, ro);
  else if (args.format == "gitlab") write_gitlab(out, reports, ro);
  else if (args.format == "github-actions") write_github_actions(out, reports, ro);
  else write_text(out, reports, ro);

  if (io_error) return kExitUsage;
  if (args.ci) {
    for (const auto& r : reports) {
      for (const auto& f : r.analysis.findings) {
        // A statement that does not parse (or nests too deep to) fails CI whatever the
        // threshold: nothing was checked.
        if (f.risk > max_risk || f.rule == "syntax-error" || f.rule == "statement-too-complex") return kExitFindings;
      }
    }
  }
  return kExitClean;
}

}  // namespace lockward::server
