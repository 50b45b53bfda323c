// Template databases: the schema a trace starts from (an optional --schema file, then the
// migrations before the traced file), replayed once into a database named by a hash of its
// sources, so that each trace clones it (CREATE DATABASE … TEMPLATE) instead of replaying.
// Shared clusters are used by several processes at once: a template is built under a private
// name and renamed when complete, so its final name always means a finished replay.
// The replay runs as the identity the trace will run as (trace_role.h), so the objects it
// creates belong to that role; the finished template belongs to the superuser, so a traced
// migration cannot drop or rename it.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace lockward::trace {

class PgConnection;
struct TraceIdentity;

struct ReplaySource {
  std::string name;  // shown in errors: "002_orders.sql"
  std::string text;
  // A schema dump (--schema): replayed, but the static model does not follow it; it only knows
  // that objects it has not seen may exist (the live snapshot names them).
  bool opaque = false;
};

struct TemplateResult {
  std::string name;    // the template database; empty on failure
  bool built = false;  // false: it existed already (a cache hit)
  std::string error;   // which source failed and why; "cancelled"
  // When cancelled: the unfinished template, for the caller to drop after it has answered (a
  // DROP DATABASE takes a checkpoint's time).
  std::string leftover;
};

// The template's name for these sources on this major version, replayed by `role` (empty: the
// superuser) ("lockward_tpl_<hex>").
std::string template_name(int major, const std::vector<ReplaySource>& sources, const std::string& role);

// Finds or builds the template. `admin` is connected as a superuser to the cluster's
// maintenance database; `conninfo_for(db)` connects to another database of the same cluster
// the same way; `as` replays the sources. `cancelled` (optional) stops the replay within
// milliseconds; the unfinished template is then the caller's to drop (`leftover`).
TemplateResult ensure_template(PgConnection& admin, const std::function<std::string(const std::string&)>& conninfo_for,
                               int major, const std::vector<ReplaySource>& sources, const TraceIdentity& as,
                               const std::function<bool()>& cancelled = {});

}  // namespace lockward::trace
