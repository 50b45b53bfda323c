#include "trace/finding_after_trace.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "analysis/catalog/catalogue.h"

namespace lockward::trace {
namespace {

std::string mode_name(analysis::LockMode m) { return std::string(analysis::lock_mode_name(m)); }

// The comparison merge made for the finding's own lock: merge already matched the prediction
// to what PostgreSQL locked (by oid), under the analysis's name for it, which the finding shares.
const LockComparison* comparison_for(const StatementVerification& v, const analysis::ObjectName& relation) {
  for (const LockComparison& c : v.locks) {
    if (c.predicted && c.object == relation) return &c;
  }
  return nullptr;
}

std::string milliseconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
  return buf;
}

// A risk re-derived from the trace keeps a severity the user configured: only a severity
// that was the default for the old risk follows the new one.
void set_risk(analysis::Finding& f, analysis::Risk risk) {
  if (risk == f.risk) return;
  bool default_severity = f.severity == analysis::default_severity(f.risk);
  f.risk = risk;
  f.base_risk.reset();
  if (default_severity) f.severity = analysis::default_severity(risk);
}

analysis::Finding about_lock(const analysis::Finding& f, const StatementVerification& v, int pg_version,
                             std::string_view on) {
  analysis::Finding out = f;
  const LockComparison* c = comparison_for(v, f.relation);
  if (!c || v.status == Verification::Skipped || v.status == Verification::Error) return out;
  const std::string relation = f.relation.sql();
  // The finding's own claim, from its row: the trace's prediction may know better (it read the
  // replayed schema) than the analysis the editor shows.
  const analysis::CatalogueRow* row = analysis::find_row(f.rule, pg_version);
  const bool rewrite_disproved = row && row->rewrite == analysis::Rewrite::Table && !v.observed_rewrite;
  const std::optional<analysis::LockMode> observed = c->observed;
  const analysis::LockMode claimed = *f.lock;
  if (c->absent && !observed) {
    out.message += "\n✓ " + std::string(on) + ": " + relation + " did not exist, so nothing was locked";
    set_risk(out, analysis::Risk::Safe);
    return out;
  }
  if (observed && *observed > claimed) {  // worse than claimed: the claim stands, raised
    out.message += "\n✗ Mismatch " + std::string(on) + ": observed " + mode_name(*observed) + " on " + relation +
                   ", stronger than the predicted " + mode_name(claimed) + " (" + analysis::blocks_in_words(*observed) + ")";
    set_risk(out, std::max(out.risk, risk_of_observed(*observed, v.observed_rewrite)));
    return out;
  }
  const bool lock_held = observed == claimed;
  if (lock_held && !rewrite_disproved) {
    out.message += "\n✓ Confirmed " + std::string(on) + ": observed " + mode_name(claimed) + " on " + relation +
                   (v.observed_rewrite ? ", and the table was rewritten" : "");
    return out;
  }
  // A claim the trace disproved: say what PostgreSQL did instead, and judge by that.
  std::string form = row ? std::string(row->form) : f.rule;
  std::string what = observed ? mode_name(*observed) + " on " + relation + " (" + analysis::blocks_in_words(*observed) + ")"
                              : "no lock on " + relation;
  out.message = form + ": " + std::string(on) + " took " + what +
                (rewrite_disproved ? " and did not rewrite the table" : "") + ".";
  std::string predicted;
  if (!lock_held) predicted = mode_name(claimed);
  if (rewrite_disproved) predicted += std::string(predicted.empty() ? "" : " and ") + "a table rewrite";
  out.message += " The static analysis predicted " + predicted + (lock_held ? "; the lock was confirmed." : ".");
  analysis::Risk risk = out.risk;
  if (rewrite_disproved) {
    // The catalogue's own row for the same change without a rewrite, when it has one.
    const analysis::CatalogueRow* cheaper = row && !row->without_rewrite.empty()
                                                ? analysis::find_row(row->without_rewrite, pg_version)
                                                : nullptr;
    risk = cheaper ? cheaper->risk : std::min(risk, analysis::Risk::High);
  }
  if (!lock_held) risk = std::min(risk, observed ? risk_of_observed(*observed, v.observed_rewrite) : analysis::Risk::Safe);
  set_risk(out, risk);
  out.message += (lock_held ? "\n◐ Partly confirmed " : "\n✗ Mismatch ") + std::string(on);
  return out;
}

}  // namespace

analysis::Finding finding_after_trace(const analysis::Finding& f, const TracedStatement& traced, int pg_version,
                                      std::string_view server_version) {
  if (!traced.verification || f.rule.starts_with("trace-")) return f;
  const std::string on = "by trace on PostgreSQL " + std::string(server_version);
  if (f.lock && !f.relation.name.empty()) return about_lock(f, *traced.verification, pg_version, on);
  if (traced.verification->status == Verification::Skipped || traced.verification->status == Verification::Error) return f;
  // A finding about the transaction: what it held at this point, and for how long.
  analysis::Finding out = f;
  std::vector<ObservedLock> held = traced.transaction_locks;
  std::erase_if(held, [](const ObservedLock& l) { return l.kind == analysis::ObjectKind::Index; });
  if (held.empty()) return out;
  std::sort(held.begin(), held.end(), [](const ObservedLock& a, const ObservedLock& b) { return a.mode > b.mode; });
  std::string locks;
  for (const ObservedLock& l : held) locks += (locks.empty() ? "" : ", ") + mode_name(l.mode) + " on " + l.object.sql();
  out.message += "\n" + on + ": the transaction held " + locks + " from this statement until it ended, " +
                 milliseconds(traced.held_ms) + " on the trace's empty tables (longer with production data)";
  return out;
}

}  // namespace lockward::trace
