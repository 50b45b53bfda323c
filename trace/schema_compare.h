// The static schema model against the catalog the trace replayed: for every relation a traced
// file's statements lock (as predicted), what the model says (exists, its index's table, its
// DEFAULT partition, the tables at both ends of its foreign keys) is checked against a snapshot
// of the trace database read before the file ran. A disagreement is a `trace-schema-mismatch`
// finding naming the object and both sides: the predictions for that statement rest on a schema
// that is not the one PostgreSQL has, so they are not silently trusted (nor silently replaced).
#pragma once

#include <vector>

#include "analysis/model.h"
#include "analysis/schema.h"
#include "analysis/schema_model.h"

namespace lockward::trace {

// `place`: the model's place of the traced file. The model only claims absence when it is
// complete there; a foreign key it does not know is a disagreement only then, too.
std::vector<analysis::Finding> compare_schema(const analysis::SchemaModel& model, analysis::SchemaModel::Place place,
                                              const analysis::SchemaSnapshot& live, const analysis::Analysis& analysis);

}  // namespace lockward::trace
