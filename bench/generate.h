// Deterministic generator of realistic mixed migration text for benchmarks.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace lockward::bench {

// `statements` statements over 50 tables: column adds, indexes, constraints, renames, DML,
// settings, and a transaction block every 20 statements.
inline std::string generate_migration(std::size_t statements) {
  static const char* kForms[] = {
      "ALTER TABLE t{t} ADD COLUMN c{i} integer;",
      "ALTER TABLE t{t} ADD COLUMN d{i} timestamptz NOT NULL DEFAULT now();",
      "CREATE INDEX CONCURRENTLY t{t}_c{i}_idx ON t{t} (c{i});",
      "CREATE INDEX t{t}_d{i}_idx ON t{t} (d{i});",
      "ALTER TABLE t{t} ADD CONSTRAINT t{t}_fk{i} FOREIGN KEY (c{i}) REFERENCES t{u} (id) NOT VALID;",
      "ALTER TABLE t{t} VALIDATE CONSTRAINT t{t}_fk{i};",
      "UPDATE t{t} SET c{i} = 0 WHERE id < 1000;",
      "SET lock_timeout = '5s';",
      "ALTER TABLE t{t} ALTER COLUMN c{i} SET NOT NULL;",
      "-- a comment about the next statement\nALTER TABLE t{t} RENAME COLUMN c{i} TO e{i};",
      "INSERT INTO t{t} (id, note) VALUES (1, 'it''s; fine');",
      "CREATE TABLE n{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body jsonb);",
  };
  std::string out;
  out.reserve(statements * 64);
  for (std::size_t i = 0; i < statements; ++i) {
    if (i % 20 == 0) out += "BEGIN;\n";
    std::string s = kForms[(i * 7) % (sizeof(kForms) / sizeof(kForms[0]))];
    auto replace = [&](const std::string& key, const std::string& value) {
      for (std::size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size()))
        s.replace(p, key.size(), value);
    };
    replace("{t}", std::to_string(i % 50));
    replace("{u}", std::to_string((i + 1) % 50));
    replace("{i}", std::to_string(i));
    out += s;
    out += '\n';
    if (i % 20 == 19) out += "COMMIT;\n";
  }
  return out;
}

// The 20,000-statement migration cut at each transaction's end into `folder`'s files
// 0001_migration.sql … 1000_migration.sql (20 statements each); returns how many it wrote.
inline std::size_t write_migration_folder(const std::filesystem::path& folder) {
  const std::string text = generate_migration(20000);
  std::filesystem::create_directories(folder);
  std::size_t file = 0, begin = 0;
  for (std::size_t end = text.find("COMMIT;\n"); end != std::string::npos; end = text.find("COMMIT;\n", begin)) {
    end += 8;
    char name[32];
    std::snprintf(name, sizeof name, "%04zu_migration.sql", ++file);
    std::ofstream(folder / name, std::ios::binary) << text.substr(begin, end - begin);
    begin = end;
  }
  return file;
}

// The name write_migration_folder() gave its `n`th file.
inline std::string migration_folder_file(std::size_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "%04zu_migration.sql", n);
  return name;
}

}  // namespace lockward::bench
