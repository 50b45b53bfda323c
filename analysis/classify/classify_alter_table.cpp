// ALTER TABLE: one effect per subcommand, each from its catalogue row.
#include "analysis/catalog/volatility.h"
#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

void add_column(const Input& in, const ObjectName& table, const Json& cmd, TextRange range,
                StatementFacts& facts) {
  const Json& def = ast::unwrap(ast::field(cmd, "def"), "ColumnDef");
  std::string column = ast::str(def, "colname");
  const Json* default_expr = nullptr;
  for (const auto& c : ast::list(def, "constraints")) {
    const Json& con = ast::unwrap(c, "Constraint");
    if (ast::str(con, "contype") == "CONSTR_DEFAULT") default_expr = &ast::field(con, "raw_expr");
  }
  std::string row = "add-column";
  if (default_expr) {
    row = expression_volatility(*default_expr) == Volatility::Volatile ? "add-column-volatile-default"
                                                                      : "add-column-constant-default";
  }
  Effect effect = make_effect(in, row, Targets{.table = table}, range);
  effect.column = column;
  facts.effects.push_back(std::move(effect));
  const Json& tn = ast::field(def, "typeName");
  facts.column_types.push_back(ColumnTypeUse{table, column, ast::type_name(tn), ast::type_mods(tn),
                                             !ast::list(tn, "arrayBounds").empty(),
                                             TextRange{in.at(ast::location(tn)), in.at(ast::location(tn))}});
  facts.defined_names.push_back(DefinedName{column, TextRange{in.at(ast::location(def)),
                                                              in.at(ast::location(def)) + column.size()}});
}

}  // namespace

void classify_alter_table(const Input& in, StatementFacts& facts) {
  if (in.node.type != "AlterTableStmt") return;
  const Json& body = in.node.body;
  ObjectName table = ast::range_var(ast::field(body, "relation"));
  facts.summary = "ALTER TABLE " + table.sql();
  const Json& cmds = ast::list(body, "cmds");
  std::vector<TextRange> clauses = alter_table_clauses(in, cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const Json& cmd = ast::unwrap(cmds[i], "AlterTableCmd");
    TextRange range = clauses.empty() ? in.statement : clauses[i];
    std::string subtype = ast::str(cmd, "subtype");
    if (subtype == "AT_AddColumn") add_column(in, table, cmd, range, facts);
  }
}

}  // namespace lockward::analysis::classify_detail
