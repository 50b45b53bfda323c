// Schema-aware analysis: the migrations before a file tell which objects a statement's locks
// fall on. Each folder of tests/data/schema holds migrations; the last one is checked with the
// others as its history, and its locks and findings must match the folder's expected.txt
// (LOCKWARD_UPDATE_GOLDEN=1 rewrites them). The lock claims are proven on PostgreSQL by the
// same folders traced (see docs) and by the catalogue rows' examples (verify-rules).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/analyze.h"
#include "analysis/document_analysis.h"
#include "analysis/migration_history.h"
#include "analysis/schema_model.h"
#include "check_helpers.h"

using namespace lockward::analysis;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> migrations(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".sql") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// What a user sees of the last file: each statement's locks, rewrite and risk, then the findings.
std::string dump(const Analysis& a) {
  std::string out;
  for (const Statement& s : a.statements) {
    out += s.summary + ":";
    std::vector<std::string> locks;
    for (const LockFact& l : s.locks)
      locks.push_back(" " + l.object.sql() + " " + std::string(lock_mode_name(l.mode)) + (l.new_object ? " (new)" : ""));
    std::sort(locks.begin(), locks.end());
    for (const std::string& l : locks) out += l;
    if (s.rewrite != Rewrite::None) out += "; " + std::string(rewrite_name(s.rewrite));
    out += "; risk " + std::string(risk_name(s.risk)) + "\n";
  }
  for (const Finding& f : a.findings) out += "finding " + f.rule + " " + std::string(risk_name(f.risk)) + "\n";
  return out;
}

Analysis check_with_history(const fs::path& dir, SchemaModel& model, const Options& base) {
  std::vector<fs::path> files = migrations(dir);
  REQUIRE(files.size() >= 2);
  for (std::size_t i = 0; i + 1 < files.size(); ++i)
    apply_migration(model, read(files[i]), static_cast<SchemaModel::Place>(i), files[i].filename().string(), base);
  Options options = base;
  options.schema = &model;
  options.schema_place = static_cast<SchemaModel::Place>(files.size() - 1);
  return analyze(read(files.back()), options);
}

}  // namespace

TEST_CASE("schema folders: the last migration's locks with the earlier ones as history", "[schema]") {
  const fs::path root = fs::path(LOCKWARD_TEST_DATA) / "schema";
  const bool update = std::getenv("LOCKWARD_UPDATE_GOLDEN") != nullptr;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 6);
  for (const fs::path& dir : cases) {
    INFO(dir.filename().string());
    SchemaModel model;
    std::string got = dump(check_with_history(dir, model, Options{}));
    if (update) std::ofstream(dir / "expected.txt", std::ios::binary) << got;
    CHECK(got == read(dir / "expected.txt"));
  }
}

TEST_CASE("without history the same statements stay as unknown as before", "[schema]") {
  Analysis a = analyze("DROP INDEX users_email_idx; ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);"
                       "DROP TABLE IF EXISTS never_created;",
                       Options{});
  REQUIRE(a.statements.size() == 3);
  REQUIRE(a.statements[0].locks.size() == 1);  // the index only: its table is not known
  CHECK(a.statements[1].effects[0].uncertain);
  CHECK(a.statements[2].effects[0].row->id == "drop-table");
}

