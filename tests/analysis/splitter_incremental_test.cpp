// Splitting again after an edit, from the last `;` before it, must give exactly the split of
// the whole new text: random edits over text with every construct the splitter knows.
#include <catch2/catch.hpp>

#include <random>

#include "analysis/syntax/splitter.h"

using namespace lockward::analysis;

namespace {

void require_same_comments(const std::vector<Comment>& a, const std::vector<Comment>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].range == b[i].range);
    REQUIRE(a[i].body == b[i].body);
  }
}

void require_same_split(const SplitResult& a, const SplitResult& b) {
  REQUIRE(a.content_begin == b.content_begin);
  REQUIRE(a.pieces.size() == b.pieces.size());
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    INFO("piece " << i);
    REQUIRE(a.pieces[i].kind == b.pieces[i].kind);
    REQUIRE(a.pieces[i].code == b.pieces[i].code);
    REQUIRE(a.pieces[i].terminated == b.pieces[i].terminated);
    if (a.pieces[i].terminated) REQUIRE(a.pieces[i].terminator == b.pieces[i].terminator);
    REQUIRE(a.pieces[i].unterminated_literal == b.pieces[i].unterminated_literal);
    require_same_comments(a.pieces[i].comments, b.pieces[i].comments);
  }
  require_same_comments(a.file_comments, b.file_comments);
}

// The edited bytes, as DocumentAnalysis finds them: common prefix and suffix.
SplitChange split_after(const std::string& old_text, const std::string& text, SplitResult& split) {
  const std::size_t limit = std::min(old_text.size(), text.size());
  std::size_t p = 0;
  while (p < limit && old_text[p] == text[p]) ++p;
  std::size_t q = 0;
  while (q < limit - p && old_text[old_text.size() - 1 - q] == text[text.size() - 1 - q]) ++q;
  return split_statements_after_edit(text, split, p, old_text.size() - q, text.size() - q);
}

}  // namespace

TEST_CASE("splitting after an edit equals splitting the whole text", "[splitter][incremental]") {
  const std::string base =
      "-- header comment\nSET lock_timeout = '2s'; -- trailing\nCREATE INDEX i ON t (a); /* block */ -- and line\n"
      "/* before */ ALTER TABLE t ADD COLUMN c int; -- same line\n-- leading\nINSERT INTO t VALUES ('a;b', E'x\\';y');\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
      "DO $body$ BEGIN PERFORM 1; END $body$;\n\\set ON_ERROR_STOP on\nSELECT \"a;b\" FROM t;;\n"
      "/* nested /* inner */ still */ UPDATE t SET a = 1;\nBEGIN;\nALTER TABLE t DROP COLUMN c;\nCOMMIT; -- end\n";
  const std::vector<std::string> insertions = {" ", "\n", ";", "x", "'", "\"", "--", "/*", "*/", "$$", "$t$", "E'",
                                               "\\", "\\set x 1\n", "BEGIN ATOMIC ", "END", "; -- c\n", "SELECT 1;"};
  std::mt19937 random(5);
  for (int round = 0; round < 4; ++round) {
    std::string text = base + base;
    SplitResult split = split_statements(text);
    for (int edit = 0; edit < 300; ++edit) {
      std::string old_text = text;
      std::size_t at = random() % (text.size() + 1);
      if (random() % 3 == 0 && at < text.size()) {
        text.erase(at, std::min<std::size_t>(1 + random() % 30, text.size() - at));
      } else {
        text.insert(at, insertions[random() % insertions.size()]);
      }
      INFO("round " << round << " edit " << edit << " at " << at);
      const SplitResult before = split;
      const SplitChange change = split_after(old_text, text, split);
      SplitResult whole = split_statements(text);
      require_same_split(split, whole);
      // What it says changed is all that did.
      REQUIRE(change.first + change.old_count <= before.pieces.size());
      REQUIRE(split.pieces.size() - change.new_count == before.pieces.size() - change.old_count);
      for (std::size_t i = 0; i < change.first; ++i) REQUIRE(split.pieces[i].code == before.pieces[i].code);
      for (std::size_t i = change.first + change.old_count; i < before.pieces.size(); ++i)
        REQUIRE(split.pieces[i - change.old_count + change.new_count].code.size() == before.pieces[i].code.size());
    }
  }
}
