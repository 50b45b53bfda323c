// A document analysis kept up to date across edits must always equal a fresh analysis of the
// same text: random edits (statements split and joined, transactions opened and closed, objects
// created and renamed, quotes left open) are checked one by one against analyze().
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>

#include "analysis/analyze.h"
#include "analysis/document_analysis.h"
#include "bench/generate.h"

using namespace lockward::analysis;

namespace {

void require_same_statement(const Statement& x, const Statement& y) {
  REQUIRE(x.index == y.index);
  REQUIRE(x.code == y.code);
  REQUIRE(x.with_comments == y.with_comments);
  REQUIRE(x.terminated == y.terminated);
  REQUIRE(x.status == y.status);
  REQUIRE(x.node == y.node);
  REQUIRE(x.summary == y.summary);
  REQUIRE(x.tx_control == y.tx_control);
  REQUIRE(x.rewrite == y.rewrite);
  REQUIRE(x.scans == y.scans);
  REQUIRE(x.risk == y.risk);
  REQUIRE(x.tx.in_transaction == y.tx.in_transaction);
  REQUIRE(x.tx.implicit == y.tx.implicit);
  REQUIRE(x.tx.begin_statement == y.tx.begin_statement);
  REQUIRE(x.tx.held_count == y.tx.held_count);
  REQUIRE(x.tx.exclusive_tables.size() == y.tx.exclusive_tables.size());
  REQUIRE(x.tx.strongest_held.has_value() == y.tx.strongest_held.has_value());
  REQUIRE(x.locks.size() == y.locks.size());
  for (std::size_t i = 0; i < x.locks.size(); ++i) {
    REQUIRE(x.locks[i].object == y.locks[i].object);
    REQUIRE(x.locks[i].mode == y.locks[i].mode);
    REQUIRE(x.locks[i].new_object == y.locks[i].new_object);
  }
  REQUIRE(x.effects.size() == y.effects.size());
  for (std::size_t i = 0; i < x.effects.size(); ++i) {
    REQUIRE(x.effects[i].row == y.effects[i].row);
    REQUIRE(x.effects[i].range == y.effects[i].range);
  }
}

void require_same_finding(const Finding& a, const Finding& b) {
  REQUIRE(a.rule == b.rule);
  REQUIRE(a.range == b.range);
  REQUIRE(a.statement == b.statement);
  REQUIRE(a.risk == b.risk);
  REQUIRE(a.severity == b.severity);
  REQUIRE(a.message == b.message);
  REQUIRE(a.help == b.help);
  REQUIRE(a.lock == b.lock);
  REQUIRE(a.relation == b.relation);
  REQUIRE(a.related.size() == b.related.size());
  for (std::size_t i = 0; i < a.related.size(); ++i) {
    REQUIRE(a.related[i].range == b.related[i].range);
    REQUIRE(a.related[i].message == b.related[i].message);
  }
  REQUIRE(a.fixes.size() == b.fixes.size());
  for (std::size_t i = 0; i < a.fixes.size(); ++i) {
    REQUIRE(a.fixes[i].replace == b.fixes[i].replace);
    REQUIRE(a.fixes[i].new_text == b.fixes[i].new_text);
  }
}

void require_same(const Analysis& a, const Analysis& b) {
  REQUIRE(a.statements.size() == b.statements.size());
  for (std::size_t i = 0; i < a.statements.size(); ++i) require_same_statement(a.statements[i], b.statements[i]);
  REQUIRE(a.findings.size() == b.findings.size());
  for (std::size_t i = 0; i < a.findings.size(); ++i) require_same_finding(a.findings[i], b.findings[i]);
  REQUIRE(a.coverage.analysed == b.coverage.analysed);
  REQUIRE(a.coverage.parse_errors == b.coverage.parse_errors);
}

std::string base_text() {
  return lockward::bench::generate_migration(120) +
         "CREATE TABLE u (id int, c int);\n"
         "ALTER TABLE u ADD CONSTRAINT u_c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
         "ALTER TABLE u VALIDATE CONSTRAINT u_c_nn;\n"
         "ALTER TABLE u ALTER COLUMN c SET NOT NULL;\n"
         "BEGIN;\nSAVEPOINT a;\nALTER TABLE t1 ADD COLUMN z int;\nROLLBACK TO a;\nCOMMIT;\n"
         "\\set ON_ERROR_STOP on\n"
         "SET lock_timeout = 0;\n"
         "DELETE FROM t2;\n"
         "CREATE TABLE v (a json, b varchar(10));\nALTER TABLE v ADD COLUMN c int DEFAULT random();\n";
}

}  // namespace

