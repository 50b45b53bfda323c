// Who the traced SQL runs as. Migrations come from pull requests: as a superuser a migration
// could run shell commands as the server's OS user (COPY … TO PROGRAM), read and write the
// server's files, or load C code. On the clusters lockward starts (local and docker
// providers) the traced SQL, the replay of the migrations before it included, runs by default
// as `lockward_migrator`: a role with LOGIN and nothing else that owns the trace database, so
// it may create, alter and drop anything in it and install trusted extensions. A superuser
// runs it only when the user asks (`lockward trace --superuser`, the editor's
// `traceSuperuser`). lockward itself keeps the superuser connection for what it does around
// the migration (creating and dropping databases, the role).
#pragma once

#include <string>
#include <string_view>

namespace lockward::trace {

class PgConnection;
struct QueryError;

inline constexpr std::string_view kTraceRole = "lockward_migrator";

struct TraceIdentity {
  std::string role;           // the role traced SQL runs as; empty: the superuser lockward connects as
  std::string password;       // for clusters that ask for one (the container provider)
  std::string privilege_hint; // why a statement lacked privileges, and the option that grants them

  bool superuser() const { return role.empty(); }
  // `superuser_conninfo` (a connection string of the cluster) changed to connect as this identity.
  std::string conninfo(const std::string& superuser_conninfo) const;
  // " OWNER lockward_migrator" for CREATE DATABASE, or "".
  std::string owner_clause() const;
  // PostgreSQL's message, with `privilege_hint` when it refused for lack of privilege (42501).
  std::string explain(const QueryError& error) const;
};

// Makes kTraceRole ready on the cluster `admin` (a superuser) is connected to with
// `admin_conninfo`: creates it when missing, and undoes what an earlier traced migration may
// have changed on it (its password, its default settings). `hint` becomes privilege_hint.
// Returns "" or why the role cannot be used.
std::string prepare_trace_role(PgConnection& admin, const std::string& admin_conninfo, std::string hint,
                               TraceIdentity& out);

// CREATE DATABASE `name` owned by `as`, who on PostgreSQL before 15 also gets its public
// schema (there it belongs to the bootstrap superuser, not to the database's owner, and a
// migration that alters it would fail only in the trace). `conninfo` connects to the new
// database as the superuser. Returns "" or the error.
std::string create_database_for(PgConnection& admin, const std::string& name, const std::string& conninfo, int major,
                                const TraceIdentity& as);

}  // namespace lockward::trace
