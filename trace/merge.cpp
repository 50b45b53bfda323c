#include "trace/merge.h"

#include <algorithm>

#include "analysis/classify/classify.h"

namespace lockward::trace {
namespace {

bool same_object(const analysis::ObjectName& predicted, const analysis::ObjectName& observed) {
  if (predicted.name != observed.name) return false;
  return predicted.schema.empty() || predicted.schema == observed.schema;
}

// Tables, indexes, sequences, views and materialized views share one namespace: a name the
// analysis calls a table (ALTER TABLE … RENAME of an index, ALTER VIEW) is the same object
// whatever kind PostgreSQL says it is. Types live apart.
bool is_relation(analysis::ObjectKind k) {
  using K = analysis::ObjectKind;
  return k == K::Table || k == K::Index || k == K::Sequence || k == K::View || k == K::MaterializedView;
}
bool same_kind_space(analysis::ObjectKind a, analysis::ObjectKind b) { return a == b || (is_relation(a) && is_relation(b)); }

}  // namespace

std::string_view verification_name(Verification v) {
  switch (v) {
    case Verification::Confirmed: return "Confirmed";
    case Verification::Mismatch: return "Mismatch";
    case Verification::Error: return "Error";
    case Verification::Skipped: return "Skipped";
    case Verification::NoLocks: return "No locks";
    case Verification::Observed: return "Observed";
  }
  return "";
}

analysis::Risk risk_of_observed(analysis::LockMode mode, bool rewrite) {
  using analysis::LockMode;
  using analysis::Risk;
  if (rewrite) return Risk::Critical;
  switch (mode) {
    case LockMode::AccessShare: return Risk::Safe;
    case LockMode::RowShare:
    case LockMode::RowExclusive: return Risk::Low;
    case LockMode::ShareUpdateExclusive:
    case LockMode::Share: return Risk::Medium;
    case LockMode::ShareRowExclusive:
    case LockMode::Exclusive: return Risk::High;
    case LockMode::AccessExclusive: return Risk::Critical;
  }
  return Risk::Medium;
}

MergedFile merge_trace(const analysis::Analysis& a, const FileTrace& trace) {
  MergedFile out;
  for (const StatementTrace& t : trace.statements) {
    const analysis::Statement& s = a.statements[t.statement];
    StatementVerification v;
    v.statement = t.statement;
    if (!t.executed) {
      v.status = Verification::Skipped;
      out.statements.push_back(std::move(v));
      continue;
    }
    if (t.error) {
      v.status = Verification::Error;
      v.detail = t.error->message;
      ++out.error_count;
      analysis::Finding f;
      f.rule = "trace-error";
      f.risk = analysis::Risk::High;
      f.severity = analysis::Severity::Error;
      f.statement = s.index;
      f.range = t.error_range.value_or(s.code);
      f.message = "PostgreSQL rejected this statement: " + t.error->message +
                  (t.error->sqlstate.empty() ? "" : " (SQLSTATE " + t.error->sqlstate + ")");
      out.errors.push_back(std::move(f));
      out.statements.push_back(std::move(v));
      continue;
    }
    // Observed: strongest lock per object. Index locks that their table's lock already covers
    // (index rebuilds under the table's ACCESS EXCLUSIVE, index reads by validation queries)
    // say nothing new and are left out.
    std::vector<ObservedLock> observed;
    for (const ObservedLock& o : t.locks) {
      auto it = std::find_if(observed.begin(), observed.end(),
                             [&](const ObservedLock& x) { return x.oid == o.oid && x.kind == o.kind; });
      if (it == observed.end()) {
        observed.push_back(o);
      } else if (o.mode > it->mode) {
        it->mode = o.mode;
        it->until_statement_end = o.until_statement_end;
      } else if (o.mode == it->mode) {
        it->until_statement_end = it->until_statement_end && o.until_statement_end;
      }
    }
    // Predicted lock i names observed relation o: by identity when the trace resolved the
    // name as the statement started, else by name (an object the statement itself creates).
    auto names = [&](std::size_t i, const ObservedLock& o) {
      if (i < t.predicted_oids.size() && t.predicted_oids[i] != 0) return t.predicted_oids[i] == o.oid;
      const analysis::LockFact& p = s.locks[i];
      return same_object(p.object, o.object) && same_kind_space(p.kind, o.kind);
    };
    auto predicts = [&](const ObservedLock& o) {
      for (std::size_t i = 0; i < s.locks.size(); ++i) {
        if (names(i, o)) return true;
      }
      return false;
    };
    // A catalogue row may lock objects the text does not name (REINDEX TABLE locks each index,
    // ALTER DOMAIN every table using the domain, DROP IDENTITY the column's sequence): such a
    // row predicts its role's mode on every object of that kind it reaches. The observed
    // lock is compared with that mode, never dropped.
    auto unnamed_prediction = [&](const ObservedLock& o) -> std::optional<analysis::RoleLock> {
      using K = analysis::ObjectKind;
      auto kind_class = [](K k) { return k == K::Index || k == K::Sequence ? k : K::Table; };
      if (!is_relation(o.kind)) return std::nullopt;
      std::optional<analysis::RoleLock> out;
      for (const auto& e : s.effects) {
        if (!e.row) continue;
        // "Each index of the table": an index (or sequence) of the effect's own tables, not of
        // another table the statement reaches (the referencing table's key, re-validated).
        if (kind_class(o.kind) != K::Table && !o.owner.empty()) {
          bool own = same_object(e.table, o.owner) ||
                     std::any_of(e.locks.begin(), e.locks.end(), [&](const analysis::LockFact& l) {
                       return l.role == analysis::Role::Table && same_object(l.object, o.owner);
                     });
          if (!own) continue;
        }
        for (const analysis::RoleLock& rl : e.row->locks) {
          if (!analysis::named_by_schema(rl.role) || !is_relation(analysis::kind_for_role(rl.role))) continue;
          if (kind_class(analysis::kind_for_role(rl.role)) != kind_class(o.kind)) continue;
          bool named = std::any_of(e.locks.begin(), e.locks.end(), [&](const analysis::LockFact& l) { return l.role == rl.role; });
          if (!named && (!out || rl.mode > out->mode)) out = rl;
        }
      }
      return out;
    };
    std::erase_if(observed, [&](const ObservedLock& o) {
      // REINDEX … CONCURRENTLY drops the old copy of each index it rebuilt, under ACCESS
      // EXCLUSIVE once no one can use it any more (AcquireDeletionLock): part of the rebuild,
      // seen or not depending on when the observer looked.
      if (o.kind == analysis::ObjectKind::Index && s.rewrite == analysis::Rewrite::Indexes && t.dropped.contains(o.oid))
        return true;
      if (o.kind != analysis::ObjectKind::Index && o.kind != analysis::ObjectKind::Sequence) return false;
      if (predicts(o)) return false;  // the prediction names this index or sequence: compare it
      if (unnamed_prediction(o)) return false;  // compared with the row's mode below
      // A table's own index or owned sequence under no stronger lock than its table's (the
      // primary key and serial sequence of a dropped table, the sequence an INSERT draws
      // from, the indexes a rewrite rebuilds or a query reads): part of the table's lock.
      if (o.owner.empty()) return false;
      auto table = [](analysis::ObjectKind k) {
        return k == analysis::ObjectKind::Table || k == analysis::ObjectKind::MaterializedView;
      };
      for (const ObservedLock& x : observed) {
        if (table(x.kind) && x.object == o.owner && x.mode >= o.mode) return true;
      }
      for (const analysis::LockFact& p : s.locks) {
        if (table(p.kind) && same_object(p.object, o.owner) && p.mode >= o.mode) return true;
      }
      return false;
    });
    // Predicted: strongest lock per object, including objects created earlier in the file
    // (harmless to others, but the mode is still a prediction to check).
    for (std::size_t i = 0; i < s.locks.size(); ++i) {
      const analysis::LockFact& p = s.locks[i];
      if (p.kind == analysis::ObjectKind::Schema || p.kind == analysis::ObjectKind::Database) continue;
      LockComparison c{p.object, p.mode, std::nullopt, p.until_statement_end, false};
      c.upper_bound = p.conditional;
      for (const ObservedLock& o : observed) {
        if (names(i, o) && (!c.observed || o.mode > *c.observed)) {
          c.observed = o.mode;
          c.observed_until_statement_end = o.until_statement_end;
        }
      }
      // The transaction already held this very mode: PostgreSQL does not show it twice, and
      // whether the statement would have released it cannot be seen.
      bool held = std::any_of(t.held_before.begin(), t.held_before.end(),
                              [&](const ObservedLock& o) { return names(i, o) && o.mode == p.mode; });
      if (held && (!c.observed || *c.observed <= p.mode)) {
        c.observed = p.mode;
        c.observed_until_statement_end = p.until_statement_end;
      }
      c.absent = std::any_of(t.absent_before.begin(), t.absent_before.end(),
                             [&](const analysis::ObjectName& n) { return same_object(p.object, n); });
      c.if_rows_change = p.if_rows_change;
      c.created_in_transaction =
          std::any_of(t.created_in_transaction.begin(), t.created_in_transaction.end(),
                      [&](const analysis::ObjectName& n) { return same_object(p.object, n); });
      v.locks.push_back(std::move(c));
    }
    for (const ObservedLock& o : observed) {
      if (predicts(o)) continue;
      if (auto row = unnamed_prediction(o)) {
        v.locks.push_back(LockComparison{o.object, row->mode, o.mode, row->until_statement_end, o.until_statement_end});
        continue;
      }
      v.locks.push_back(LockComparison{o.object, std::nullopt, o.mode, false, o.until_statement_end});
      if (o.created_in_file) continue;  // invisible to other sessions until the file's end: no finding
      analysis::Finding f;
      f.rule = "trace-unexpected-lock";
      f.statement = s.index;
      f.range = s.code;
      f.lock = o.mode;
      f.relation = o.object;
      f.risk = risk_of_observed(o.mode, false);
      f.severity = analysis::default_severity(f.risk);
      f.message = "trace observed " + std::string(analysis::lock_mode_name(o.mode)) + " on " +
                  std::string(analysis::object_kind_name(o.kind)) + " " + o.object.sql() + " (" +
                  analysis::blocks_in_words(o.mode) + ")" +
                  (s.status == analysis::StatementStatus::Unanalysable
                       ? ": the statement's locks were unknown statically, this is what it takes"
                       : ", which the static analysis did not predict");
      out.trace_only.push_back(std::move(f));
    }
    // Rewrites: only tables count; index rebuilds come with the statements that predict them.
    if (s.rewrite == analysis::Rewrite::Table) v.predicted_rewrite = true;
    else if (s.rewrite == analysis::Rewrite::None || s.rewrite == analysis::Rewrite::Indexes) v.predicted_rewrite = false;
    bool table_rewritten = false;
    for (const auto& r : t.rewritten) {
      bool created_in_file = std::any_of(t.locks.begin(), t.locks.end(), [&](const ObservedLock& o) {
        return o.object == r && o.created_in_file;
      });
      if (created_in_file) continue;
      table_rewritten = true;
      if (v.predicted_rewrite == false) {
        analysis::Finding f;
        f.rule = "trace-table-rewrite";
        f.statement = s.index;
        f.range = s.code;
        f.relation = r;
        f.risk = analysis::Risk::Critical;
        f.severity = analysis::Severity::Error;
        f.message = "trace observed a rewrite of " + r.sql() + " (relfilenode changed), which the static analysis did not predict";
        out.trace_only.push_back(std::move(f));
      }
    }
    v.observed_rewrite = table_rewritten;
    // Every lock taken on an object that existed before was predicted at that mode; even an
    // ACCESS SHARE (a table read by the statement) is part of the claim: it waits behind, and
    // then blocks, any ACCESS EXCLUSIVE.
    bool locks_match = std::all_of(v.locks.begin(), v.locks.end(), [](const LockComparison& c) { return c.matches(); });
    bool rewrite_match = !v.predicted_rewrite || *v.predicted_rewrite == table_rewritten;
    if (s.status == analysis::StatementStatus::Unanalysable) {
      // Nothing was predicted, so nothing can be wrong: the observed locks (as trace-only
      // findings) turn the UNKNOWN into an answer.
      v.status = Verification::Observed;
    } else if (v.locks.empty() && rewrite_match) {
      v.status = Verification::NoLocks;
    } else if (locks_match && rewrite_match) {
      v.status = Verification::Confirmed;
      ++out.confirmed;
      ++out.verified;
    } else {
      v.status = Verification::Mismatch;
      ++out.mismatches;
      ++out.verified;
      auto held = [](bool until_statement_end) {
        return std::string(until_statement_end ? " released at statement end" : " held until COMMIT");
      };
      for (const auto& c : v.locks) {
        if (c.matches()) continue;
        bool scope_differs = c.observed == c.predicted;
        v.detail += (v.detail.empty() ? "" : "; ") + c.object.sql() + ": predicted " +
                    (c.predicted ? std::string(analysis::lock_mode_name(*c.predicted)) : "no lock") +
                    (scope_differs ? held(c.predicted_until_statement_end) : "") + ", observed " +
                    (c.observed ? std::string(analysis::lock_mode_name(*c.observed)) : "no lock") +
                    (scope_differs ? held(c.observed_until_statement_end) : "");
      }
      if (!rewrite_match) {
        v.detail += (v.detail.empty() ? "" : "; ") + std::string(table_rewritten ? "rewrite observed, none predicted"
                                                                                 : "rewrite predicted, none observed");
      }
    }
    out.statements.push_back(std::move(v));
  }
  // File risk: static findings, raised for mismatches, plus everything the trace found.
  for (const analysis::Finding& f : a.findings) out.max_risk = std::max(out.max_risk, f.risk);
  for (const auto& v : out.statements) {
    if (v.status != Verification::Mismatch) continue;
    for (const auto& c : v.locks) {
      if (c.observed) out.max_risk = std::max(out.max_risk, risk_of_observed(*c.observed, v.observed_rewrite));
    }
  }
  for (const auto& f : out.trace_only) out.max_risk = std::max(out.max_risk, f.risk);
  for (const auto& f : out.errors) out.max_risk = std::max(out.max_risk, f.risk);
  return out;
}

}  // namespace lockward::trace
