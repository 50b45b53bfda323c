// Hover on any statement, flagged or not: locks per relation and what each blocks in plain
// words, rewrite and scan, risk and why, the target version and its notes, the transaction's
// held locks, and the safe recipe as SQL.
#include <algorithm>
#include <cstdio>

#include "analysis/analyze.h"
#include "server/lsp/convert.h"

namespace lockward::server::lsp {
namespace {

const analysis::Statement* statement_at(const analysis::Analysis& a, std::size_t offset) {
  for (const auto& s : a.statements) {
    if (offset >= s.with_comments.begin && offset <= s.code.end) return &s;
  }
  return nullptr;
}

}  // namespace

Json hover(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc, std::size_t offset,
           const TraceResults* trace) {
  const analysis::Statement* s = statement_at(a, offset);
  if (!s) return nullptr;
  std::string md = "**" + s->summary + "** · PostgreSQL " + std::to_string(a.pg_version) + "\n\n";
  if (s->status == analysis::StatementStatus::ParseError) md += "This statement was not parsed (a syntax error, or nested too deep); see the diagnostic.\n\n";
  if (s->status == analysis::StatementStatus::Unanalysable)
    md += "Locks: **unknown** — trace it to learn (`lockward trace`, or the Trace this migration command). "
          "Risk **UNKNOWN**: not known to be safe.\n\n";
  if (s->status == analysis::StatementStatus::PsqlMeta) md += "psql meta-command: not analysed.\n\n";
  if (s->status == analysis::StatementStatus::Analysed) {
    if (s->locks.empty()) md += "Takes no table lock that blocks other sessions.\n\n";
    for (const auto& l : s->locks) {
      md += "- `" + std::string(analysis::lock_mode_name(l.mode)) + "` on " +
            std::string(analysis::object_kind_name(l.kind)) + " `" + l.object.sql() + "`";
      md += l.new_object ? " — created in this file, invisible to other sessions: harmless"
                         : " — " + analysis::blocks_in_words(l.mode);
      if (l.conditional) md += "; in a branch of the DO block that may not run: an upper bound";
      md += l.until_statement_end ? "; released when the statement ends, not held until COMMIT\n" : "\n";
    }
    for (const std::string& also : analysis::unnamed_role_locks(s->effects)) md += "- " + also + "\n";
    md += "\n" + std::string(analysis::rewrite_name(s->rewrite)) + (s->scans ? "; scans the table" : "") +
          " · risk **" + std::string(analysis::risk_name(s->risk)) + "**\n\n";
    for (const auto& e : s->effects) {
      if (!e.row) continue;
      // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for the chain of +.
      md += '*';
      md += e.row->form;
      md += "*: ";
      md += e.row->why;
      md += '\n';
      if (!e.row->note.empty()) md += "\n> " + std::string(e.row->note) + "\n";
      if (e.uncertain && !e.uncertainty.empty()) md += "\n> Uncertain: " + e.uncertainty + "\n";
      md += "\n";
    }
  }
  if (s->tx.in_transaction) {
    auto held = analysis::locks_held_before(a, s->index);
    std::string list;
    for (const auto& l : held) {
      if (l.new_object) continue;
      list += "`" + std::string(analysis::lock_mode_name(l.mode)) + "` on `" + l.object.sql() + "`, ";
    }
    md += std::string("Runs inside ") + (s->tx.implicit ? "the migration tool's transaction" : "a transaction") +
          "; its locks are held until COMMIT" +
          (std::any_of(s->locks.begin(), s->locks.end(), [](const analysis::LockFact& l) { return l.until_statement_end; })
               ? " (except those released when the statement ends)."
               : ".");
    if (!list.empty()) md += " Already held: " + list.substr(0, list.size() - 2) + ".";
    md += "\n\n";
  }
  for (const auto& f : a.findings) {
    if (f.statement != s->index) continue;
    md += "**" + std::string(analysis::risk_name(f.risk)) + "** `" + f.rule + "`: " + f.message + "\n\n";
    for (const auto& fix : f.fixes) {
      md += "Safe recipe — " + fix.title + " (" + fix.reason + "):\n```sql\n" + fix.new_text + "\n```\n\n";
    }
  }
  if (const StatementEvidence* e = evidence_for(trace, *doc.text(), a, s->index)) {
    char duration[96];
    std::snprintf(duration, sizeof duration, "%.1f ms; locks held %.1f ms (until its transaction ended)", e->duration_ms,
                  e->held_ms);
    md += "**Trace** (PostgreSQL " + trace->server_version + "): " + std::string(evidence_mark(e->status)) + "\n\n";
    md += "- observed: " + e->observed + "\n- duration: " + duration + "\n- observed by: " + e->method + "\n";
    if (!e->detail.empty()) md += "- " + e->detail + "\n";
    for (const auto& c : e->changes) md += "- " + c + "\n";
    md += "\n";
  }
  Converter conv{doc.lines(), enc};
  return Json{{"contents", Json{{"kind", "markdown"}, {"value", md}}}, {"range", conv.range(s->code)}};
}

}  // namespace lockward::server::lsp
