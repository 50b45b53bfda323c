#include "analysis/options.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>

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
