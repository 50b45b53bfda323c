// Data-type advice and identifier length: not about locks, but cheap to fix before a table
// is populated and expensive after.
#include <cctype>

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

// Identifiers longer than NAMEDATALEN - 1 bytes in the statement's source. The parser has
// already truncated them, so only the text shows the problem.
std::vector<TextRange> long_identifiers(std::string_view text, TextRange code) {
  std::vector<TextRange> out;
  std::size_t i = code.begin;
  auto is_start = [](unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; };
  auto is_part = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; };
  while (i < code.end) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\'' ) {
      for (++i; i < code.end; ++i) {
        if (text[i] == '\'' && !(i + 1 < code.end && text[i + 1] == '\'')) break;
        if (text[i] == '\'') ++i;
      }
      ++i;
    } else if (c == '-' && i + 1 < code.end && text[i + 1] == '-') {
      while (i < code.end && text[i] != '\n' && text[i] != '\r') ++i;
    } else if (c == '$' && i + 1 < code.end && (text[i + 1] == '$' || is_start(static_cast<unsigned char>(text[i + 1])))) {
      std::size_t close = text.find('$', i + 1);
      if (close == std::string_view::npos || close >= code.end) break;
      std::string_view tag = text.substr(i, close - i + 1);
      std::size_t end = text.find(tag, close + 1);
      i = end == std::string_view::npos ? code.end : end + tag.size();
    } else if (c == '"') {
      std::size_t start = i;
      std::size_t bytes = 0;
      for (++i; i < code.end; ++i, ++bytes) {
        if (text[i] == '"') {
          if (i + 1 < code.end && text[i + 1] == '"') { ++i; continue; }
          break;
        }
      }
      ++i;
      if (bytes > 63) out.push_back({start, std::min(i, code.end)});
    } else if (is_start(c)) {
      std::size_t start = i;
      while (i < code.end && is_part(static_cast<unsigned char>(text[i]))) ++i;
      if (i - start > 63) out.push_back({start, i});
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace

void check_advice(const FileState& file, const Statement& s, const StatementFacts& f, std::vector<Finding>& out) {
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
  for (const TextRange& ident : long_identifiers(file.text, s.code)) {
    Finding fd;
    fd.rule = std::string(rule::kIdentifierTooLong);
    fd.risk = Risk::Medium;
    fd.severity = Severity::Warning;
    fd.statement = s.index;
    fd.range = ident;
    fd.message = "identifier is " + std::to_string(ident.size()) +
                 " bytes: PostgreSQL silently truncates it to 63, so the name in the catalog differs from the "
                 "one written here";
    fd.help = "Shorten it to 63 bytes or fewer.";
    out.push_back(std::move(fd));
  }
}

}  // namespace lockward::analysis
