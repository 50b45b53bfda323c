// One document's analysis kept up to date across edits: after a change, only the statements
// the change touched are analysed again, from the nearest point before them where no
// transaction is open, up to the first point after them where the state flowing on is what it
// was before; the statements and findings outside are kept and moved by the edit's offsets.
// The result is identical to analyze() of the whole text. Not thread-safe: one update at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/history.h"
#include "analysis/model.h"
#include "analysis/options.h"
#include "analysis/parallel.h"
#include "analysis/statement_cache.h"
#include "analysis/syntax/splitter.h"

namespace lockward::analysis {

// What the latest update replaced, for callers that keep something per finding.
struct AnalysisChange {
  bool full = true;                // everything was analysed again; nothing below applies
  std::size_t findings_begin = 0;  // findings before this one are unchanged
  std::size_t old_findings = 0;    // the old findings [begin, begin + old) …
  std::size_t new_findings = 0;    // … became the new [begin, begin + new)
  std::size_t statements_begin = 0, old_statements = 0, new_statements = 0;  // the same for statements
  // The edited bytes: old text [edit_begin, old_edit_end) became new [edit_begin, new_edit_end).
  // Kept findings after it moved by new_edit_end - old_edit_end bytes.
  std::size_t edit_begin = 0, old_edit_end = 0, new_edit_end = 0;
};

class DocumentAnalysis {
 public:
  // Analyses `text`, reusing the previous update's results outside what changed. The result
  // stays valid after later updates only while the caller holds it; an update mutates it in
  // place when nobody else does, and copies it otherwise.
  // With `parallel`, a whole-file run parses and classifies its statements on its threads.
  std::shared_ptr<const Analysis> update(std::string_view text, const Options& options,
                                         const ParallelFor* parallel = nullptr);
  const AnalysisChange& change() const { return change_; }
  // Used only while the text has whole-file ignore directives (each edit then analyses the
  // whole file).
  const StatementCache& cache() const { return cache_; }

 private:
  friend class Analyzer;
  friend Analysis analyze(std::string_view text, const Options& options, StatementCache* cache,
                          const ParallelFor* parallel);
  // Per statement: what a later re-analysis needs to start at it or stop before it.
  struct Meta {
    std::size_t piece = 0;
    std::uint64_t ordinal = 0;   // its place in History: increasing, with room between neighbours
    bool boundary = false;       // no transaction state flows into it
    std::uint8_t timeouts = 0;   // PolicyState::timeout_bits() before it
    std::vector<std::pair<std::string, std::string>> history;  // the History entries it added
  };
  std::string text_;
  std::string options_key_;
  bool implicit_transaction_ = false;
  bool whole_file_ignores_ = false;  // lockward-ignore-file and the like: whole-file runs only
  SplitResult split_;
  std::vector<Meta> meta_;  // parallel to the statements
  History history_;
  std::shared_ptr<Analysis> analysis_;
  StatementCache cache_;
  AnalysisChange change_;
};

}  // namespace lockward::analysis
