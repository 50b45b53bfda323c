// Remembers, per statement text, what parsing and classifying it produced, so that after an
// edit only the statements the edit touched are parsed again. One cache per document; not
// thread-safe (one analysis at a time uses it). Entries the latest analysis did not use are
// dropped, so the cache holds at most one document's statements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
    // Filled by prepare_analysis for the one analysis that follows: the pieces with this text
    // not yet analysed. The last of them takes the result rather than copying it.
    std::uint32_t uses_left = 0;
  };
  // Looked up by the statement's text in place: no key is built per lookup.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, Entry, TextHash, std::equal_to<>> entries_;
  // prepare_analysis filled it for one analysis: entries are handed over as they are used.
  bool single_use_ = false;
  std::string options_key_;  // what classification depended on: pg version, snapshot identity
  std::uint64_t generation_ = 0;
  std::size_t hits_ = 0;
};

// Moves every byte range in `facts` by `delta` (piece-relative → file offsets).
void shift_ranges(StatementFacts& facts, std::size_t delta);

}  // namespace lockward::analysis
