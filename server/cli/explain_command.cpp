// `lockward explain`: every statement's locks per relation in plain words, rewrite and scan,
// risk, version notes and the safe recipe.
#include <iostream>
#include <iterator>
#include <vector>

#include "analysis/analyze.h"
#include "server/cli/commands.h"

namespace lockward::server {

int run_explain(const ExplainArgs& args, std::istream& in, std::ostream& out, std::ostream&) {
  std::string sql = args.sql;
  if (sql.empty()) sql.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  analysis::Options options;
  if (args.pg_version) options.pg_version = *args.pg_version;
  analysis::Analysis a = analysis::analyze(sql, options);
  out << "PostgreSQL " << a.pg_version << "\n";
  // Each statement's findings, in the analysis's order: one pass, not one scan per statement.
  // (A statement's index is its place in the list.)
  std::vector<std::vector<const analysis::Finding*>> findings(a.statements.size());
  for (const auto& f : a.findings)
    if (f.statement && *f.statement < findings.size()) findings[*f.statement].push_back(&f);
  for (const auto& s : a.statements) {
    out << "\n" << s.index + 1 << ". " << s.summary << "\n";
    if (s.status == analysis::StatementStatus::ParseError) {
      // Not analysed: no lock or risk claim beside the syntax error.
      out << "   not analysed: the statement does not parse\n";
      for (const analysis::Finding* f : findings[s.index])
        out << "   [" << f->rule << "] " << f->message << "\n";
      continue;
    }
    if (s.status == analysis::StatementStatus::PsqlMeta) {
      out << "   not analysed: psql meta-command\n";
      continue;
    }
    if (s.status == analysis::StatementStatus::Unanalysable) {
      out << "   locks unknown — trace it to learn them (`lockward trace`); risk UNKNOWN\n";
    } else if (s.locks.empty()) {
      out << "   takes no table lock that blocks anything\n";
    }
    for (const auto& l : s.locks) {
      out << "   " << analysis::lock_mode_name(l.mode) << " on " << analysis::object_kind_name(l.kind) << " "
          << l.object.sql() << (l.new_object ? " (created in this file: harmless)" : "")
          << (l.until_statement_end ? " (released when the statement ends)" : "")
          << (l.conditional ? " (in a branch of the DO block that may not run: an upper bound)" : "") << "\n"
          << "     " << analysis::blocks_in_words(l.mode) << "\n";
    }
    for (const std::string& also : analysis::unnamed_role_locks(s.effects)) out << "   " << also << "\n";
    if (s.status != analysis::StatementStatus::Unanalysable)
      out << "   " << analysis::rewrite_name(s.rewrite) << (s.scans ? ", scans the table" : "") << "; risk "
          << analysis::risk_name(s.risk) << "\n";
    for (const auto& e : s.effects) {
      if (!e.row) continue;
      out << "   " << e.row->form << ": " << e.row->why << "\n";
      if (!e.row->note.empty()) out << "   note: " << e.row->note << "\n";
    }
    for (const analysis::Finding* f : findings[s.index]) {
      out << "   [" << f->rule << "] " << analysis::risk_name(f->risk) << ": " << f->message << "\n";
      for (const auto& fix : f->fixes) out << "   safe recipe (" << fix.title << "):\n" << fix.new_text << "\n";
    }
  }
  return kExitClean;
}

}  // namespace lockward::server
