// SET timezone in the file changes the answer: timestamp ↔ timestamptz needs no rewrite when
// the session's time zone is UTC (ATColumnChangeRequiresRewrite, PostgreSQL 12+).
#include <catch2/catch.hpp>
#include <string>

#include "analysis/analyze.h"

using namespace lockward::analysis;

namespace {

// The row of the file's last statement (an ALTER COLUMN TYPE of t.ts).
std::string last_row(const std::string& sql, int pg = 17) {
  Options options;
  options.pg_version = pg;
  Analysis a = analyze("CREATE TABLE t (id int, ts timestamp, tz timestamptz);\n" + sql, options);
  REQUIRE(!a.statements.empty());
  const Statement& s = a.statements.back();
  REQUIRE(s.effects.size() == 1);
  return s.effects[0].row ? std::string(s.effects[0].row->id) : "?";
}

}  // namespace

TEST_CASE("timestamp to timestamptz does not rewrite when the session time zone is UTC", "[timezone]") {
  const std::string alter = "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;";
  CHECK(last_row(alter) == "alter-column-type");
  CHECK(last_row("SET timezone = 'UTC';\n" + alter) == "alter-column-type-timestamptz-utc");
  CHECK(last_row("SET TIME ZONE 'Etc/UTC';\n" + alter) == "alter-column-type-timestamptz-utc");
  CHECK(last_row("SET TIME ZONE 0;\n" + alter) == "alter-column-type-timestamptz-utc");
  CHECK(last_row("SET timezone TO 'utc';\nALTER TABLE t ALTER COLUMN tz TYPE timestamp;") ==
        "alter-column-type-timestamptz-utc");
  // Another zone, RESET, a later change back, or a precision change: the rewrite stays.
  CHECK(last_row("SET timezone = 'Europe/Paris';\n" + alter) == "alter-column-type");
  CHECK(last_row("SET timezone = 'UTC';\nRESET timezone;\n" + alter) == "alter-column-type");
  CHECK(last_row("SET timezone = 'UTC';\nSET TIME ZONE LOCAL;\n" + alter) == "alter-column-type");
  CHECK(last_row("SET timezone = 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz(3);") == "alter-column-type");
  CHECK(last_row("SET timezone = 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz USING ts;") ==
        "alter-column-type");
  // PostgreSQL 11 rewrote whatever the zone.
  CHECK(last_row("SET timezone = 'UTC';\n" + alter, 11) == "alter-column-type");
}

TEST_CASE("SET LOCAL timezone lasts to the end of its transaction", "[timezone]") {
  const std::string alter = "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;";
  CHECK(last_row("BEGIN;\nSET LOCAL timezone = 'UTC';\n" + alter) == "alter-column-type-timestamptz-utc");
  CHECK(last_row("BEGIN;\nSET LOCAL timezone = 'UTC';\nCOMMIT;\n" + alter) == "alter-column-type");
  // Outside a transaction block SET LOCAL does nothing.
  CHECK(last_row("SET LOCAL timezone = 'UTC';\n" + alter) == "alter-column-type");
  // A session UTC outlives a SET LOCAL elsewhere that ended.
  CHECK(last_row("SET timezone = 'UTC';\nBEGIN;\nSET LOCAL timezone = 'Asia/Tokyo';\nCOMMIT;\n" + alter) ==
        "alter-column-type-timestamptz-utc");
  // A rollback may have undone the SET: not known to be UTC.
  CHECK(last_row("BEGIN;\nSET timezone = 'UTC';\nROLLBACK;\n" + alter) == "alter-column-type");
}
