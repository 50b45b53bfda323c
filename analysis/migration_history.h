// The earlier migrations of a folder folded into a SchemaModel: each file's statements are
// split, parsed and classified (no rule runs) and applied at the file's place. Pure: the callers
// (the CLI, the language server, tests) read the files and hand over their text.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/classify/classify.h"
#include "analysis/options.h"
#include "analysis/parallel.h"
#include "analysis/schema_model.h"

namespace lockward::analysis {

struct ParseOutcome;
class StatementCache;

// What one migration file changes, before it is placed in a model: computed for each file on
// any thread, then applied in the migrations' order.
struct MigrationFacts {
  std::vector<StatementFacts> statements;
  std::vector<TextRange> ranges;  // parallel: each statement's bytes in the file (its origin)
  bool unknown = false;  // a statement the model cannot follow (see hides_schema_changes)
};
MigrationFacts migration_facts(std::string_view text, const Options& options);
// What migration_facts() takes from one piece of SQL (`code`, at `range` in its file), parsed:
// nothing from statements that cannot change the schema (migration_facts() does not even parse
// those).
void add_migration_facts(const ParseOutcome& parsed, std::string_view code, const Options& options,
                         MigrationFacts& out, TextRange range = {});
void apply_migration(SchemaModel& model, const MigrationFacts& facts, SchemaModel::Place place,
                     std::string_view source);

// For a file that is both checked and history of later ones: parses it once, returns what
// migration_facts(text, options) returns, and fills `cache` so that analyze(text, options,
// &cache) parses nothing again (defined with analyze()). `options` are those analyze() will
// get, schema and place included; the schema is not relied on here (it may still be being
// built: what consults it is classified again in its place).
// `parallel`, when given, parses the statements on the caller's threads.
MigrationFacts prepare_analysis(std::string_view text, const Options& options, StatementCache& cache,
                                const ParallelFor* parallel = nullptr);

// Applies one migration file at `place`; `source` names it ("0001_init.sql"). Only statements
// that can change the schema are parsed (DML, settings and transaction control are skipped).
// Needs kParseStackBytes of stack, as analyze() does.
void apply_migration(SchemaModel& model, std::string_view text, SchemaModel::Place place, std::string_view source,
                     const Options& options);

// A statement the model cannot follow: a DO block, CALL or EXECUTE runs code that may change
// the schema in ways lockward cannot see.
bool hides_schema_changes(std::string_view node_type);

}  // namespace lockward::analysis