TEST_CASE("incremental analysis equals a fresh analysis after random edits", "[incremental]") {
  const std::vector<std::string> insertions = {
      " ", "\n", ";", "x", "'", "--", "/*", "*/", "$$", "BEGIN;\n", "COMMIT;\n", "CREATE TABLE t3 (id int);\n",
      "ALTER TABLE t3 ADD COLUMN q int;\n", "SET lock_timeout = '2s';\n", "CREATE INDEX i ON t4 (a);", "ALTER TABLE u ",
      "SET statement_timeout = 0;\n", "ALTER TABLE u VALIDATE CONSTRAINT u_c_nn;\n"};
  for (bool wrapped : {false, true}) {
    Options options;
    options.pg_version = 15;
    if (wrapped) options.migration_tool = "goose";
    std::string text = base_text();
    DocumentAnalysis doc;
    require_same(*doc.update(text, options), analyze(text, options));
    std::mt19937 random(wrapped ? 11 : 7);
    int partial = 0;
    for (int edit = 0; edit < 150; ++edit) {
      std::size_t at = random() % (text.size() + 1);
      if (random() % 3 == 0 && at < text.size()) {
        text.erase(at, std::min<std::size_t>(1 + random() % 40, text.size() - at));
      } else {
        text.insert(at, insertions[random() % insertions.size()]);
      }
      INFO("edit " << edit << " at " << at << (wrapped ? " (goose)" : ""));
      require_same(*doc.update(text, options), analyze(text, options));
      partial += doc.change().full ? 0 : 1;
    }
    CHECK(partial > 140);  // the edits were really applied incrementally
  }
}

TEST_CASE("statement ignore directives stay incremental and equal a fresh analysis after random edits",
          "[incremental]") {
  // Directives before, inside and after statements, unknown and unused ones; edits that add,
  // break and move them. A lockward-ignore-file (edits 100 to 149) makes runs whole-file.
  const std::vector<std::string> insertions = {
      " ", "\n", ";", "x", "--", "BEGIN;\n", "COMMIT;\n", "-- lockward-ignore: create-index\n",
      "-- lockward-ignore\n", "-- lockward-ignore: no-such-rule\n", "/* lockward-ignore: missing-lock-timeout */",
      "CREATE INDEX j ON t4 (a); -- lockward-ignore: create-index\n",
      "ALTER TABLE t1 ADD COLUMN q int NOT NULL DEFAULT 0;\n"};
  const std::string file_level = "-- lockward-ignore-file: set-not-null\n";
  for (unsigned seed : {1u, 5u, 8u}) {
    std::string text = "-- lockward-ignore: create-index -- reviewed\n" + base_text() +
                       "-- lockward-ignore: missing-lock-timeout\nCREATE INDEX z ON t (c);\n";
    Options options;
    DocumentAnalysis doc;
    require_same(*doc.update(text, options), analyze(text, options));
    std::mt19937 random(seed);
    int partial = 0;
    for (int edit = 0; edit < 200; ++edit) {
      std::size_t at = random() % (text.size() + 1);
      if (edit == 100) {
        text.insert(0, file_level);
      } else if (edit == 150) {
        text.erase(0, file_level.size());
      } else if (random() % 3 == 0 && at < text.size()) {
        if (edit > 100 && edit < 150) at = std::max(at, file_level.size());
        text.erase(at, std::min<std::size_t>(1 + random() % 40, text.size() - at));
      } else {
        if (edit > 100 && edit < 150) at = std::max(at, file_level.size());
        text.insert(at, insertions[random() % insertions.size()]);
      }
      INFO("seed " << seed << " edit " << edit << " at " << at);
      require_same(*doc.update(text, options), analyze(text, options));
      if (edit >= 100 && edit < 150) CHECK(doc.change().full);
      partial += doc.change().full ? 0 : 1;
    }
    // Outside edits 100–149 they were incremental, unless an edit left a directive outside any
    // statement (39 seeds tried: equal every time, and most seeds at 149).
    CHECK(partial > 120);
  }
}

