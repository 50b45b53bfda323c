#include "analysis/model.h"

namespace lockward::analysis {

std::string_view object_kind_name(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Table: return "table";
    case ObjectKind::Index: return "index";
    case ObjectKind::Sequence: return "sequence";
    case ObjectKind::View: return "view";
    case ObjectKind::MaterializedView: return "materialized view";
    case ObjectKind::Type: return "type";
    case ObjectKind::Schema: return "schema";
    case ObjectKind::Database: return "database";
    case ObjectKind::Other: return "object";
  }
  return "object";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Information: return "info";
    case Severity::Hint: return "hint";
  }
  return "";
}

Severity default_severity(Risk risk) {
  switch (risk) {
    case Risk::Critical:
    case Risk::High: return Severity::Error;
    case Risk::Medium: return Severity::Warning;
    case Risk::Unknown: return Severity::Warning;  // never a hint: the locks are not known
    case Risk::Low: return Severity::Information;
    case Risk::Safe: return Severity::Hint;
  }
  return Severity::Warning;
}

}  // namespace lockward::analysis
