// Remembers, per statement text, what parsing and classifying it produced, so that after an
// edit only the statements the edit touched are parsed again. One cache per document; not
// thread-safe (one analysis at a time uses it). Entries the latest analysis did not use are
// dropped, so the cache holds at most one document's statements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/classify/classify.h"
#include "analysis/syntax/parser.h"

namespace lockward::analysis {

// One piece's parse and classification, in coordinates relative to the piece's first byte.
struct PieceResult {
  struct Node {
    TextRange code;
    std::string type;
    StatementFacts facts;
    // Classified with facts from elsewhere in the file (a validated CHECK before SET NOT NULL):
    // such facts are recomputed from `tree` on every analysis.
    bool context_dependent = false;
    std::optional<ParsedNode> tree;
  };
  std::optional<ParseError> error;
  std::vector<Node> nodes;
};

class StatementCache {
 public:
  std::size_t size() const { return entries_.size(); }
  std::size_t hits() const { return hits_; }  // in the latest analysis

 private:
  friend class Analyzer;
  struct Entry {
    PieceResult result;
    std::uint64_t generation = 0;
  };
  std::unordered_map<std::string, Entry> entries_;
  std::string options_key_;  // what classification depended on: pg version, snapshot identity
  std::uint64_t generation_ = 0;
  std::size_t hits_ = 0;
};

// Moves every byte range in `facts` by `delta` (piece-relative → file offsets).
void shift_ranges(StatementFacts& facts, std::size_t delta);

}  // namespace lockward::analysis