TEST_CASE("a keystroke in a large document with statement ignore directives is incremental", "[incremental]") {
  std::string text = "-- lockward-ignore: create-index\n" + lockward::bench::generate_migration(2000);
  DocumentAnalysis doc;
  Options options;
  doc.update(text, options);
  text.insert(text.find("ALTER TABLE", text.size() / 2) + 6, " ");
  auto result = doc.update(text, options);
  CHECK_FALSE(doc.change().full);
  require_same(*result, analyze(text, options));
  text.insert(0, "-- lockward-ignore-file: set-not-null\n");
  require_same(*doc.update(text, options), analyze(text, options));
  CHECK(doc.change().full);
}

TEST_CASE("a keystroke in a large document re-analyses only its own transaction", "[incremental]") {
  std::string text = lockward::bench::generate_migration(2000);
  DocumentAnalysis doc;
  Options options;
  doc.update(text, options);
  std::size_t middle = text.find("ALTER TABLE", text.size() / 2);
  text.insert(middle + 6, " ");  // "ALTER  TABLE"
  auto result = doc.update(text, options);
  CHECK_FALSE(doc.change().full);
  CHECK(doc.change().new_statements <= 22);  // one BEGIN … COMMIT block of the generator
  require_same(*result, analyze(text, options));
  // An edit that changes an object the rest of the file uses still gives the same answer.
  text.replace(text.find("CREATE TABLE n"), 14, "CREATE TABLE t1");
  require_same(*doc.update(text, options), analyze(text, options));
}

TEST_CASE("ignore directives and option changes are honoured by a document analysis", "[incremental]") {
  std::string text = "CREATE INDEX a ON t (x);\n-- lockward-ignore: create-index\nCREATE INDEX b ON t (y);\n";
  DocumentAnalysis doc;
  Options options;
  require_same(*doc.update(text, options), analyze(text, options));
  text.insert(0, "-- lockward-ignore-file: create-index\n");
  require_same(*doc.update(text, options), analyze(text, options));
  CHECK(doc.update(text, options)->findings.size() == analyze(text, options).findings.size());
  options.pg_version = 11;
  require_same(*doc.update(text, options), analyze(text, options));
}

TEST_CASE("a whole-file analysis that parses on several threads equals a sequential one", "[incremental]") {
  // Three threads taking indices from the end: any order must give the same analysis.
  ParallelFor threads = [](std::size_t n, const std::function<void(std::size_t)>& work) {
    std::atomic<std::size_t> left{n};
    auto drain = [&] {
      for (std::size_t i = left.load(); i > 0; i = left.load()) {
        if (left.compare_exchange_weak(i, i - 1)) work(i - 1);
      }
    };
    std::thread a(drain), b(drain);
    drain();
    a.join();
    b.join();
  };
  int calls = 0;
  ParallelFor counting = [&](std::size_t n, const std::function<void(std::size_t)>& work) {
    ++calls;
    threads(n, work);
  };
  Options options;
  options.pg_version = 15;
  // The base text's SET NOT NULL depends on a CHECK validated earlier in the file.
  for (std::string text : {base_text(), "-- lockward-ignore-file: create-index\n" + base_text()}) {
    DocumentAnalysis doc;
    require_same(*doc.update(text, options, &counting), analyze(text, options));
  }
  CHECK(calls == 2);
  // Several batches of 1,024: each parsed while another thread runs the sequential pass over
  // the one before (the ignore directive makes it go through the statement cache too).
  for (std::string text : {lockward::bench::generate_migration(3000),
                           "-- lockward-ignore-file: create-index\n" + lockward::bench::generate_migration(3000)}) {
    DocumentAnalysis doc;
    require_same(*doc.update(text, options, &threads), analyze(text, options));
  }
  // An edit is incremental: no threads.
  std::string text = base_text();
  DocumentAnalysis doc;
  doc.update(text, options, &counting);
  text.insert(text.find("DELETE FROM"), " ");
  require_same(*doc.update(text, options, &counting), analyze(text, options));
  CHECK(calls == 3);
}
