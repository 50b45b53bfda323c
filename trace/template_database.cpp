#include "trace/template_database.h"

#include <unistd.h>

#include <cstdint>
#include <sstream>
#include <string_view>

#include "trace/migration_folder.h"
#include "trace/pg_connection.h"
#include "trace/trace_role.h"

namespace lockward::trace {
namespace {

// FNV-1a: stable across processes and builds, which the names of shared templates need.
std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string template_name(int major, const std::vector<ReplaySource>& sources, const std::string& role) {
  std::uint64_t hash = fnv1a(std::to_string(major));
  // Who owns the objects is part of what a template holds: a superuser's tables would refuse
  // the role's ALTERs.
  if (!role.empty()) hash = fnv1a("owner=" + role, hash);
  for (const ReplaySource& s : sources) {
    hash = fnv1a(s.name, hash);
    hash = fnv1a(std::string_view("\0", 1), hash);  // "a"+"bc" and "ab"+"c" differ
    hash = fnv1a(s.text, hash);
  }
  std::ostringstream name;
  name << "lockward_tpl_" << std::hex << hash;
  return name.str();
}

TemplateResult ensure_template(PgConnection& admin, const std::function<std::string(const std::string&)>& conninfo_for,
                               int major, const std::vector<ReplaySource>& sources, const TraceIdentity& as,
                               const std::function<bool()>& cancelled) {
  TemplateResult out;
  std::string name = template_name(major, sources, as.role);
  QueryResult found = admin.exec("SELECT 1 FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) " +
                                 admin.quote_literal(name));
  if (found.ok() && found.rows.size() == 1) {
    out.name = name;
    return out;
  }
  std::string building = name + "_b" + std::to_string(getpid());
  admin.exec("DROP DATABASE IF EXISTS " + building);
  out.error = create_database_for(admin, building, conninfo_for(building), major, as);
  if (out.error.empty()) {
    PgConnection replay(as.conninfo(conninfo_for(building)));
    if (!replay.connected()) out.error = "cannot connect to the template database: " + replay.error();
    for (std::size_t i = 0; out.error.empty() && i < sources.size(); ++i) {
      if (std::string e = replay_migration(replay, sources[i].text, &as, cancelled); !e.empty())
        out.error = e == "cancelled" ? e : "replaying " + sources[i].name + " failed: " + e;
    }
  }
  // The role owns what the replay created, the superuser the template itself.
  if (out.error.empty() && !as.superuser()) {
    QueryResult owned = admin.exec("ALTER DATABASE " + building + " OWNER TO CURRENT_USER");
    if (!owned.ok()) out.error = "cannot take over the template database: " + owned.error->message;
  }
  if (out.error == "cancelled") {
    out.leftover = building;
    return out;
  }
  if (!out.error.empty()) {
    admin.exec("DROP DATABASE IF EXISTS " + building);
    return out;
  }
  if (!admin.exec("ALTER DATABASE " + building + " RENAME TO " + name).ok()) {
    admin.exec("DROP DATABASE IF EXISTS " + building);  // another process finished it first
  } else {
    out.built = true;
  }
  out.name = name;
  return out;
}

}  // namespace lockward::trace
