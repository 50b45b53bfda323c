// Risk levels of findings, ordered, with their names. Pure data.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lockward::analysis {

// Unknown is a level of its own: lockward does not know the statement's locks (no catalogue
// row for it, a dynamic EXECUTE in a DO block). It is never SAFE, so it ranks just above SAFE: a file with an
// unknown statement and otherwise safe ones is UNKNOWN, `--max-risk safe` fails on it, and
// at any other threshold it fails CI only with `fail_on_unknown` (docs/risk.md).
enum class Risk : std::uint8_t { Safe, Unknown, Low, Medium, High, Critical };

std::string_view risk_name(Risk risk);  // "LOW", "HIGH", "UNKNOWN", …
std::optional<Risk> risk_from_name(std::string_view name);  // case-insensitive
// A --max-risk / max_risk threshold: a known level (UNKNOWN is not a threshold).
std::optional<Risk> threshold_from_name(std::string_view name);
// Raises a known risk by `levels` (capped at CRITICAL); UNKNOWN stays UNKNOWN.
Risk raise(Risk risk, int levels);

}  // namespace lockward::analysis
