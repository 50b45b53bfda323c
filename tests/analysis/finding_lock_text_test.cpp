// One text per fact: a lock finding names, for its relation, the lock the statement's lock
// list holds (what the hover and `explain` show), also when another clause of the same
// statement takes a stronger lock than the finding's own clause.
#include <catch2/catch.hpp>

#include "analysis/analyze.h"

using namespace lockward::analysis;

namespace {

std::optional<LockMode> listed(const Statement& s, const ObjectName& object) {
  std::optional<LockMode> mode;
  for (const LockFact& l : s.locks)
    if (l.object == object && (!mode || l.mode > *mode)) mode = l.mode;
  return mode;
}

void check_messages(const std::string& sql, int pg, std::size_t& compared) {
  Options options;
  options.pg_version = pg;
  const Analysis a = analyze(sql + ";\n", options);
  for (const Finding& f : a.findings) {
    if (!f.statement || f.relation.empty() || !f.lock) continue;
    const Statement& s = a.statements[*f.statement];
    const std::optional<LockMode> mode = listed(s, f.relation);
    INFO(sql << "\nPostgreSQL " << pg << ": [" << f.rule << "] " << f.message);
    REQUIRE(mode);
    // "<mode> on [table|referenced table|…] <relation>"
    const std::string said = std::string(lock_mode_name(*mode)) + " on ";
    bool names_it = false;
    for (std::size_t at = f.message.find(said); at != std::string::npos && !names_it; at = f.message.find(said, at + 1)) {
      const std::string after = f.message.substr(at + said.size(), 24 + f.relation.sql().size());
      names_it = after.find(f.relation.sql()) != std::string::npos;
    }
    CHECK(names_it);
    ++compared;
  }
}

}  // namespace

TEST_CASE("a lock finding names the lock the statement's lock list holds", "[analysis][messages]") {
  std::size_t compared = 0;
  for (int pg : {11, 17}) {
    for (const CatalogueRow& row : catalogue()) {
      if (row.example.empty() || pg < row.min_pg || pg > row.max_pg) continue;
      const std::string example(row.example);
      check_messages(example, pg, compared);
      // The same clause beside one that takes ACCESS EXCLUSIVE.
      if (example.starts_with("ALTER TABLE") && example.find(';') == std::string::npos)
        check_messages(example + ", ADD COLUMN lockward_extra int", pg, compared);
    }
  }
  // The report that found the disagreement.
  check_messages("ALTER TABLE users ADD COLUMN x int REFERENCES orders(id)", 17, compared);
  CHECK(compared > 100);

  Options options;
  const Analysis a = analyze("ALTER TABLE users ADD COLUMN x int REFERENCES orders(id);\n", options);
  bool seen = false;
  for (const Finding& f : a.findings) {
    if (f.rule != "add-foreign-key") continue;
    seen = true;
    CHECK(f.message.find("takes ACCESS EXCLUSIVE on table users") != std::string::npos);
    CHECK(f.message.find("this clause alone takes SHARE ROW EXCLUSIVE") != std::string::npos);
    CHECK(f.message.find("SHARE ROW EXCLUSIVE on referenced table orders") != std::string::npos);
  }
  CHECK(seen);
}
