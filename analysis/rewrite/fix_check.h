// Fix safety: a fix is offered only when the text it produces is no worse than the text it
// replaces, judged by analysing that text with the same options. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/parallel.h"

namespace lockward::analysis {

// `text` with `fixes` applied; their ranges must not overlap (any order).
std::string apply_fixes(std::string_view text, std::vector<const Fix*> fixes);

// Why `after` is worse than `before`, or nullopt when it is not: more statements fail to
// parse, or some rule reports more error-severity findings (after the rule settings) than
// before, as `concurrently-in-transaction` does for CONCURRENTLY put inside a transaction.
std::optional<std::string> worse_than(const Analysis& before, const Analysis& after);

// Whether `text` (analysed as `before` with `options`) with `fixes` applied is no worse.
// With `parallel`, the analysis parses on its threads.
bool fixes_are_safe(std::string_view text, const Analysis& before, const Options& options,
                    const std::vector<const Fix*>& fixes, const ParallelFor* parallel = nullptr);

// `fix` of `finding`, made to run outside the transaction its migration tool wraps the file
// in, by that tool's own switch: goose's `-- +goose NO TRANSACTION` added at the top, or
// dbmate's `-- migrate:up` line given `transaction:false`. Only where that changes nothing
// else: the statement is in the tool's implicit transaction (no BEGIN of the file's own) and
// every other statement of the file is a session SET, which needs no transaction. One edit
// from the start of the file to the end of the fixed statement; nullopt otherwise.
std::optional<Fix> outside_transaction(std::string_view text, const Analysis& analysis, const Options& options,
                                       const Finding& finding, const Fix& fix);

}  // namespace lockward::analysis
