#include "analysis/risk.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace lockward::analysis {
namespace {
constexpr std::array<std::string_view, 6> kNames = {"SAFE", "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
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

std::optional<Risk> threshold_from_name(std::string_view name) {
  std::optional<Risk> r = risk_from_name(name);
  if (r == Risk::Unknown) return std::nullopt;
  return r;
}

Risk raise(Risk risk, int levels) {
  if (risk == Risk::Unknown) return risk;
  // The known ladder: SAFE, LOW, MEDIUM, HIGH, CRITICAL (UNKNOWN is not a step on it).
  constexpr std::array<Risk, 5> kLadder = {Risk::Safe, Risk::Low, Risk::Medium, Risk::High, Risk::Critical};
  int at = static_cast<int>(std::find(kLadder.begin(), kLadder.end(), risk) - kLadder.begin());
  return kLadder[static_cast<std::size_t>(std::clamp(at + levels, 0, 4))];
}

}  // namespace lockward::analysis
