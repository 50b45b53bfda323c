// The migration set: which migration tool a folder belongs to, the order the tool runs its
// migrations in, and each migration's up part (deployed: replayed, analysed, folded into the
// schema history) and down part (the rollback: analysed on its own, never replayed).
// Pure text logic: callers list the folder and hand over names and texts (server/migration_files
// does that for the CLI, the language server and the trace). Thread-safe.
//
// The tools, from their own documentation (docs/configuration.md lists what each one means):
//   none            the folder's *.sql files in name order
//   goose           <version>_<name>.sql, numeric versions; `-- +goose Up` / `-- +goose Down`
//   sql-migrate     as goose, with `-- +migrate Up` / `-- +migrate Down`
//   dbmate          <version>_<name>.sql, name order; `-- migrate:up` / `-- migrate:down`
//   flyway          V<version>__<desc>.sql by version (parts compared as numbers), then R__ by
//                   description; U<version>__ is the undo (down) of V<version>
//   golang-migrate  <version>_<name>.up.sql / .down.sql, numeric versions
//   sqlx            as golang-migrate, or a single <version>_<name>.sql
//   prisma          <timestamp>_<name>/migration.sql, folder name order
//   diesel          <version>_<name>/up.sql + down.sql, folder name order; metadata.toml
//   supabase        supabase/migrations/<timestamp>_<name>.sql, name order
//   drizzle         <tag>.sql in the order of meta/_journal.json
//   sqitch          deploy/<change>.sql (revert/<change>.sql) in the order of sqitch.plan
//   atlas           the files in the order of atlas.sum
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/parallel.h"

namespace lockward::analysis {

class StatementCache;

// One file of the folder: its path relative to the set's root, '/'-separated ("0001_init.sql",
// "20240101_init/migration.sql", "meta/_journal.json"), and its text when the caller read it
// (the .sql files and the tools' own files: sqitch.plan, atlas.sum, meta/_journal.json,
// */metadata.toml, *.sql.conf).
struct FolderEntry {
  std::string path;
  std::optional<std::string> text;
};

struct ToolChoice {
  std::string tool;    // one of the tools above; "none" for a plain folder
  std::string reason;  // why: "set by migration_tool", "`-- +goose Up` in 3 files", …
  std::string note;    // non-empty when the folder was mixed or ambiguous (then tool is "none")
};

// `configured` (the migration_tool setting; "" when not set) wins when it names a tool that
// has an order of its own; otherwise the folder's files decide. `root` is the folder's own
// path, only read for its name (supabase/migrations).
ToolChoice detect_migration_tool(const std::vector<FolderEntry>& entries, std::string_view configured,
                                 std::string_view root = {});

// A tool's own configuration file, found by walking up from a migration (server/migrations
// does the walking): it names the tool and its migrations folder(s).
//   flyway.conf     flyway.locations=filesystem:sql[,filesystem:…]   (default: sql)
//   flyway.toml     locations = ["filesystem:sql", …]                 (default: sql)
//   dbconfig.yml    dir: migrations  (sql-migrate; one per environment; default: migrations)
//   atlas.hcl       migration { dir = "file://migrations" }          (default: migrations)
//   diesel.toml     [migrations_directory] dir = "migrations"         (default: migrations)
// Folders are as written, relative to the configuration file's folder unless absolute.
struct ToolConfig {
  std::string tool;
  std::vector<std::string> dirs;
};
// The names of those files, and what one of them says (nullopt: not one of them).
inline constexpr std::array<std::string_view, 5> kToolConfigFiles = {"flyway.conf", "flyway.toml", "dbconfig.yml",
                                                                     "atlas.hcl", "diesel.toml"};
std::optional<ToolConfig> read_tool_config(std::string_view file_name, std::string_view text);

// Whether the tool orders a folder (the tools above); an ORM tool (rails, django, …) only
// decides the transaction default of SQL it generated.
bool tool_orders_folder(std::string_view tool);

// Where a file sits in its folder's set: the root is the folder itself, except for the tools
// with a folder per migration (prisma, diesel: <root>/<migration>/file.sql) and sqitch
// (<root>/deploy/<change>.sql). `parent_entries` lists the parent folder's files by name.
// Returns how many directory levels above the file's folder the root is (0 or 1).
int set_root_levels(std::string_view file_name, std::string_view folder_name,
                    const std::vector<std::string>& parent_entries);

struct Migration {
  std::string name;  // as the tool names it: "V2__create_t", "20240101_init", "users"
  std::string up;    // the file holding its up part; "" when it has none (an undo without its V)
  std::string down;  // the file holding its down part; "" when none; == up for goose/dbmate sections
  // A side file's word on its transaction (Diesel's metadata.toml, Flyway's <file>.conf);
  // nullopt: the tool's default and the file's own directives decide.
  std::optional<bool> in_transaction;
};

// The tool's migrations in the order it runs them (up parts). Files the tool does not run are
// left out (verify/ scripts, README.sql next to a Prisma migration folder).
std::vector<Migration> order_migrations(std::string_view tool, const std::vector<FolderEntry>& entries);

enum class Part { Up, Down };

// Whether `text` holds sections (goose's `-- +goose Up/Down`, dbmate's `-- migrate:up/down`).
bool has_down_section(std::string_view tool, std::string_view text);

// The file's text with the other part's lines blanked (every byte but line ends replaced by a
// space), so offsets, lines and columns stay those of the file. Without sections, Up is the
// whole text and Down is "".
std::string part_text(std::string_view tool, std::string_view text, Part part);

// Appends the rollback's analysis to the up part's: its statements after the up part's, its
// findings marked as the rollback's ("rollback (down migration): …").
void append_rollback(Analysis& up, Analysis down);
// The mark a rollback finding's message starts with.
inline constexpr std::string_view kRollbackPrefix = "rollback (down migration): ";

// A migration file analysed as its tool runs it. Without `down_file`: its up part at
// options.schema_place, then its down section (if any) as a separate run at the place after
// (the schema its own up part built), its findings the rollback's. With `down_file` (a
// .down.sql, a revert/ script, a Flyway undo): the whole file as the rollback. `up_cache`, when
// given, is the cache analyze() reads for the up part (see prepare_analysis).
Analysis analyze_migration(std::string_view text, const Options& options, bool down_file,
                           const ParallelFor* parallel = nullptr, StatementCache* up_cache = nullptr);

// The down section of a goose/dbmate/sql-migrate file as its tool runs it: a separate run, after
// the file's up part, at the place after options.schema_place. options.schema must hold the
// file's own up part at options.schema_place (the CLI's history does; the language server's
// RollbackSchema), so the rollback sees what the up part built. Not yet marked: append_rollback
// does that. Shared by analyze_migration and the language server.
Analysis analyze_down_section(std::string_view text, const Options& options, const ParallelFor* parallel = nullptr);

// What a report on a migration of `tool` assumes that its folder cannot show ("" when nothing):
// drizzle-kit migrate runs every pending migration in one transaction, and which ones are
// pending is known only to the database, so each file is analysed as if it ran alone in it.
std::string_view migration_assumption(std::string_view tool);

// A migration version compared part by part as numbers ("1.10" after "1.2", "10" after "2");
// parts are separated by '.' or '_'. Negative, zero or positive as a < b, a == b, a > b.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace lockward::analysis
