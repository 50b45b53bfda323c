// Helpers for analysis tests: run analyze() and look at rule ids.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "analysis/model.h"

namespace lockward::test {

inline std::vector<std::string> rules_of(const analysis::Analysis& a) {
  std::vector<std::string> out;
  for (const auto& f : a.findings) out.push_back(f.rule);
  return out;
}

inline bool has_rule(const analysis::Analysis& a, std::string_view rule) {
  return std::any_of(a.findings.begin(), a.findings.end(), [&](const auto& f) { return f.rule == rule; });
}

}  // namespace lockward::test
