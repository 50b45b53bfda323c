// CREATE INDEX, DROP INDEX, REINDEX.
#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {

void classify_index(const Input& in, StatementFacts& facts) {
  if (in.node.type != "IndexStmt") return;
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  bool concurrent = ast::flag(body, "concurrent");
  std::string name = ast::str(body, "idxname");
  facts.summary = std::string(concurrent ? "CREATE INDEX CONCURRENTLY " : "CREATE INDEX ") +
                  (name.empty() ? "" : quote_identifier(name) + " ") + "ON " + table.sql();
  Effect effect = make_effect(in, concurrent ? "create-index-concurrently" : "create-index",
                              Targets{.table = table}, in.statement);
  effect.index = name;
  facts.effects.push_back(std::move(effect));
  if (!name.empty()) {
    facts.creates.push_back({ObjectName{table.schema, name}, ObjectKind::Index});
    facts.defined_names.push_back({name, in.statement});
  }
}

}  // namespace lockward::analysis::classify_detail
