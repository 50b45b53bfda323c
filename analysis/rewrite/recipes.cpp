// Safe rewrites: concrete SQL for the actual statement, names filled in and quoted, each with
// a one-line reason. Tests re-parse every produced text.
#include <cctype>

#include "analysis/file_state.h"

namespace lockward::analysis {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Offset just past the first whole-word, case-insensitive `keyword` at or after `from`.
std::optional<std::size_t> after_keyword(std::string_view s, std::string_view keyword, std::size_t from = 0) {
  for (std::size_t i = from; i + keyword.size() <= s.size(); ++i) {
    if (s[i] == '\'' || s[i] == '"') {
      char q = s[i];
      for (++i; i < s.size() && s[i] != q; ++i) {}
      continue;
    }
    if (i > 0 && is_word_char(s[i - 1])) continue;
    bool match = true;
    for (std::size_t k = 0; k < keyword.size() && match; ++k) {
      match = std::toupper(static_cast<unsigned char>(s[i + k])) == keyword[k];
    }
    if (match && (i + keyword.size() == s.size() || !is_word_char(s[i + keyword.size()]))) return i + keyword.size();
  }
  return std::nullopt;
}

std::string insert_after(std::string_view s, std::size_t at, std::string_view what) {
  return std::string(s.substr(0, at)) + std::string(what) + std::string(s.substr(at));
}

std::string constraint_name(const Effect& e, std::string_view suffix) {
  if (!e.constraint.empty()) return e.constraint;
  std::string base = e.table.name + (e.column.empty() ? "" : "_" + e.column) + "_" + std::string(suffix);
  return base.size() > 63 ? base.substr(0, 63) : base;
}

std::string check_not_null_steps(const std::string& table, const std::string& column, const std::string& check) {
  return "ALTER TABLE " + table + " ADD CONSTRAINT " + check + " CHECK (" + column + " IS NOT NULL) NOT VALID;\n" +
         "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + check + ";\n" +
         "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL;\n" +
         "ALTER TABLE " + table + " DROP CONSTRAINT " + check;
}

Fix replace_statement(const Statement& s, std::string title, std::string text, bool drop_in, std::string reason) {
  return Fix{std::move(title), s.code, std::move(text), drop_in, std::move(reason)};
}

bool single_effect(const Statement& s) { return s.effects.size() == 1; }

}  // namespace

Fix lock_timeout_fix(const FileState&, const Statement& statement) {
  return Fix{"Add SET lock_timeout before this statement", TextRange{statement.code.begin, statement.code.begin},
             "SET lock_timeout = '5s';\n", false,
             "a lock request that waits longer than 5 s fails instead of queueing every query behind it"};
}

