// The schema folders' lock claims, proven: each folder of tests/data/schema (history, then the
// statement) is traced on PostgreSQL 13, 15 and 17. The trace replays the earlier migrations,
// predicts the last file's locks with the schema they built (the expected.txt that
// schema_test.cpp checks statically) and compares them with the locks PostgreSQL takes: every
// prediction must be confirmed, and no lock may be taken that was not predicted.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/run_binary.h"
#include "trace/pg_binaries.h"

namespace fs = std::filesystem;

namespace {

fs::path last_migration(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".sql") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files.empty() ? fs::path{} : files.back();
}

bool installed(int version) {
  for (const auto& p : lockward::trace::list_pg_installations())
    if (p.major == version) return true;
  return false;
}

}  // namespace

TEST_CASE("schema folders: the locks predicted with history are the locks PostgreSQL takes", "[trace][schema]") {
  const fs::path root = fs::path(LOCKWARD_TEST_DATA) / "schema";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(!cases.empty());
  for (int version : {13, 15, 17}) {
    if (!installed(version)) {
      WARN("PostgreSQL " << version << " is not installed: its proof is skipped");
      continue;
    }
    for (const fs::path& dir : cases) {
      INFO("PostgreSQL " << version << ", " << dir.filename().string());
      auto r = lockward::test::run_lockward("trace --pg-version " + std::to_string(version) + " '" +
                                            last_migration(dir).string() + "'");
      INFO(r.output);
      CHECK(r.output.find(" 0 mismatches, 0 trace-only, 0 errors") != std::string::npos);
      CHECK(r.output.find("Mismatch") == std::string::npos);
    }
  }
}
