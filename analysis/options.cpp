#include "analysis/options.h"

#include <array>

namespace lockward::analysis {
namespace {

struct ToolDefault {
  std::string_view name;
  bool wraps;
};

// What each tool does with a plain .sql migration by default.
constexpr std::array<ToolDefault, 12> kTools = {{
    {"none", false},
    {"goose", true},            // unless `-- +goose NO TRANSACTION`
    {"dbmate", true},           // unless `-- migrate:up transaction:false`
    {"flyway", true},           // PostgreSQL DDL is transactional; Flyway wraps each script
    {"golang-migrate", false},  // runs the file as one multi-statement exec, no wrapping
    {"sqitch", false},          // scripts carry their own BEGIN/COMMIT
    {"node-pg-migrate", true},
    {"rails", true},
    {"django", true},
    {"alembic", true},
    {"knex", true},
    {"prisma", true},
}};

}  // namespace

bool tool_wraps_in_transaction(std::string_view migration_tool) {
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return t.wraps;
  }
  return false;
}

bool is_known_migration_tool(std::string_view migration_tool) {
  if (migration_tool.empty()) return true;
  for (const auto& t : kTools) {
    if (t.name == migration_tool) return true;
  }
  return false;
}

}  // namespace lockward::analysis
