#include "analysis/options.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>

namespace lockward::analysis {
namespace {

enum class Wrapping { None, File, SeveralStatements };

struct ToolDefault {
  std::string_view name;
  Wrapping wraps;
  std::string_view opt_out = {};  // how a file leaves the tool's transaction ("": not known)
};

// What each tool does with a plain .sql migration by default (docs/configuration.md).
constexpr std::array<ToolDefault, 18> kTools = {{
    {"none", Wrapping::None},
    {"goose", Wrapping::File, "add `-- +goose NO TRANSACTION` to the file"},    // unless `-- +goose NO TRANSACTION`
    {"dbmate", Wrapping::File, "add `transaction:false` to its `-- migrate:up` line"},   // unless `-- migrate:up transaction:false`
    {"sql-migrate", Wrapping::File, "add `notransaction` to its `-- +migrate Up` line"},  // unless `-- +migrate Up notransaction`
    {"flyway", Wrapping::File, "set executeInTransaction=false in <script>.sql.conf"},   // unless executeInTransaction=false in <script>.conf
    // The PostgreSQL driver sends the whole file as one query string: PostgreSQL runs a string
    // of several statements as one implicit transaction (a single statement runs alone), unless
    // the file has its own BEGIN/COMMIT; x-multi-statement=true splits it instead.
    {"golang-migrate", Wrapping::SeveralStatements},
    {"sqlx", Wrapping::File, "put `-- no-transaction` on the file's first line"},     // unless `-- no-transaction` on the first line
    {"sqitch", Wrapping::None},   // scripts carry their own BEGIN/COMMIT
    {"prisma", Wrapping::SeveralStatements},    // the script is sent as one query string
    {"diesel", Wrapping::File, "set run_in_transaction = false in the migration's metadata.toml"},   // unless run_in_transaction = false in metadata.toml
    {"supabase", Wrapping::SeveralStatements},  // the statements go as one pipeline
    {"drizzle", Wrapping::File, "drizzle-kit migrate has no switch for it: run this statement outside drizzle's migrator (a script of its own after `drizzle-kit migrate`)"},  // drizzle-kit migrate: one transaction around the pending files
    {"atlas", Wrapping::File, "add `-- atlas:txmode none` to the file"},    // --tx-mode file, unless `-- atlas:txmode none`
    {"node-pg-migrate", Wrapping::File},
    {"rails", Wrapping::File, "call disable_ddl_transaction! in the migration"},
    {"django", Wrapping::File, "set atomic = False on the Migration class"},
    {"alembic", Wrapping::File},
    {"knex", Wrapping::File, "export config = { transaction: false } from the migration"},
}};

}  // namespace

std::optional<std::int64_t> parse_duration_ms(std::string_view v) {
  std::size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  std::size_t start = i;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
  if (i == start) return std::nullopt;
  double number = std::strtod(std::string(v.substr(start, i - start)).c_str(), nullptr);
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  std::string unit;
  for (; i < v.size(); ++i) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(v[i])));
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  double factor = 1;
  if (unit.empty() || unit == "ms") factor = 1;
  else if (unit == "us") factor = 0.001;
  else if (unit == "s") factor = 1000;
  else if (unit == "min") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return std::nullopt;
  return static_cast<std::int64_t>(number * factor);
}

bool tool_wraps_in_transaction(std::string_view migration_tool) {
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return t.wraps == Wrapping::File;
  }
  return false;
}

bool tool_wraps_several_statements(std::string_view migration_tool) {
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return t.wraps == Wrapping::SeveralStatements;
  }
  return false;
}

std::string_view tool_transaction_opt_out(std::string_view migration_tool) {
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return t.opt_out;
  }
  return {};
}

bool is_known_migration_tool(std::string_view migration_tool) {
  if (migration_tool.empty()) return true;
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return true;
  }
  return false;
}

}  // namespace lockward::analysis