TEST_CASE("the file's own earlier statements are schema too", "[schema]") {
  SchemaModel model;
  apply_migration(model, "CREATE TABLE users (id bigint, email varchar(50));", 0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  Analysis a = analyze("CREATE INDEX users_email_idx ON users (email);\n"
                       "ALTER TABLE users ALTER COLUMN email TYPE varchar(80);\n"
                       "ALTER TABLE users ALTER COLUMN email TYPE varchar(60);\n"
                       "ALTER TABLE users RENAME TO members;\n"
                       "ALTER TABLE members ALTER COLUMN email TYPE text;\n"
                       "DROP INDEX users_email_idx;\n"
                       "DROP INDEX IF EXISTS users_email_idx;\n",
                       options);
  REQUIRE(a.statements.size() == 7);
  CHECK(a.statements[1].effects[0].row->id == "alter-column-type-no-rewrite");
  CHECK(a.statements[2].effects[0].row->id == "alter-column-type");  // 80 → 60 shortens
  CHECK(a.statements[4].effects[0].row->id == "alter-column-type-no-rewrite");  // under its new name
  // The index was created in this file (new) but its table exists: the table's lock counts.
  bool users_locked = false;
  for (const LockFact& l : a.statements[5].locks) users_locked |= l.object.name == "users" && !l.new_object;
  CHECK(users_locked);
  CHECK(a.statements[6].effects[0].row->id == "drop-absent");
}

TEST_CASE("an incremental update with history equals analyze()", "[schema]") {
  SchemaModel model;
  apply_migration(model,
                  "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(50));\n"
                  "CREATE TABLE orders (id bigint, user_id bigint REFERENCES users);\n"
                  "CREATE INDEX users_email_idx ON users (email);",
                  0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  std::string text =
      "DROP INDEX users_email_idx;\n"
      "CREATE INDEX users_email_idx ON users (email);\n"
      "ALTER TABLE users ALTER COLUMN email TYPE varchar(80);\n"
      "DROP TABLE orders;\n"
      "DROP TABLE IF EXISTS orders;\n";
  DocumentAnalysis doc;
  doc.update(text, options);
  // Edits that change what later statements see of the schema.
  const std::pair<std::string, std::string> edits[] = {
      {"DROP INDEX users_email_idx;\n", "-- gone\n"},
      {"varchar(80)", "varchar(20)"},
      {"DROP TABLE orders;\n", ""},
      {"CREATE INDEX users_email_idx", "CREATE INDEX other_idx"},
      {"-- gone\n", "DROP INDEX users_email_idx;\n"},
  };
  for (const auto& [from, to] : edits) {
    std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::shared_ptr<const Analysis> inc = doc.update(text, options);
    INFO(text);
    CHECK(dump(*inc) == dump(analyze(text, options)));
  }
}

namespace {
bool locks(const Statement& s, const std::string& name, LockMode mode) {
  return std::any_of(s.locks.begin(), s.locks.end(),
                     [&](const LockFact& l) { return l.object.name == name && l.mode == mode; });
}
}  // namespace

TEST_CASE("the file's own foreign keys and DEFAULT partitions are schema too", "[schema]") {
  SchemaModel model;
  apply_migration(model,
                  "CREATE TABLE users (id bigint PRIMARY KEY);\n"
                  "CREATE TABLE events (id bigint, created date) PARTITION BY RANGE (created);",
                  0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  std::string text =
      "CREATE TABLE orders (id bigint, user_id bigint REFERENCES users);\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;\n"
      "ALTER TABLE orders DROP COLUMN user_id;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;\n"
      "CREATE TABLE events_other PARTITION OF events DEFAULT;\n"
      "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
      "ALTER TABLE events DETACH PARTITION events_other;\n"
      "CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');\n";
  Analysis a = analyze(text, options);
  REQUIRE(a.statements.size() == 8);
  CHECK(locks(a.statements[1], "users", LockMode::RowShare));
  CHECK(locks(a.statements[2], "users", LockMode::AccessExclusive));  // the key goes with its column
  CHECK_FALSE(locks(a.statements[3], "users", LockMode::RowShare));   // no such key any more
  CHECK(locks(a.statements[5], "events_other", LockMode::AccessExclusive));
  CHECK_FALSE(locks(a.statements[7], "events_other", LockMode::AccessExclusive));  // detached
  // An incremental analysis of the same text sees the same.
  DocumentAnalysis doc;
  doc.update("-- start\n", options);
  std::shared_ptr<const Analysis> inc = doc.update(text, options);
  REQUIRE(inc->statements.size() == 8);
  for (std::size_t i = 0; i < 8; ++i) CHECK(inc->statements[i].locks.size() == a.statements[i].locks.size());
}

TEST_CASE("a DELETE locks the tables whose foreign keys point at it, as their actions say", "[schema]") {
  SchemaModel model;
  apply_migration(model, "CREATE TABLE users (id bigint PRIMARY KEY, code text UNIQUE);", 0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  std::string text =
      "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE);\n"
      "CREATE TABLE lines (id bigint, order_id bigint REFERENCES orders (id) ON DELETE RESTRICT);\n"
      "ALTER TABLE lines ADD CONSTRAINT lines_code_fk FOREIGN KEY (id) REFERENCES users (id) ON DELETE SET NULL;\n"
      "CREATE TABLE notes (id bigint, user_id bigint REFERENCES users);\n"
      "DELETE FROM users WHERE id = 1;\n"
      "UPDATE users SET code = 'x' WHERE id = 1;\n"
      "UPDATE users SET id = 2 WHERE id = 1;\n"
      "ALTER TABLE notes DROP COLUMN user_id;\n"
      "DELETE FROM users WHERE id = 1;\n";
  Analysis a = analyze(text, options);
  REQUIRE(a.statements.size() == 9);
  CHECK(locks(a.statements[4], "orders", LockMode::RowExclusive));  // CASCADE
  CHECK(locks(a.statements[4], "lines", LockMode::RowExclusive));   // SET NULL outranks the cascaded RESTRICT check
  CHECK(locks(a.statements[4], "notes", LockMode::RowShare));       // NO ACTION: the check reads it
  CHECK(a.statements[5].locks.size() == 1);                         // no key points at code
  CHECK(locks(a.statements[6], "orders", LockMode::RowShare));  // ON UPDATE NO ACTION on users (id)
  CHECK(locks(a.statements[6], "lines", LockMode::RowShare));
  CHECK_FALSE(locks(a.statements[6], "notes", LockMode::RowShare));  // its key's columns are not written out
  CHECK_FALSE(locks(a.statements[8], "notes", LockMode::RowShare));  // its key went with the column
  DocumentAnalysis doc;
  doc.update("-- start\n", options);
  std::shared_ptr<const Analysis> inc = doc.update(text, options);
  REQUIRE(inc->statements.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) CHECK(inc->statements[i].locks.size() == a.statements[i].locks.size());
}

TEST_CASE("a parent's children follow it through renames and drops; what is not known stays unnamed", "[schema]") {
  SchemaModel model;
  apply_migration(model,
                  "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);\n"
                  "CREATE TABLE events_a PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n"
                  "CREATE TABLE logs (id int) PARTITION BY RANGE (id);\n"
                  "CREATE TABLE logs_a PARTITION OF logs FOR VALUES FROM (0) TO (10);\n"
                  "DROP TABLE logs;\n",
                  0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  auto locked = [](const Statement& s) {
    std::vector<std::string> out;
    for (const LockFact& l : s.locks) out.push_back(l.object.name);
    std::sort(out.begin(), out.end());
    return out;
  };
  Analysis a = analyze("ALTER TABLE events RENAME TO happenings;\n"
                       "ALTER TABLE happenings ADD COLUMN note text;\n"
                       "ALTER TABLE ONLY happenings ALTER COLUMN note SET DEFAULT '';\n"
                       "DROP TABLE IF EXISTS logs_a;\n"
                       "ALTER DOMAIN never_created ADD CONSTRAINT c CHECK (VALUE > 0);\n",
                       options);
  REQUIRE(a.statements.size() == 5);
  CHECK(locked(a.statements[1]) == std::vector<std::string>{"events_a", "happenings"});
  CHECK(locked(a.statements[2]) == std::vector<std::string>{"happenings"});  // ONLY
  CHECK(a.statements[3].effects[0].row->id == "drop-absent");  // went with its parent
  CHECK(a.statements[4].locks.empty());                        // a domain the schema never saw
  CHECK_FALSE(unnamed_role_locks(a.statements[4].effects).empty());
}

namespace {
// `text` analysed with one earlier migration, `history`, as its schema.
Analysis after(std::string_view history, std::string_view text) {
  SchemaModel model;
  apply_migration(model, history, 0, "0001.sql", Options{});
  Options options;
  options.schema = &model;
  options.schema_place = 1;
  return analyze(text, options);
}
}  // namespace

TEST_CASE("DROP FUNCTION of a trigger function: its triggers' tables, or why it fails", "[schema]") {
  Analysis a = after("CREATE TABLE users (id bigint PRIMARY KEY);\n"
                     "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
                     "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();",
                     "DROP FUNCTION touch();\nDROP FUNCTION touch(int) CASCADE;\n"
                     "DROP TRIGGER users_touch ON users;\nDROP FUNCTION touch() CASCADE;\n");
  REQUIRE(a.statements.size() == 4);
  // Without CASCADE the trigger makes it fail; the summary says so.
  CHECK(a.statements[0].summary.find("fails: trigger users_touch on users") != std::string::npos);
  CHECK(a.statements[0].locks.empty());
  CHECK(a.statements[1].effects[0].row->id == "drop-function");  // with arguments: not a trigger function
  // The trigger was dropped earlier in the file: nothing left to drop with it.
  CHECK(a.statements[3].effects[0].row->id == "drop-function");
  CHECK(a.statements[3].locks.empty());
  // Without the history the triggers are not known: an upper bound, said to be uncertain.
  Analysis alone = analyze("DROP FUNCTION touch() CASCADE;", Options{});
  REQUIRE(alone.statements.size() == 1);
  CHECK(alone.statements[0].effects[0].row->id == "drop-function-cascade");
  CHECK(alone.statements[0].effects[0].uncertain);
  CHECK(alone.statements[0].effects[0].uncertainty.find("which triggers") != std::string::npos);
}

TEST_CASE("writes to a referencing table check the referenced tables", "[schema]") {
  Analysis a = after("CREATE TABLE users (id bigint PRIMARY KEY);\n"
                     "CREATE TABLE orders (id bigint, user_id bigint REFERENCES users, note text);",
                     "INSERT INTO orders VALUES (1, 1);\nUPDATE orders SET note = 'x';\n"
                     "UPDATE orders SET user_id = 2;\nCOPY orders FROM STDIN;\nCOPY orders TO STDOUT;\n");
  REQUIRE(a.statements.size() == 5);
  CHECK(locks(a.statements[0], "users", LockMode::RowShare));
  CHECK_FALSE(locks(a.statements[1], "users", LockMode::RowShare));  // the key is not set
  CHECK(locks(a.statements[2], "users", LockMode::RowShare));
  CHECK(locks(a.statements[3], "users", LockMode::RowShare));
  CHECK_FALSE(locks(a.statements[4], "users", LockMode::RowShare));
  for (int i : {0, 2, 3})
    for (const LockFact& l : a.statements[static_cast<std::size_t>(i)].locks)
      if (l.object.name == "users") CHECK(l.if_rows_change);
}
