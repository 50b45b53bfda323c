// Everything that shapes an analysis besides the text. The CLI and the language server fill
// this from the same configuration resolution (server/config). Plain data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "analysis/model.h"
#include "analysis/schema.h"
#include "analysis/schema_model.h"

namespace lockward::analysis {

inline constexpr int kDefaultPgVersion = 17;
inline constexpr int kMinPgVersion = 10;
inline constexpr int kMaxPgVersion = 18;

struct RuleSetting {
  bool enabled = true;
  std::optional<Severity> severity;  // overrides the severity derived from risk
};

// Row counts and sizes at which a lock finding's risk is raised. Documented in docs/risk.md.
struct RiskThresholds {
  std::int64_t rows_medium = 10'000;        // +1 level
  std::int64_t rows_large = 1'000'000;      // +2 levels
  std::int64_t rows_critical = 10'000'000;  // CRITICAL
  std::int64_t bytes_medium = 100LL << 20;  // 100 MiB: +1 level
  std::int64_t bytes_large = 10LL << 30;    // 10 GiB: +2 levels
  std::int64_t bytes_critical = 100LL << 30;  // 100 GiB: CRITICAL
};

struct Options {
  int pg_version = kDefaultPgVersion;
  // Known tools: goose, dbmate, flyway, golang-migrate, sqlx, sqitch, prisma, diesel, supabase,
  // drizzle, atlas, node-pg-migrate, rails, django, alembic, knex, none. Decides the default
  // implicit transaction (and, in the migration set, the folder's order: migration_set.h).
  std::string migration_tool;
  std::optional<bool> assume_in_transaction;  // overrides the tool's default
  bool timeouts_set_externally = false;       // the runner sets lock/statement timeouts
  std::int64_t max_lock_timeout_ms = 10'000;
  std::int64_t max_statement_timeout_ms = 3'600'000;
  std::map<std::string, RuleSetting, std::less<>> rules;
  RiskThresholds thresholds;
  const SchemaSnapshot* snapshot = nullptr;  // not owned
  // What the earlier migrations built (not owned; null: not known), seen as of `schema_place`
  // (the file's place in the model: the migrations applied before it).
  const SchemaModel* schema = nullptr;
  std::uint32_t schema_place = 0;
  const TableStats* stats = nullptr;         // not owned
};

// A PostgreSQL duration setting as milliseconds: "2s", "500", "5min", "1h", "250ms", "1.5s";
// nullopt when unreadable. A bare number is milliseconds, as for lock_timeout.
std::optional<std::int64_t> parse_duration_ms(std::string_view value);

// How a file leaves its tool's implicit transaction, in words ("add `-- +goose NO TRANSACTION`
// to the file"); "" when not known. Drizzle's says it cannot: drizzle-kit migrate runs every
// pending migration in one transaction (drizzle-orm's PgDialect.migrate).
std::string_view tool_transaction_opt_out(std::string_view migration_tool);
// True when the tool wraps each migration file in a transaction by default.
bool tool_wraps_in_transaction(std::string_view migration_tool);
bool is_known_migration_tool(std::string_view migration_tool);
// True when the tool sends a file as one query string (golang-migrate, Prisma, Supabase):
// PostgreSQL runs several statements sent together as one implicit transaction.
bool tool_wraps_several_statements(std::string_view migration_tool);

}  // namespace lockward::analysis
