// libFuzzer target: the statement splitter. Pieces lie inside the text, in order, without
// overlapping; and re-splitting after an edit gives exactly the split of the edited text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analysis/syntax/splitter.h"
#include "fuzz/fuzz_input.h"

namespace {

using namespace lockward::analysis;

void check_shape(std::string_view text, const SplitResult& split) {
  std::size_t previous_end = split.content_begin;
  for (const Piece& p : split.pieces) {
    if (p.code.begin > p.code.end || p.code.end > text.size() || p.code.begin < previous_end) std::abort();
    if (p.terminated && (p.terminator < p.code.end || p.terminator >= text.size() || text[p.terminator] != ';'))
      std::abort();
    for (const Comment& c : p.comments)
      if (c.range.end > text.size() || c.body.begin < c.range.begin || c.body.end > c.range.end) std::abort();
    previous_end = p.terminated ? p.terminator + 1 : p.code.end;
  }
}

bool same(const SplitResult& a, const SplitResult& b) {
  if (a.content_begin != b.content_begin || a.pieces.size() != b.pieces.size()) return false;
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    const Piece& x = a.pieces[i];
    const Piece& y = b.pieces[i];
    if (x.kind != y.kind || x.code != y.code || x.terminated != y.terminated ||
        (x.terminated && x.terminator != y.terminator) || x.unterminated_literal != y.unterminated_literal ||
        x.comments.size() != y.comments.size())
      return false;
    for (std::size_t k = 0; k < x.comments.size(); ++k)
      if (x.comments[k].range != y.comments[k].range || x.comments[k].body != y.comments[k].body) return false;
  }
  if (a.file_comments.size() != b.file_comments.size()) return false;
  for (std::size_t k = 0; k < a.file_comments.size(); ++k)
    if (a.file_comments[k].range != b.file_comments[k].range) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lockward::fuzz::EditedText input = lockward::fuzz::edited_text(data, size);
  SplitResult before = split_statements(input.before);
  check_shape(input.before, before);
  SplitResult after = split_statements(input.after);
  check_shape(input.after, after);
  split_statements_after_edit(input.after, before, input.edit_begin, input.old_edit_end, input.new_edit_end);
  if (!same(before, after)) std::abort();
  return 0;
}
