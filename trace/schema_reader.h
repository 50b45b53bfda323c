// Reads a schema snapshot (format 2: tables with columns, constraints, indexes, partitions,
// inheritance, triggers and sizes; views with what they read; sequences with their owners;
// domains, enums, functions) from a live database, for `lockward snapshot`, for verify-rules,
// whose rows may depend on the schema, and for the trace, which compares it with the model.
// Every query names pg_catalog (catalog_sql.h). It does not open a transaction: a caller that
// wants one consistent view runs it inside REPEATABLE READ.
#pragma once

#include <string>

#include "analysis/schema.h"
#include "trace/pg_connection.h"

namespace lockward::trace {

// Relations and types outside the system schemas. Returns "" or the error.
std::string read_schema_snapshot(PgConnection& conn, analysis::SchemaSnapshot& out);

}  // namespace lockward::trace
