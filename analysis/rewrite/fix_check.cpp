#include "analysis/rewrite/fix_check.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "analysis/analyze.h"

namespace lockward::analysis {
namespace {

std::map<std::string, std::size_t, std::less<>> errors_by_rule(const Analysis& a) {
  std::map<std::string, std::size_t, std::less<>> out;
  for (const Finding& f : a.findings) {
    if (f.severity == Severity::Error) ++out[f.rule];
  }
  return out;
}

std::string upper_words(std::string_view sql, std::size_t words) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t w = 0; w < words; ++w) {
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    if (w > 0) out += ' ';
    while (i < sql.size() && !std::isspace(static_cast<unsigned char>(sql[i])))
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return out;
}

// A `SET name …` for the session: no transaction needed, and none is lost.
bool session_set(std::string_view text, const Statement& s) {
  if (s.node != "VariableSetStmt") return false;
  const std::string words = upper_words(s.code.slice(text), 2);
  return words.starts_with("SET ") && words != "SET LOCAL";
}

// Where dbmate's `-- migrate:up` comment line ends, when it has no transaction option yet.
std::optional<std::size_t> dbmate_up_line_end(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    std::string squeezed;
    for (char c : line)
      if (!std::isspace(static_cast<unsigned char>(c))) squeezed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (squeezed == "--migrate:up") return at + line.size();
    if (squeezed.starts_with("--migrate:up")) return std::nullopt;  // options of its own
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Fix> outside_transaction(std::string_view text, const Analysis& analysis, const Options& options,
                                       const Finding& finding, const Fix& fix) {
  if (!finding.statement || *finding.statement >= analysis.statements.size()) return std::nullopt;
  const Statement& target = analysis.statements[*finding.statement];
  if (!target.tx.in_transaction || !target.tx.implicit || fix.replace.begin < target.code.begin ||
      fix.replace.end > target.code.end || options.assume_in_transaction)
    return std::nullopt;
  for (const Statement& s : analysis.statements) {
    if (s.index != target.index && !session_set(text, s)) return std::nullopt;
  }
  const std::string_view before = text.substr(0, fix.replace.begin);
  Fix out = fix;
  out.replace = TextRange{0, fix.replace.end};
  out.drop_in = false;
  if (options.migration_tool == "goose") {
    out.title = fix.title + ", with -- +goose NO TRANSACTION";
    out.new_text = "-- +goose NO TRANSACTION\n" + std::string(before) + fix.new_text;
  } else if (options.migration_tool == "dbmate") {
    const std::optional<std::size_t> line_end = dbmate_up_line_end(before);
    if (!line_end) return std::nullopt;
    out.title = fix.title + ", with dbmate's transaction:false";
    out.new_text = std::string(before.substr(0, *line_end)) + " transaction:false" +
                   std::string(before.substr(*line_end)) + fix.new_text;
  } else {
    return std::nullopt;
  }
  out.reason = fix.reason + " The migration tool runs this file outside a transaction.";
  return out;
}

std::string apply_fixes(std::string_view text, std::vector<const Fix*> fixes) {
  std::sort(fixes.begin(), fixes.end(), [](const Fix* a, const Fix* b) { return a->replace.begin < b->replace.begin; });
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const Fix* fix : fixes) {
    const std::size_t begin = std::clamp(fix->replace.begin, at, text.size());
    const std::size_t end = std::clamp(fix->replace.end, begin, text.size());
    out.append(text.substr(at, begin - at));
    out.append(fix->new_text);
    at = end;
  }
  out.append(text.substr(at));
  return out;
}

std::optional<std::string> worse_than(const Analysis& before, const Analysis& after) {
  if (after.coverage.parse_errors > before.coverage.parse_errors) {
    return std::to_string(after.coverage.parse_errors - before.coverage.parse_errors) +
           " more statement(s) fail to parse";
  }
  const auto old_errors = errors_by_rule(before);
  for (const auto& [rule, count] : errors_by_rule(after)) {
    auto it = old_errors.find(rule);
    const std::size_t had = it == old_errors.end() ? 0 : it->second;
    if (count > had) return "adds " + std::to_string(count - had) + " error-severity " + rule + " finding(s)";
  }
  return std::nullopt;
}

bool fixes_are_safe(std::string_view text, const Analysis& before, const Options& options,
                    const std::vector<const Fix*>& fixes, const ParallelFor* parallel) {
  if (fixes.empty()) return true;
  return !worse_than(before, analyze(apply_fixes(text, fixes), options, nullptr, parallel));
}

}  // namespace lockward::analysis
