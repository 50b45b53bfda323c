#include "analysis/classify/leading_keywords.h"

#include <cctype>
#include <string>
#include <vector>

#include "analysis/catalog/catalogue.h"

namespace lockward::analysis {
namespace {

struct Word {
  std::string text;  // lower-cased unless quoted
  bool quoted = false;
  TextRange range;
};

// Identifiers, keywords and the '.' between qualified names, skipping whitespace and
// comments; stops at the first other character (a bracket, an operator, a literal).
std::vector<Word> leading_words(std::string_view s, std::size_t limit) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < limit) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) { ++i; continue; }
    if (s.substr(i, 2) == "--") {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (s.substr(i, 2) == "/*") {
      int depth = 0;
      while (i < s.size()) {
        if (s.substr(i, 2) == "/*") { ++depth; i += 2; }
        else if (s.substr(i, 2) == "*/") { i += 2; if (--depth == 0) break; }
        else ++i;
      }
      continue;
    }
    Word w;
    std::size_t begin = i;
    if (c == '"') {
      w.quoted = true;
      ++i;
      while (i < s.size()) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') { w.text += '"'; i += 2; continue; }
        if (s[i] == '"') break;
        w.text += s[i++];
      }
      if (i >= s.size()) return out;  // unterminated
      ++i;
    } else if (std::isalpha(c) || c == '_' || c >= 0x80) {
      while (i < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[i]);
        if (!(std::isalnum(d) || d == '_' || d == '$' || d >= 0x80)) break;
        w.text += static_cast<char>(std::tolower(d));
        ++i;
      }
    } else if (c == '.') {
      w.text = ".";
      ++i;
    } else {
      return out;
    }
    w.range = TextRange{begin, i};
    out.push_back(std::move(w));
  }
  return out;
}

bool is(const std::vector<Word>& w, std::size_t k, std::string_view keyword) {
  return k < w.size() && !w[k].quoted && w[k].text == keyword;
}

// A possibly qualified name at w[k]; advances k past it.
std::optional<ObjectName> name_at(const std::vector<Word>& w, std::size_t& k) {
  if (k >= w.size() || w[k].text == ".") return std::nullopt;
  ObjectName name{"", w[k].text};
  ++k;
  if (k + 1 < w.size() && w[k].text == "." && !w[k].quoted && w[k + 1].text != ".") {
    name.schema = name.name;
    name.name = w[k + 1].text;
    k += 2;
  }
  return name;
}

// Whether the statement's text names another relation: any of these words, unquoted.
bool may_name_other_relations(std::string_view s) {
  std::string lower;
  lower.reserve(s.size());
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"references", "partition", "inherits", "like"}) {
    for (std::size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      bool start = at == 0 || !(std::isalnum(static_cast<unsigned char>(lower[at - 1])) || lower[at - 1] == '_');
      std::size_t end = at + word.size();
      bool stop = end >= lower.size() || !(std::isalnum(static_cast<unsigned char>(lower[end])) || lower[end] == '_');
      if (start && stop) return true;
    }
  }
  return false;
}

constexpr std::string_view kWhy =
    "PostgreSQL 18 syntax that lockward's PostgreSQL 17 grammar cannot parse: read from its leading keywords only";

}  // namespace

std::optional<StatementFacts> classify_leading_keywords(std::string_view text, int pg_version) {
  if (pg_version < 18) return std::nullopt;
  std::vector<Word> w = leading_words(text, 12);
  std::size_t k = 0;
  if (is(w, 0, "alter") && is(w, 1, "table")) {
    k = 2;
    if (is(w, k, "if") && is(w, k + 1, "exists")) k += 2;
    if (is(w, k, "only")) ++k;
    std::optional<ObjectName> table = name_at(w, k);
    const CatalogueRow* row = find_row("alter-table-unparsed", pg_version);
    if (!table || !row) return std::nullopt;
    StatementFacts facts;
    facts.summary = "ALTER TABLE " + table->sql();
    Effect effect;
    effect.row = row;
    effect.table = *table;
    effect.range = TextRange{0, text.size()};
    effect.uncertain = true;
    effect.uncertainty = std::string(kWhy) + "; ACCESS EXCLUSIVE on " + table->sql() +
                         " is an upper bound (no ALTER TABLE subcommand takes more)";
    effect.locks.push_back(LockFact{*table, ObjectKind::Table, Role::Table, LockMode::AccessExclusive, false, false});
    facts.effects.push_back(std::move(effect));
    return facts;
  }
  if (is(w, 0, "create")) {
    k = 1;
    if (is(w, k, "unlogged")) ++k;
    if (!is(w, k, "table")) return std::nullopt;
    ++k;
    if (is(w, k, "if") && is(w, k + 1, "not") && is(w, k + 2, "exists")) k += 3;
    std::optional<ObjectName> table = name_at(w, k);
    if (!table) return std::nullopt;
    StatementFacts facts;
    facts.summary = "CREATE TABLE " + table->sql();
    facts.creates.push_back(CreatedObject{*table, ObjectKind::Table, {}});
    if (may_name_other_relations(text)) {
      facts.unknown = true;
      facts.unknown_reason = std::string(kWhy) + ", and it may lock the other tables it names";
      return facts;
    }
    const CatalogueRow* row = find_row("create-table", pg_version);
    if (!row) return std::nullopt;
    Effect effect;
    effect.row = row;
    effect.table = *table;
    effect.range = TextRange{0, text.size()};
    effect.uncertain = true;
    effect.uncertainty = std::string(kWhy) + "; it names no other relation, so it locks nothing that exists";
    facts.effects.push_back(std::move(effect));
    return facts;
  }
  return std::nullopt;
}

}  // namespace lockward::analysis
