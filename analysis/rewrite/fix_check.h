// Fix safety: a fix is offered only when the text it produces is no worse than the text it
// replaces, judged by analysing that text with the same options. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"

namespace lockward::analysis {

// `text` with `fixes` applied; their ranges must not overlap (any order).
std::string apply_fixes(std::string_view text, std::vector<const Fix*> fixes);

// Why `after` is worse than `before`, or nullopt when it is not: more statements fail to
// parse, or some rule reports more error-severity findings (after the rule settings) than
// before, as `concurrently-in-transaction` does for CONCURRENTLY put inside a transaction.
std::optional<std::string> worse_than(const Analysis& before, const Analysis& after);

// Whether `text` (analysed as `before` with `options`) with `fixes` applied is no worse.
bool fixes_are_safe(std::string_view text, const Analysis& before, const Options& options,
                    const std::vector<const Fix*>& fixes);

}  // namespace lockward::analysis
