// Template databases: the schema a trace starts from (an optional --schema file, then the
// migrations before the traced file), replayed once into a database named by a hash of its
// sources, so that each trace clones it (CREATE DATABASE … TEMPLATE) instead of replaying.
// Shared clusters are used by several processes at once: a template is built under a private
// name and renamed when complete, so its final name always means a finished replay.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace lockward::trace {

class PgConnection;

struct ReplaySource {
  std::string name;  // shown in errors: "002_orders.sql"
  std::string text;
};

struct TemplateResult {
  std::string name;    // the template database; empty on failure
  bool built = false;  // false: it existed already (a cache hit)
  std::string error;   // which source failed and why
};

// The template's name for these sources on this major version ("lockward_tpl_<hex>").
std::string template_name(int major, const std::vector<ReplaySource>& sources);

// Finds or builds the template. `admin` is connected to the cluster's maintenance database;
// `conninfo_for(db)` connects to another database of the same cluster.
TemplateResult ensure_template(PgConnection& admin, const std::function<std::string(const std::string&)>& conninfo_for,
                               int major, const std::vector<ReplaySource>& sources);

}  // namespace lockward::trace
