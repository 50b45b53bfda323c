// File-level and transaction policies: timeouts, statements that cannot run in a transaction,
// compounding locks, unbounded DML, transaction hygiene.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>

#include "analysis/file_state.h"
#include "analysis/rules/registry.h"

namespace lockward::analysis {
namespace {

Finding make(std::string_view rule_id, Risk risk, const Statement& s, TextRange range, std::string message,
             std::string help) {
  Finding f;
  f.rule = std::string(rule_id);
  f.risk = risk;
  f.severity = default_severity(risk);
  f.statement = s.index;
  f.range = range;
  f.message = std::move(message);
  f.help = std::move(help);
  return f;
}

// The strongest lock the statement takes on an object other sessions can see.
const LockFact* strongest_existing(const Statement& s) {
  const LockFact* best = nullptr;
  for (const LockFact& l : s.locks) {
    if (!l.new_object && (!best || l.mode > best->mode)) best = &l;
  }
  return best;
}

bool blocks_traffic(LockMode mode) { return blocks_reads(mode) || blocks_writes(mode); }

}  // namespace

void check_timeouts(const FileState& file, const Statement& s, const StatementFacts& f, PolicyState& state,
                    std::vector<Finding>& out) {
  if (file.options.timeouts_set_externally) return;
  bool& lock_timeout = state.lock_timeout;
  bool& statement_timeout = state.statement_timeout;
  bool& idle_timeout = state.idle_timeout;
  bool& warned_lock = state.warned_lock;
  bool& warned_statement = state.warned_statement;
  bool& warned_idle = state.warned_idle;
  if (f.setting) {
    const SettingChange& c = *f.setting;
    // -1: no value, or one lockward cannot read.
    const std::int64_t ms = c.value ? parse_duration_ms(*c.value).value_or(-1) : -1;
    if (c.name == "lock_timeout") {
      lock_timeout = ms > 0;
      if (ms == 0) {
        out.push_back(make(rule::kLockTimeoutZero, Risk::Medium, s, s.code,
                           "SET lock_timeout = 0 disables the timeout: a blocked ALTER waits forever while "
                           "every query behind it queues",
                           "Set a short lock_timeout such as '5s' and retry on failure."));
      } else if (ms > file.options.max_lock_timeout_ms) {
        out.push_back(make(rule::kLockTimeoutTooLong, Risk::Medium, s, s.code,
                           "lock_timeout of " + *c.value + " exceeds the configured maximum of " +
                               std::to_string(file.options.max_lock_timeout_ms) +
                               " ms: queries queue behind the waiting lock that long",
                           "Lower lock_timeout and retry the migration on failure."));
      }
    } else if (c.name == "statement_timeout") {
      statement_timeout = ms > 0;
      if (ms > file.options.max_statement_timeout_ms) {
        out.push_back(make(rule::kStatementTimeoutTooLong, Risk::Low, s, s.code,
                           "statement_timeout of " + *c.value + " exceeds the configured maximum of " +
                               std::to_string(file.options.max_statement_timeout_ms) + " ms",
                           "Lower statement_timeout."));
      }
    } else if (c.name == "idle_in_transaction_session_timeout") {
      idle_timeout = ms > 0;
    }
    return;
  }
  const LockFact* lock = strongest_existing(s);
  if (!lock || !blocks_traffic(lock->mode)) return;
  if (!lock_timeout && !warned_lock) {
    warned_lock = true;
    Finding fd = make(rule::kMissingLockTimeout, Risk::High, s, s.code,
                      std::string(lock_mode_name(lock->mode)) + " on " + lock->object.sql() +
                          " is requested without lock_timeout: if it waits behind a long query, every "
                          "query on the table queues behind it",
                      "Add SET lock_timeout (e.g. '5s') before the first locking statement and retry on failure.");
    fd.lock = lock->mode;
    fd.relation = lock->object;
    fd.fixes.push_back(lock_timeout_fix(file, s));
    out.push_back(std::move(fd));
  }
  if (!statement_timeout && !warned_statement && (s.scans || s.rewrite == Rewrite::Table)) {
    warned_statement = true;
    out.push_back(make(rule::kMissingStatementTimeout, Risk::Low, s, s.code,
                       s.summary + " scans or rewrites " + lock->object.sql() +
                           " while holding its lock, with no statement_timeout to bound it",
                       "SET statement_timeout to the longest the lock may be held."));
  }
  if (!idle_timeout && !warned_idle && s.tx.in_transaction) {
    warned_idle = true;
    out.push_back(make(rule::kMissingIdleTimeout, Risk::Low, s, s.code,
                       "this transaction holds " + std::string(lock_mode_name(lock->mode)) + " on " +
                           lock->object.sql() +
                           " with no idle_in_transaction_session_timeout: a stalled client keeps it forever",
                       "SET idle_in_transaction_session_timeout (e.g. '10s')."));
  }
}

void check_transaction(const FileState& file, const Statement& s, const StatementFacts& f, PolicyState& state,
                       std::vector<Finding>& out) {
  std::optional<std::size_t>& open_begin = state.open_begin;
  std::set<std::pair<std::string, std::string>>& added_not_valid = state.added_not_valid;
  bool& in_tx = state.in_tx;
  switch (s.tx_control) {
    case TxControl::Begin:
      if (s.tx.in_transaction) {
        out.push_back(make(rule::kNestedTransaction, Risk::Medium, s, s.code,
                           s.tx.implicit ? "BEGIN inside the transaction the migration tool already opened: "
                                           "PostgreSQL ignores it and COMMIT ends the tool's transaction"
                                         : "BEGIN inside an open transaction is ignored by PostgreSQL",
                           s.tx.implicit ? "Remove BEGIN/COMMIT, or turn off the tool's transaction for this file."
                                         : "Remove the inner BEGIN."));
      }
      open_begin = s.index;
      in_tx = true;
      return;
    case TxControl::Commit:
    case TxControl::Rollback:
      open_begin.reset();
      added_not_valid.clear();
      in_tx = false;
      return;
    default:
      break;
  }
  for (const Effect& e : s.effects) {
    if (e.row && e.row->no_transaction && s.tx.in_transaction) {
      const std::string_view opt_out = tool_transaction_opt_out(file.options.migration_tool);
      const bool drizzle = file.options.migration_tool == "drizzle";
      Finding fd = make(rule::kNoTransactionAllowed, Risk::High, s, e.range,
                        std::string(e.row->form) + " cannot run inside a transaction block" +
                            (!s.tx.implicit ? ""
                             : drizzle      ? " (drizzle-kit migrate runs every pending migration in one transaction)"
                                            : " (the migration tool wraps this file in one)") +
                            ": PostgreSQL rejects it",
                        !s.tx.implicit     ? "Move it out of BEGIN … COMMIT."
                        : !opt_out.empty() ? "Turn off the tool's transaction for this file: " + std::string(opt_out) + "."
                                           : "Turn off the tool's transaction for this file (e.g. `-- +goose NO TRANSACTION`).");
      if (s.tx.begin_statement)
        fd.related.push_back({file.statement(*s.tx.begin_statement).code, "the transaction starts here"});
      out.push_back(std::move(fd));
      break;
    }
  }
  if (in_tx) {
    for (const AddedConstraint& c : f.constraints_added) {
      if (c.not_valid) added_not_valid.insert({c.table.key(), c.name});
    }
    for (const auto& [table, name] : f.constraints_validated) {
      if (added_not_valid.contains({table.key(), name})) {
        out.push_back(make(rule::kValidateSameTransaction, Risk::Medium, s, s.code,
                           "VALIDATE CONSTRAINT " + quote_identifier(name) +
                               " runs in the transaction that added it NOT VALID: the ADD's lock is still held "
                               "during the validation scan, which defeats NOT VALID",
                           "COMMIT after adding the constraint and VALIDATE it in a separate transaction."));
      }
    }
  }
  // Compounding: this statement runs while earlier statements' blocking locks are held.
  if (s.tx.in_transaction && !s.locks.empty()) {
    const std::optional<LockFact>& held_lock = s.tx.strongest_held;
    const LockFact* held = held_lock ? &*held_lock : nullptr;
    const LockFact* mine = strongest_existing(s);
    if (held && mine && (blocks_traffic(mine->mode) || s.scans)) {
      Finding fd = make(rule::kCompoundingLocks, Risk::Medium, s, s.code,
                        s.summary + " runs while this transaction already holds " +
                            std::string(lock_mode_name(held->mode)) + " on " + held->object.sql() +
                            " (" + blocks_in_words(held->mode) + "): the lock window grows with every statement",
                        "Split the migration so each transaction takes one strong lock, and commit early.");
      if (s.tx.begin_statement)
        fd.related.push_back({file.statement(*s.tx.begin_statement).code, "the transaction starts here"});
      out.push_back(std::move(fd));
    }
    // Wide window: ACCESS EXCLUSIVE on a second table.
    if (mine && mine->mode == LockMode::AccessExclusive) {
      for (const LockFact& l : s.tx.exclusive_tables) {
        if (l.object != mine->object && mine->kind == ObjectKind::Table) {
          Finding fd = make(rule::kWideLockWindow, Risk::High, s, s.code,
                            "ACCESS EXCLUSIVE on " + mine->object.sql() + " while the same transaction holds "
                            "ACCESS EXCLUSIVE on " + l.object.sql() +
                                ": both tables are unreadable until COMMIT, and lock-order deadlocks become possible",
                            "Alter one table per transaction.");
          if (s.tx.begin_statement)
            fd.related.push_back({file.statement(*s.tx.begin_statement).code, "the transaction starts here"});
          out.push_back(std::move(fd));
          break;
        }
      }
    }
  }
  if (f.dml && (!f.dml->has_where || f.dml->tautological_where)) {
    std::string verb = f.dml->is_update ? "UPDATE" : "DELETE";
    out.push_back(make(rule::kUnboundedDml, Risk::Medium, s, s.code,
                       verb + " of every row of " + f.dml->table.sql() +
                           (f.dml->has_where ? " (the WHERE clause is always true)" : " (no WHERE clause)") +
                           ": one long transaction holding row locks on the whole table",
                       "Backfill in batches of a few thousand rows, each in its own transaction."));
  }
}

void finish_transactions(const FileState& file, const PolicyState& state, std::vector<Finding>& out) {
  if (state.open_begin) {
    const Statement& s = file.statement(*state.open_begin);
    out.push_back(make(rule::kUnclosedTransaction, Risk::Medium, s, s.code,
                       "BEGIN without COMMIT or ROLLBACK: the locks are held until the session ends",
                       "Add COMMIT at the end of the migration."));
  }
}

}  // namespace lockward::analysis
