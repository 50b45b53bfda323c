#include "analysis/migration_history.h"

#include <algorithm>
#include <cctype>

#include "analysis/classify/classify.h"
#include "analysis/classify/leading_keywords.h"
#include "analysis/syntax/parser.h"
#include "analysis/syntax/splitter.h"

namespace lockward::analysis {
namespace {

// Statements that never create, drop, rename or alter a relation: not worth parsing here.
bool cannot_change_schema(std::string_view code) {
  std::size_t n = 0;
  while (n < code.size() && n < 16 && std::isalpha(static_cast<unsigned char>(code[n]))) ++n;
  std::string word(code.substr(0, n));
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::string_view kSkip[] = {
      "insert", "update", "delete", "merge", "set", "reset", "begin", "commit", "rollback", "start", "end",
      "savepoint", "release", "analyze", "vacuum", "grant", "revoke", "comment", "lock", "truncate", "refresh",
      "reindex", "cluster", "notify", "listen", "copy", "values", "show", "abort"};
  return std::find(std::begin(kSkip), std::end(kSkip), word) != std::end(kSkip);
}

}  // namespace

bool hides_schema_changes(std::string_view node_type) {
  return node_type == "DoStmt" || node_type == "CallStmt" || node_type == "ExecuteStmt" ||
         node_type == kLeadingKeywordsNode;  // PostgreSQL 18 syntax: what it changes is not read
}

MigrationFacts migration_facts(std::string_view text, const Options& options) {
  MigrationFacts out;
  for (const Piece& piece : split_statements(text).pieces) {
    if (piece.kind != PieceKind::Sql) continue;
    std::string_view code = piece.code.slice(text);
    if (cannot_change_schema(code)) continue;
    add_migration_facts(parse_statement(code), code, options, out, piece.code);
  }
  return out;
}

void add_migration_facts(const ParseOutcome& parsed, std::string_view code, const Options& options,
                         MigrationFacts& out, TextRange range) {
  if (cannot_change_schema(code)) return;
  ClassifyContext context;
  context.pg_version = options.pg_version;
  if (parsed.error || parsed.nodes.empty()) {
    out.unknown = true;
    // PostgreSQL 18 syntax: the tables it creates still exist for later migrations.
    if (parsed.error && !parsed.error->too_complex) {
      if (std::optional<StatementFacts> facts = classify_leading_keywords(code, options.pg_version);
          facts && !facts->creates.empty()) {
        facts->effects.clear();
        out.statements.push_back(std::move(*facts));
        out.ranges.push_back(range);
      }
    }
    return;
  }
  for (const ParsedNode& node : parsed.nodes) {
    if (hides_schema_changes(node.type)) {
      out.unknown = true;
      continue;
    }
    StatementFacts facts = classify(node, code, 0, TextRange{0, code.size()}, context);
    // Only what apply() reads is kept: of the effects, the relations they lock (the objects the
    // statement touches, for origins).
    const bool locks = std::any_of(facts.effects.begin(), facts.effects.end(), [](const Effect& e) { return !e.locks.empty(); });
    if (facts.creates.empty() && facts.column_types.empty() && facts.constraints_added.empty() &&
        facts.drops.empty() && facts.columns_dropped.empty() && facts.constraints_dropped.empty() &&
        facts.renames.empty() && facts.partitions.empty() && facts.constraints_validated.empty() &&
        facts.triggers.empty() && !locks)
      continue;
    if (locks) {
      Effect touched;
      for (Effect& e : facts.effects) touched.locks.insert(touched.locks.end(), e.locks.begin(), e.locks.end());
      facts.effects.assign(1, std::move(touched));
    } else {
      facts.effects.clear();
    }
    facts.defined_names.clear();
    out.statements.push_back(std::move(facts));
    out.ranges.push_back(range);
  }
}

void apply_migration(SchemaModel& model, const MigrationFacts& facts, SchemaModel::Place place,
                     std::string_view source) {
  model.count_file(place);
  if (facts.unknown) model.apply_unknown(place);
  for (std::size_t i = 0; i < facts.statements.size(); ++i)
    model.apply(facts.statements[i], place, source, i < facts.ranges.size() ? facts.ranges[i] : TextRange{});
}

void apply_migration(SchemaModel& model, std::string_view text, SchemaModel::Place place, std::string_view source,
                     const Options& options) {
  apply_migration(model, migration_facts(text, options), place, source);
}

}  // namespace lockward::analysis