std::vector<Fix> recipe_fixes(const FileState& file, const Statement& s, const Effect& e) {
  std::vector<Fix> out;
  // Inside a DO block every step would run in the block's one transaction: no rewrite there.
  if (!e.row || e.in_do_block) return out;
  std::string_view text = s.code.slice(file.text);
  const int pg = file.options.pg_version;
  const bool in_tx = s.tx.in_transaction;
  const std::string table = e.table.sql();
  const std::string leave_tx = in_tx ? " It must run outside the transaction block." : "";

  switch (e.row->recipe) {
    case Recipe::Concurrently: {
      std::string_view node = s.node;
      std::optional<std::size_t> at;
      std::string reason;
      if (node == "IndexStmt" || (node == "DropStmt" && after_keyword(text, "INDEX"))) {
        at = after_keyword(text, "INDEX");
        reason = node == "IndexStmt" ? "builds the index without blocking writes" : "drops the index without blocking reads or writes";
      } else if (node == "ReindexStmt" && pg >= 12) {
        for (std::string_view kw : {"INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"}) {
          if ((at = after_keyword(text, kw))) break;
        }
        reason = "rebuilds without blocking reads or writes (PostgreSQL 12+)";
      } else if (node == "RefreshMatViewStmt") {
        at = after_keyword(text, "VIEW");
        reason = "refreshes without blocking reads; needs a UNIQUE index on the materialized view";
      }
      if (!at || !single_effect(s)) break;
      bool matview = node == "RefreshMatViewStmt";
      out.push_back(replace_statement(s, "Use CONCURRENTLY", insert_after(text, *at, " CONCURRENTLY"),
                                      !in_tx && !matview, reason + "." + leave_tx));
      break;
    }
    case Recipe::DetachConcurrently:
      if (pg >= 14 && single_effect(s) && !after_keyword(text, "CONCURRENTLY") && !after_keyword(text, "FINALIZE")) {
        out.push_back(replace_statement(s, "Detach CONCURRENTLY", std::string(text) + " CONCURRENTLY", !in_tx,
                                        "takes only SHARE UPDATE EXCLUSIVE on the parent (PostgreSQL 14+)." + leave_tx));
      }
      break;
    case Recipe::NotValidThenValidate: {
      if (!single_effect(s) || e.range.empty()) break;
      std::string clause(e.range.slice(file.text));
      std::string name = constraint_name(e, e.row->id.find("foreign") != std::string_view::npos ? "fkey" : "check");
      if (e.constraint.empty()) {
        if (auto at = after_keyword(clause, "ADD")) clause = insert_after(clause, *at, " CONSTRAINT " + quote_identifier(name));
      }
      std::string sql = "ALTER TABLE " + table + " " + clause + " NOT VALID;\n" +
                        "-- in a separate transaction:\nALTER TABLE " + table + " VALIDATE CONSTRAINT " +
                        quote_identifier(name);
      out.push_back(replace_statement(s, "Add NOT VALID, then VALIDATE separately", std::move(sql), false,
                                      "NOT VALID takes its lock only briefly; VALIDATE scans under SHARE UPDATE "
                                      "EXCLUSIVE, which lets reads and writes continue."));
      break;
    }
    case Recipe::UniqueIndexThenConstraint: {
      if (!single_effect(s) || e.columns.empty()) break;
      bool primary = e.row->id.find("primary") != std::string_view::npos;
      std::string name = constraint_name(e, primary ? "pkey" : "key");
      std::string sql = "CREATE UNIQUE INDEX CONCURRENTLY " + quote_identifier(name) + " ON " + table + " " + e.columns +
                        ";\nALTER TABLE " + table + " ADD CONSTRAINT " + quote_identifier(name) +
                        (primary ? " PRIMARY KEY" : " UNIQUE") + " USING INDEX " + quote_identifier(name);
      out.push_back(replace_statement(s, "Build the unique index CONCURRENTLY, then attach it", std::move(sql), false,
                                      "the index builds without blocking writes; attaching it is a brief catalog "
                                      "change." + std::string(in_tx ? " The index build must run outside the transaction block." : "")));
      break;
    }
    case Recipe::CheckThenSetNotNull: {
      if (pg < 12 || !single_effect(s) || e.column.empty()) break;
      std::string check = quote_identifier(constraint_name(e, "not_null"));
      out.push_back(replace_statement(s, "Prove NOT NULL with a CHECK first",
                                      check_not_null_steps(table, quote_identifier(e.column), check), false,
                                      "VALIDATE scans without blocking writes; SET NOT NULL then uses the validated "
                                      "CHECK and skips its own scan (PostgreSQL 12+)."));
      break;
    }
    case Recipe::ExpandBackfillContract: {
      if (!single_effect(s) || e.column.empty() || e.type.empty()) break;
      std::string col = quote_identifier(e.column);
      std::string sql = "ALTER TABLE " + table + " ADD COLUMN " + col + " " + e.type + ";\n";
      if (!e.expression.empty()) {
        sql += "ALTER TABLE " + table + " ALTER COLUMN " + col + " SET DEFAULT " + e.expression + ";\n" +
               "-- repeat until it updates no rows, each batch in its own transaction:\n" + "UPDATE " + table +
               " SET " + col + " = " + e.expression + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + col +
               " IS NULL LIMIT 5000)";
      }
      if (e.not_null) {
        if (!e.expression.empty()) sql += ";\n";
        sql += check_not_null_steps(table, col, quote_identifier(constraint_name(e, "not_null")));
      }
      if (sql.ends_with(";\n")) sql.resize(sql.size() - 2);
      out.push_back(replace_statement(s, "Expand, backfill in batches, then constrain", std::move(sql), false,
                                      "each step holds its lock briefly; no step rewrites the table."));
      break;
    }
    case Recipe::NewColumnSwap: {
      if (!single_effect(s) || e.column.empty() || e.type.empty()) break;
      std::string col = quote_identifier(e.column);
      std::string tmp = quote_identifier(e.column + "_new");
      std::string old = quote_identifier(e.column + "_old");
      std::string sql = "ALTER TABLE " + table + " ADD COLUMN " + tmp + " " + e.type + ";\n" +
                        "-- keep " + tmp + " in sync from the application or a trigger, then backfill in batches:\n" +
                        "UPDATE " + table + " SET " + tmp + " = " + col + "::" + e.type + " WHERE ctid IN (SELECT ctid FROM " +
                        table + " WHERE " + tmp + " IS NULL AND " + col + " IS NOT NULL LIMIT 5000);\n" +
                        "ALTER TABLE " + table + " RENAME COLUMN " + col + " TO " + old + ";\n" +
                        "ALTER TABLE " + table + " RENAME COLUMN " + tmp + " TO " + col + ";\n" +
                        "-- once nothing reads it:\nALTER TABLE " + table + " DROP COLUMN " + old;
      out.push_back(replace_statement(s, "Add a new column, backfill, swap", std::move(sql), false,
                                      "no step rewrites the table; the renames are brief catalog changes."));
      break;
    }
    case Recipe::RenameWithView: {
      if (!single_effect(s) || e.detail.empty() || s.node != "RenameStmt" || !e.column.empty()) break;
      // e.detail holds the new table name.
      ObjectName renamed{e.table.schema, e.detail};
      std::string sql = "ALTER TABLE " + table + " RENAME TO " + quote_identifier(e.detail) + ";\n" +
                        "CREATE VIEW " + table + " AS SELECT * FROM " + renamed.sql() + ";\n" +
                        "-- once every caller uses the new name:\n-- DROP VIEW " + table;
      out.push_back(replace_statement(s, "Rename behind a compatibility view", std::move(sql), false,
                                      "old callers keep working through an updatable view until they move."));
      break;
    }
    case Recipe::Repack:
      if (!e.table.empty()) {
        out.push_back(replace_statement(
            s, "Replace with pg_repack (run outside the migration)",
            "-- rebuild without a long ACCESS EXCLUSIVE lock, outside the migration:\n--   pg_repack --table=" +
                e.table.key() + " <database>",
            false, "pg_repack holds ACCESS EXCLUSIVE only briefly at the start and the end."));
      }
      break;
    case Recipe::OutsideTransaction:
    case Recipe::LockTimeout:
    case Recipe::None:
      break;
  }
  return out;
}

}  // namespace lockward::analysis
