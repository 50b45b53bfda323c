// The entry point of analysis/: SQL text plus options in, statements, locks and findings out.
// Never fails: a statement that does not parse becomes a finding and the rest is analysed.
// Pure and deterministic; safe to call from several threads at once.
#pragma once

#include <string_view>

#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/parallel.h"

namespace lockward::analysis {

class StatementCache;

// With a cache (one per document), statements whose text was analysed before are not parsed
// again; with `parallel`, a large text's statements are parsed and classified on its threads.
// The result is identical either way.
Analysis analyze(std::string_view text, const Options& options, StatementCache* cache = nullptr,
                 const ParallelFor* parallel = nullptr);

// Every lock (strongest per object) the transaction of statement `index` holds when that
// statement starts. Replays the file's transaction structure: O(statements).
std::vector<LockFact> locks_held_before(const Analysis& analysis, std::size_t index);

}  // namespace lockward::analysis
