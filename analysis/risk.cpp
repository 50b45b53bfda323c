#include "analysis/risk.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace lockward::analysis {
namespace {
constexpr std::array<std::string_view, 5> kNames = {"SAFE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
}

std::string_view risk_name(Risk risk) { return kNames[static_cast<int>(risk)]; }

std::optional<Risk> risk_from_name(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == upper) return static_cast<Risk>(i);
  }
  return std::nullopt;
}

Risk raise(Risk risk, int levels) {
  int v = std::clamp(static_cast<int>(risk) + levels, 0, static_cast<int>(Risk::Critical));
  return static_cast<Risk>(v);
}

}  // namespace lockward::analysis
