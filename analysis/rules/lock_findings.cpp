// One finding per catalogue effect that locks an existing object at LOW risk or more. The
// message names the lock, the relation and what it blocks; the risk is raised by table size.
#include <algorithm>

#include "analysis/file_state.h"
#include "analysis/rules/registry.h"

namespace lockward::analysis {
namespace {

int size_levels(const TableSize& size, const RiskThresholds& t) {
  int levels = 0;
  if (size.rows >= t.rows_critical || size.bytes >= t.bytes_critical) return 99;
  if (size.rows >= t.rows_large || size.bytes >= t.bytes_large) levels = 2;
  else if (size.rows >= t.rows_medium || size.bytes >= t.bytes_medium) levels = 1;
  return levels;
}

std::optional<TableSize> table_size(const Options& options, const ObjectName& table) {
  if (options.stats) {
    if (auto s = options.stats->find(table)) return s;
  }
  if (options.snapshot) {
    if (const SnapshotTable* t = options.snapshot->find(table); t && (t->size.rows >= 0 || t->size.bytes >= 0))
      return t->size;
  }
  return std::nullopt;
}

// The lock the whole statement takes on `l`'s object: the same fact the statement's lock list
// (and so the hover and `explain`) shows, which another clause of the statement can make
// stronger than this clause's own.
LockMode statement_mode(const Statement& s, const LockFact& l) {
  LockMode mode = l.mode;
  for (const LockFact& held : s.locks) {
    if (held.object == l.object && held.mode > mode) mode = held.mode;
  }
  return mode;
}

// "ACCESS EXCLUSIVE on table users", with this clause's own lock when the statement's is
// stronger.
std::string lock_words(const Statement& s, const LockFact& l, std::string_view role) {
  const LockMode mode = statement_mode(s, l);
  std::string out = std::string(lock_mode_name(mode)) + " on " + std::string(role) + " " + l.object.sql();
  if (mode != l.mode) out += " (by the whole statement; this clause alone takes " + std::string(lock_mode_name(l.mode)) + ")";
  return out;
}

std::string describe(const Statement& s, const Effect& e, const LockFact& strongest) {
  const CatalogueRow& row = *e.row;
  std::string msg = std::string(row.form) + " takes " + lock_words(s, strongest, object_kind_name(strongest.kind)) +
                    ": " + blocks_in_words(statement_mode(s, strongest));
  for (const LockFact& l : e.locks) {
    if (&l == &strongest || l.new_object) continue;
    msg += "; " + lock_words(s, l, role_name(l.role)) + " (" + blocks_in_words(statement_mode(s, l)) + ")";
  }
  msg += ". ";
  if (row.rewrite != Rewrite::None) msg += std::string(rewrite_name(row.rewrite)) + ". ";
  msg += std::string(row.why);
  if (e.uncertain && !e.uncertainty.empty()) msg += " (uncertain: " + e.uncertainty + ")";
  return msg;
}

std::string help_for(Recipe recipe) {
  switch (recipe) {
    case Recipe::Concurrently: return "Use CONCURRENTLY, outside a transaction block.";
    case Recipe::DetachConcurrently: return "Use DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+), outside a transaction.";
    case Recipe::NotValidThenValidate: return "Add the constraint NOT VALID, then VALIDATE it in a separate transaction.";
    case Recipe::UniqueIndexThenConstraint:
      return "Build a unique index CONCURRENTLY, then add the constraint USING INDEX.";
    case Recipe::CheckThenSetNotNull:
      return "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan).";
    case Recipe::ExpandBackfillContract:
      return "Add the column without the default/constraint, backfill in batches, then add the constraint.";
    case Recipe::NewColumnSwap: return "Add a new column, backfill it in batches, then swap the columns.";
    case Recipe::RenameWithView: return "Rename in an expand/contract sequence, keeping the old name alive through a view.";
    case Recipe::Repack: return "Use pg_repack, which rebuilds the table without holding ACCESS EXCLUSIVE for long.";
    case Recipe::LockTimeout: return "Keep it, but SET lock_timeout first so it cannot queue behind long queries.";
    case Recipe::OutsideTransaction: return "Run it outside a transaction block.";
    case Recipe::None: break;
  }
  return {};
}

// Inside a DO block the recipe needs the statement moved out first: the block is one transaction.
std::string help_for(const Effect& e) {
  std::string help = help_for(e.row->recipe);
  if (e.in_do_block && !help.empty() && e.row->recipe != Recipe::LockTimeout)
    help = "Move the statement out of the DO block (which runs as one transaction), then: " + help;
  return help;
}

}  // namespace

void check_locks(const FileState& file, const Statement& s, std::vector<Finding>& out) {
  for (const Effect& e : s.effects) {
    if (!e.row || e.row->risk == Risk::Safe) continue;
    const LockFact* strongest = nullptr;
    for (const LockFact& l : e.locks) {
      if (l.new_object) continue;
      if (!strongest || l.mode > strongest->mode) strongest = &l;
    }
    // Locks whose objects the text does not name (the tables using a domain, the sequence
    // of an identity column): still a finding, about the role.
    const RoleLock* unnamed = nullptr;
    if (!strongest && e.locks.empty()) {
      for (const RoleLock& rl : e.row->locks) {
        if (!unnamed || rl.mode > unnamed->mode) unnamed = &rl;
      }
    }
    if (!strongest && !unnamed) continue;  // only objects created in this file: invisible to others
    Finding f;
    if (unnamed) {
      f.rule = std::string(e.row->id);
      f.risk = e.row->risk;
      f.statement = s.index;
      f.range = e.range;
      f.lock = unnamed->mode;
      f.message = std::string(e.row->form) + " takes " + std::string(lock_mode_name(unnamed->mode)) + " on every " +
                  std::string(role_name(unnamed->role)) + ": " + blocks_in_words(unnamed->mode) + ". " +
                  std::string(e.row->why);
      f.help = help_for(e);
      f.severity = default_severity(f.risk);
      f.fixes = recipe_fixes(file, s, e);
      out.push_back(std::move(f));
      continue;
    }
    f.rule = std::string(e.row->id);
    f.risk = e.row->risk;
    f.statement = s.index;
    f.range = e.range;
    f.lock = strongest->mode;
    f.relation = strongest->object;
    f.message = describe(s, e, *strongest);
    f.help = help_for(e);
    if (auto size = table_size(file.options, e.table.empty() ? strongest->object : e.table)) {
      int levels = size_levels(*size, file.options.thresholds);
      if (levels > 0 && (blocks_writes(strongest->mode) || e.row->rewrite == Rewrite::Table)) {
        f.base_risk = f.risk;
        f.risk = levels >= 99 ? Risk::Critical : raise(f.risk, levels);
        f.message += " Raised to " + std::string(risk_name(f.risk)) + " by table size (" +
                     (size->rows >= 0 ? std::to_string(size->rows) + " rows" : std::to_string(size->bytes) + " bytes") +
                     ").";
      }
    }
    f.severity = default_severity(f.risk);
    if (s.tx.begin_statement && s.tx.held_count > 0) {
      const Statement& begin = file.statement(*s.tx.begin_statement);
      f.related.push_back({begin.code, "the transaction that holds this lock until COMMIT starts here"});
    }
    f.fixes = recipe_fixes(file, s, e);
    out.push_back(std::move(f));
  }
}

}  // namespace lockward::analysis
