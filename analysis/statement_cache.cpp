#include "analysis/statement_cache.h"

namespace lockward::analysis {

void shift_ranges(StatementFacts& facts, std::size_t delta) {
  // Every TextRange inside StatementFacts must move here; tests compare cached and uncached
  // analyses of the same text to catch a forgotten one.
  auto shift = [delta](TextRange& r) {
    r.begin += delta;
    r.end += delta;
  };
  for (Effect& e : facts.effects) shift(e.range);
  for (ColumnTypeUse& c : facts.column_types) shift(c.range);
  for (DefinedName& d : facts.defined_names) shift(d.range);
  if (facts.unknown_range) shift(*facts.unknown_range);
}

}  // namespace lockward::analysis
