#include "trace/trace_role.h"

#include <libpq-fe.h>

#include <chrono>
#include <thread>

#include "trace/pg_connection.h"

namespace lockward::trace {
namespace {

// The password in a connection string, or "".
std::string password_of(const std::string& conninfo) {
  std::string out;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val) out = o->val;
  }
  PQconninfoFree(options);
  return out;
}

// The role's password on a cluster that asks for one, derived from the superuser's (one-way,
// md5 of a 192-bit random secret): every lockward process sharing the container computes the
// same one, so none changes it under another, and it is never stored anywhere.
std::string derived_password(const std::string& superuser_password) {
  if (superuser_password.empty()) return {};
  char* md5 = PQencryptPassword(superuser_password.c_str(), std::string(kTraceRole).c_str());
  if (!md5) return {};
  std::string out(md5);
  PQfreemem(md5);
  // Without the "md5" prefix: PostgreSQL would take "md5…" for an already hashed password.
  return out.size() > 3 ? out.substr(3) : std::string();
}

}  // namespace

std::string TraceIdentity::conninfo(const std::string& superuser_conninfo) const {
  if (superuser()) return superuser_conninfo;
  // libpq keeps the last value of a repeated keyword.
  return superuser_conninfo + " user=" + role + (password.empty() ? "" : " password=" + password);
}

std::string TraceIdentity::owner_clause() const { return superuser() ? "" : " OWNER " + role; }

std::string TraceIdentity::explain(const QueryError& error) const {
  if (error.sqlstate != "42501" || privilege_hint.empty()) return error.message;
  return error.message + " (" + privilege_hint + ")";
}

std::string prepare_trace_role(PgConnection& admin, const std::string& admin_conninfo, std::string hint,
                               TraceIdentity& out) {
  out = TraceIdentity{};
  out.role = std::string(kTraceRole);
  out.password = derived_password(password_of(admin_conninfo));
  out.privilege_hint = std::move(hint);
  const std::string attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
  const std::string password = out.password.empty() ? "" : " PASSWORD " + admin.quote_literal(out.password);
  std::string error;
  // Other lockward processes on the same cluster may do the same at the same moment: a
  // concurrent CREATE or ALTER of the role fails, and the next attempt finds it done.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
    QueryResult found = admin.exec("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) " + admin.quote_literal(out.role));
    if (!found.ok()) return "cannot look up the role " + out.role + ": " + found.error->message;
    // A traced migration may have changed its own password or default settings (ALTER ROLE
    // CURRENT_USER SET …): they would reach the next trace. The statements are kept out of
    // the server log, where the password would otherwise show if one failed.
    std::string sql = "BEGIN; SET LOCAL log_statement = 'none'; SET LOCAL log_min_error_statement = 'panic'; ";
    if (found.rows.empty()) sql += "CREATE ROLE " + out.role + attributes + password + "; ";
    else sql += "ALTER ROLE " + out.role + attributes + password + "; ALTER ROLE " + out.role + " RESET ALL; ";
    sql += "COMMIT";
    QueryResult done = admin.exec(sql);
    if (admin.in_transaction()) admin.exec("ROLLBACK");
    if (done.ok()) return "";
    error = done.error->message;
  }
  return "cannot prepare the role " + out.role + " that runs the traced SQL: " + error;
}

std::string create_database_for(PgConnection& admin, const std::string& name, const std::string& conninfo, int major,
                                const TraceIdentity& as) {
  QueryResult created = admin.exec("CREATE DATABASE " + name + as.owner_clause());
  if (!created.ok()) return "cannot create the database " + name + ": " + created.error->message;
  if (as.superuser() || major >= 15) return "";
  PgConnection owner(conninfo);
  QueryResult given = owner.exec("ALTER SCHEMA public OWNER TO " + as.role);
  if (!given.ok()) return "cannot give the public schema of " + name + " to " + as.role + ": " + given.error->message;
  return "";
}

}  // namespace lockward::trace
