// Risk levels of findings, ordered, with their names. Pure data.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lockward::analysis {

enum class Risk : std::uint8_t { Safe, Low, Medium, High, Critical };

std::string_view risk_name(Risk risk);  // "LOW", "HIGH", …
std::optional<Risk> risk_from_name(std::string_view name);  // case-insensitive
Risk raise(Risk risk, int levels);

}  // namespace lockward::analysis
