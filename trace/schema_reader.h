// Reads a schema snapshot (columns, constraints, indexes, sizes) from a live database, for
// `lockward snapshot` and for verify-rules, whose rows may depend on the schema.
#pragma once

#include <string>

#include "analysis/schema.h"
#include "trace/pg_connection.h"

namespace lockward::trace {

// Ordinary and partitioned tables outside the system schemas. Returns "" or the error.
std::string read_schema_snapshot(PgConnection& conn, analysis::SchemaSnapshot& out);

}  // namespace lockward::trace
