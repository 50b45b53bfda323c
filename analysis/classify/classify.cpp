#include "analysis/classify/classify.h"

#include <cctype>

#include "analysis/classify/classify_internal.h"

namespace lockward::analysis {

ObjectKind kind_for_role(Role role) {
  switch (role) {
    case Role::Table:
    case Role::ReferencedTable:
    case Role::ReferencingTable:
    case Role::CascadedTable:
    case Role::PartitionParent:
    case Role::InheritParent:
    case Role::Partition:
    case Role::DefaultPartition:
    case Role::Source:
    case Role::DomainTable:
    case Role::Child:
    case Role::ViewBase: return ObjectKind::Table;
    case Role::TriggerTable: return ObjectKind::Table;
    case Role::Index: return ObjectKind::Index;
    case Role::View: return ObjectKind::View;
    case Role::MaterializedView: return ObjectKind::MaterializedView;
    case Role::Sequence: return ObjectKind::Sequence;
    case Role::Type: return ObjectKind::Type;
    case Role::Schema: return ObjectKind::Schema;
    case Role::Database: return ObjectKind::Database;
  }
  return ObjectKind::Other;
}

namespace classify_detail {

Effect make_effect(const Input& in, std::string_view row_id, const Targets& targets, TextRange range) {
  Effect effect;
  effect.row = find_row(row_id, in.context.pg_version);
  effect.range = range;
  effect.table = targets.table;
  if (!effect.row) {
    if (int first = row_id.empty() ? 0 : first_version(row_id); first > in.context.pg_version) effect.needs_pg = first;
    return effect;
  }
  for (const RoleLock& rl : effect.row->locks) {
    ObjectName who;
    switch (rl.role) {
      case Role::Table:
      case Role::PartitionParent: who = targets.table; break;
      case Role::ReferencedTable:
      case Role::InheritParent: who = targets.referenced; break;
      case Role::Partition: who = targets.partition; break;
      case Role::Index: who = targets.index; break;
      case Role::DefaultPartition: continue;  // unknown statically unless a snapshot names it
      case Role::ReferencingTable:
      case Role::CascadedTable: continue;     // filled from the schema (add_locks_on)
      case Role::Source: continue;            // each relation the query reads: add_locks_on
      case Role::DomainTable: continue;       // from the schema, when it knows
      case Role::Child:
      case Role::ViewBase: continue;          // from the schema, when it knows (add_locks_on)
      case Role::TriggerTable: continue;      // from the schema (add_locks_on)
      default: who = targets.other; break;
    }
    if (who.empty()) continue;
    effect.locks.push_back(LockFact{who, kind_for_role(rl.role), rl.role, rl.mode, false, rl.until_statement_end});
  }
  return effect;
}

std::vector<TextRange> alter_table_clauses(const Input& in, std::size_t expected) {
  std::string_view s = in.statement_text();
  const Json& rel = ast::field(in.node.body, "relation");
  long rel_loc = ast::location(ast::unwrap(rel, "RangeVar").is_null() ? rel : ast::unwrap(rel, "RangeVar"));
  std::size_t i = rel_loc < 0 ? 0 : in.at(rel_loc) - in.statement.begin;
  // Skip the relation name itself (identifiers, dots, quotes).
  while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {}
    }
    ++i;
  }
  std::vector<TextRange> out;
  std::size_t start = i;
  int depth = 0;
  auto push = [&](std::size_t end) {
    std::size_t b = start, e = end;
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    out.push_back({in.statement.begin + b, in.statement.begin + e});
  };
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      char q = c;
      for (++i; i < s.size() && s[i] != q; ++i) {}
    } else if (c == '$') {
      std::size_t close = s.find('$', i + 1);
      if (close != std::string_view::npos) {
        std::string_view tag = s.substr(i, close - i + 1);
        std::size_t end = s.find(tag, close + 1);
        if (end != std::string_view::npos) i = end + tag.size() - 1;
      }
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      push(i);
      start = i + 1;
    }
  }
  push(s.size());
  if (out.size() != expected) out.clear();
  return out;
}

}  // namespace classify_detail

StatementFacts classify(const ParsedNode& node, std::string_view text, std::size_t node_offset,
                        TextRange statement_range, const ClassifyContext& context) {
  using namespace classify_detail;
  StatementFacts facts;
  Input in{node, text, node_offset, statement_range, context};
  classify_alter_table(in, facts);
  classify_index(in, facts);
  classify_ddl(in, facts);
  classify_other(in, facts);
  if (facts.summary.empty()) facts.summary = node.type;
  // The grammar is PostgreSQL 17's whatever the target: a form newer than the target parses
  // here but not on the target server.
  for (const Effect& e : facts.effects) {
    if (e.needs_pg == 0 || facts.unknown) continue;
    facts.unknown = true;
    facts.unknown_reason = "this form needs PostgreSQL " + std::to_string(e.needs_pg) + " (the target is " +
                           std::to_string(context.pg_version) + "), which rejects it";
  }
  // Not knowing is an answer of its own: a statement no row covered is UNKNOWN, never SAFE.
  // A DO block read whole says so itself (one whose statements lock nothing locks nothing).
  if (facts.effects.empty() && facts.tx_control == TxControl::None && !facts.setting && !facts.unknown &&
      !takes_no_relation_lock(node.type) && node.type != "DoStmt") {
    facts.unknown = true;
    facts.unknown_reason = "lockward's lock catalogue has no row for this form (" + node.type + ")";
  }
  return facts;
}

}  // namespace lockward::analysis
