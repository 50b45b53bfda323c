#include "analysis/rewrite/fix_check.h"

#include <algorithm>
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

}  // namespace

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
                    const std::vector<const Fix*>& fixes) {
  if (fixes.empty()) return true;
  return !worse_than(before, analyze(apply_fixes(text, fixes), options));
}

}  // namespace lockward::analysis
