// The objects a statement reaches through the schema's hierarchy rather than its text: a table's
// partitions and inheriting children (ALTER TABLE, CREATE INDEX, TRUNCATE and LOCK recurse to
// them unless ONLY), a view's tables (LOCK on a view, REFRESH of a materialized view) and the
// tables using a domain. Only what the schema knows; the rest stays an unnamed role.
#include <algorithm>

#include "analysis/classify/classify_internal.h"

namespace lockward::analysis::classify_detail {
namespace {

bool same(const ObjectName& a, const ObjectName& b) {
  auto schema = [](const ObjectName& n) { return n.schema.empty() ? std::string("public") : n.schema; };
  return a.name == b.name && schema(a) == schema(b);
}

void add_new(std::vector<ObjectName>& out, const ObjectName& o) {
  if (std::none_of(out.begin(), out.end(), [&](const ObjectName& e) { return same(e, o); })) out.push_back(o);
}

}  // namespace

bool recurses(const Json& relation) {
  const Json& wrapped = ast::unwrap(relation, "RangeVar");
  return ast::flag(wrapped.is_null() ? relation : wrapped, "inh");
}

std::vector<ObjectName> descendants(const Input& in, const ObjectName& table, bool partitions_only) {
  std::vector<ObjectName> out;
  if (!in.context.schema) return out;
  std::vector<ObjectName> pending{table};
  // Bounded: a cycle the schema cannot have is not followed forever.
  for (std::size_t steps = 0; !pending.empty() && steps < 10000; ++steps) {
    ObjectName next = std::move(pending.back());
    pending.pop_back();
    for (const SchemaLookup::Child& ch : in.context.schema->children(next)) {
      if ((partitions_only && !ch.partition) || same(ch.name, table)) continue;
      std::size_t before = out.size();
      add_new(out, ch.name);
      if (out.size() > before) pending.push_back(ch.name);
    }
  }
  return out;
}

void add_children(const Input& in, Effect& effect, const ObjectName& table, bool partitions_only) {
  if (effect.row && lock_for(*effect.row, Role::Child))
    add_locks_on(effect, Role::Child, descendants(in, table, partitions_only));
}

std::optional<std::vector<ObjectName>> view_tables(const Input& in, const ObjectName& view, bool materialized) {
  if (!in.context.schema) return std::nullopt;
  std::optional<std::vector<ObjectName>> direct = in.context.schema->view_sources(view, materialized);
  if (!direct) return std::nullopt;
  std::vector<ObjectName> out, pending = *direct;
  for (std::size_t steps = 0; !pending.empty() && steps < 10000; ++steps) {
    ObjectName next = std::move(pending.back());
    pending.pop_back();
    if (same(next, view)) continue;
    std::size_t before = out.size();
    add_new(out, next);
    if (out.size() == before) continue;
    // A view it reads is expanded in turn (the rewriter), a materialized view is not.
    if (std::optional<std::vector<ObjectName>> inner = in.context.schema->view_sources(next, false))
      pending.insert(pending.end(), inner->begin(), inner->end());
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace lockward::analysis::classify_detail
