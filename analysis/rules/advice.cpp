// Data-type advice and identifier length: not about locks, but cheap to fix before a table
// is populated and expensive after.
#include "analysis/file_state.h"
#include "analysis/rules/registry.h"

namespace lockward::analysis {
namespace {

struct TypeAdvice {
  std::string_view type;
  std::string_view rule;
  std::string_view message;
  std::string_view help;
};

constexpr TypeAdvice kAdvice[] = {
    {"json", rule::kPreferJsonb, "json stores text and reparses it on every access; it has no equality operator",
     "Use jsonb."},
    {"serial", rule::kPreferIdentity, "serial creates a loose sequence with its own permissions and ownership",
     "Use bigint GENERATED ALWAYS AS IDENTITY."},
    {"serial4", rule::kPreferIdentity, "serial creates a loose sequence with its own permissions and ownership",
     "Use bigint GENERATED ALWAYS AS IDENTITY."},
    {"bigserial", rule::kPreferIdentity, "bigserial creates a loose sequence with its own permissions and ownership",
     "Use bigint GENERATED ALWAYS AS IDENTITY."},
    {"serial8", rule::kPreferIdentity, "bigserial creates a loose sequence with its own permissions and ownership",
     "Use bigint GENERATED ALWAYS AS IDENTITY."},
    {"smallserial", rule::kPreferIdentity, "smallserial creates a loose sequence and overflows at 32767",
     "Use bigint GENERATED ALWAYS AS IDENTITY."},
    {"int4", rule::kPreferBigint, "integer overflows at 2^31; widening it later rewrites the table",
     "Use bigint."},
    {"int2", rule::kPreferBigint, "smallint overflows at 32767; widening it later rewrites the table",
     "Use bigint."},
    {"timestamp", rule::kPreferTimestamptz,
     "timestamp without time zone loses the offset; comparisons across zones go wrong", "Use timestamptz."},
    {"bpchar", rule::kAvoidChar, "char(n) pads with spaces and is no faster than text", "Use text."},
    {"money", rule::kAvoidMoney, "money's output and parsing depend on lc_monetary", "Use numeric."},
};

}  // namespace

void check_advice(const FileState& file, std::vector<Finding>& out) {
  for (std::size_t i = 0; i < file.statements.size(); ++i) {
    const Statement& s = file.statements[i];
    const StatementFacts& f = file.facts[i];
    for (const ColumnTypeUse& use : f.column_types) {
      std::string_view rule_id;
      std::string message, help;
      if (use.type == "varchar" && !use.typmods.empty()) {
        rule_id = rule::kPreferText;
        message = "varchar(" + std::to_string(use.typmods[0]) +
                  "): raising the limit later is cheap, but lowering it rewrites the table and the limit rarely "
                  "matches a real rule";
        help = "Use text, with a CHECK (length(col) <= n) when the limit matters.";
      } else {
        for (const TypeAdvice& a : kAdvice) {
          if (a.type == use.type) {
            rule_id = a.rule;
            message = std::string(a.message);
            help = std::string(a.help);
          }
        }
      }
      if (rule_id.empty()) continue;
      Finding fd;
      fd.rule = std::string(rule_id);
      fd.risk = Risk::Low;
      fd.severity = Severity::Information;
      fd.statement = s.index;
      TextRange r = use.range;
      if (r.empty()) {
        std::size_t end = r.begin;
        while (end < s.code.end && (std::isalnum(static_cast<unsigned char>(file.text[end])) ||
                                    file.text[end] == '_' || file.text[end] == '(' || file.text[end] == ')'))
          ++end;
        r.end = std::max(end, r.begin);
      }
      fd.range = r.empty() ? s.code : r;
      fd.relation = use.table;
      fd.message = "column " + quote_identifier(use.column) + ": " + message;
      fd.help = help;
      out.push_back(std::move(fd));
    }
    for (const DefinedName& name : f.defined_names) {
      if (name.name.size() <= 63) continue;
      Finding fd;
      fd.rule = std::string(rule::kIdentifierTooLong);
      fd.risk = Risk::Medium;
      fd.severity = Severity::Warning;
      fd.statement = s.index;
      fd.range = name.range.empty() ? s.code : name.range;
      fd.message = "identifier is " + std::to_string(name.name.size()) +
                   " bytes: PostgreSQL silently truncates it to 63, so later references by the full name fail";
      fd.help = "Shorten it to 63 bytes or fewer.";
      out.push_back(std::move(fd));
    }
  }
}

}  // namespace lockward::analysis
