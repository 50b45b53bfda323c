#include "analysis/syntax/splitter.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

namespace lockward::analysis {
namespace {

bool is_ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool is_ident_char(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  SplitResult run() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = out_.content_begin = 3;
    return run_from_here();
  }

  // Continues where a split of the old text stood right after old piece `k`'s `;`, the same
  // state a split of this text reaches there (every byte before it is unchanged), and stops
  // at the first `;` after the edit where the old split ended a statement too.
  SplitResult resume(const SplitResult& old, std::size_t k, std::size_t new_edit_end, std::ptrdiff_t delta) {
    old_ = &old;
    new_edit_end_ = new_edit_end;
    delta_ = delta;
    const std::size_t t = old.pieces[k].terminator;
    out_.content_begin = old.content_begin;
    out_.pieces.assign(old.pieces.begin(), old.pieces.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    // Its same-line trailing comments come again from the scan below.
    std::erase_if(out_.pieces.back().comments, [t](const Comment& c) { return c.range.begin > t; });
    for (const Comment& c : old.file_comments) {
      if (c.range.begin > t) break;
      out_.file_comments.push_back(c);
    }
    pos_ = t + 1;
    std::size_t eol = text_.find('\n', t);
    trailing_until_ = eol == std::string_view::npos ? text_.size() : eol;
    trailing_owner_ = k;
    last_token_end_ = t;
    return run_from_here();
  }

 private:
  SplitResult run_from_here() {
    while (pos_ < text_.size() && !done_) step();
    if (done_) return std::move(out_);
    finish_piece(false, 0);
    // Comments after the last statement belong to no statement, but still count for
    // file-level directives: they stay in file_comments.
    return std::move(out_);
  }

  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  void step() {
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (std::isspace(c)) { ++pos_; return; }
    if (c == '-' && at(pos_ + 1) == '-') { line_comment(); return; }
    if (c == '/' && at(pos_ + 1) == '*') { block_comment(); return; }
    if (c == '\\' && !cur_) { psql_meta(); return; }
    if (c == ';' && atomic_depth_ == 0) {
      if (cur_) finish_piece(true, pos_);
      ++pos_;
      last_word_.clear();
      return;
    }
    start_piece_if_needed(pos_);
    token();
  }

  void start_piece_if_needed(std::size_t at_offset) {
    if (cur_) return;
    cur_.emplace();
    cur_->code.begin = at_offset;
    cur_->comments = std::move(pending_);
    pending_.clear();
  }

  void finish_piece(bool terminated, std::size_t terminator) {
    if (!cur_) {
      return;
    }
    cur_->code.end = last_token_end_;
    cur_->terminated = terminated;
    cur_->terminator = terminator;
    out_.pieces.push_back(std::move(*cur_));
    cur_.reset();
    atomic_depth_ = 0;
    if (terminated) {
      std::size_t eol = text_.find('\n', terminator);
      trailing_until_ = eol == std::string_view::npos ? text_.size() : eol;
      trailing_owner_ = out_.pieces.size() - 1;
      if (old_ && terminator >= new_edit_end_) take_rest(terminator);
    } else {
      trailing_owner_.reset();
    }
  }

  void add_comment(Comment comment, bool line_comment) {
    out_.file_comments.push_back(comment);
    if (cur_) {
      cur_->comments.push_back(comment);
    } else if (line_comment && trailing_owner_ && comment.range.begin < trailing_until_) {
      out_.pieces[*trailing_owner_].comments.push_back(comment);
    } else {
      pending_.push_back(comment);
    }
  }

  void line_comment() {
    std::size_t begin = pos_;
    std::size_t eol = text_.find('\n', pos_);
    std::size_t end = eol == std::string_view::npos ? text_.size() : eol;
    if (end > begin && text_[end - 1] == '\r') --end;
    add_comment({{begin, end}, {begin + 2, end}}, true);
    pos_ = end;
  }

  void block_comment() {
    std::size_t begin = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      if (text_[pos_] == '/' && at(pos_ + 1) == '*') { ++depth; pos_ += 2; continue; }
      if (text_[pos_] == '*' && at(pos_ + 1) == '/') {
        pos_ += 2;
        if (--depth == 0) break;
        continue;
      }
      ++pos_;
    }
    if (depth > 0) {
      // Runs to end of input: make it part of a statement so the parser reports it.
      start_piece_if_needed(begin);
      cur_->unterminated_literal = true;
      last_token_end_ = text_.size();
      out_.file_comments.push_back({{begin, text_.size()}, {begin + 2, text_.size()}});
      return;
    }
    add_comment({{begin, pos_}, {begin + 2, pos_ - 2}}, false);
  }

  void psql_meta() {
    std::size_t begin = pos_;
    std::size_t eol = text_.find('\n', pos_);
    std::size_t end = eol == std::string_view::npos ? text_.size() : eol;
    if (end > begin && text_[end - 1] == '\r') --end;
    Piece piece;
    piece.kind = PieceKind::PsqlMeta;
    piece.code = {begin, end};
    piece.comments = std::move(pending_);
    pending_.clear();
    out_.pieces.push_back(std::move(piece));
    trailing_owner_.reset();
    pos_ = end;
  }

  // Consumes one token of a statement.
  void token() {
    std::size_t begin = pos_;
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\'') {
      quoted('\'', false);
    } else if (c == '"') {
      quoted('"', false);
    } else if (c == '$' && dollar_quote()) {
      // consumed
    } else if (is_ident_start(c)) {
      while (pos_ < text_.size() && is_ident_char(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      std::string_view word = text_.substr(begin, pos_ - begin);
      if (at(pos_) == '\'' && (word == "E" || word == "e")) {
        quoted('\'', true);
      } else {
        track_word(word);
      }
    } else {
      ++pos_;
    }
    last_token_end_ = pos_;
  }

  void quoted(char quote, bool backslash_escapes) {
    ++pos_;
    while (pos_ < text_.size()) {
      char ch = text_[pos_];
      if (backslash_escapes && ch == '\\') { pos_ += 2; continue; }
      if (ch == quote) {
        if (at(pos_ + 1) == quote) { pos_ += 2; continue; }
        ++pos_;
        return;
      }
      ++pos_;
    }
    pos_ = text_.size();
    cur_->unterminated_literal = true;
  }

  bool dollar_quote() {
    std::size_t tag_end = pos_ + 1;
    if (tag_end < text_.size() && text_[tag_end] != '$') {
      if (!is_ident_start(static_cast<unsigned char>(text_[tag_end])) ||
          std::isdigit(static_cast<unsigned char>(text_[tag_end])))
        return false;
      while (tag_end < text_.size() && text_[tag_end] != '$' &&
             (std::isalnum(static_cast<unsigned char>(text_[tag_end])) || text_[tag_end] == '_' ||
              static_cast<unsigned char>(text_[tag_end]) >= 0x80))
        ++tag_end;
      if (at(tag_end) != '$') return false;
    }
    if (tag_end >= text_.size()) return false;
    std::string_view tag = text_.substr(pos_, tag_end - pos_ + 1);
    std::size_t close = text_.find(tag, tag_end + 1);
    if (close == std::string_view::npos) {
      pos_ = text_.size();
      cur_->unterminated_literal = true;
    } else {
      pos_ = close + tag.size();
    }
    return true;
  }

  // SQL-standard bodies (CREATE FUNCTION … BEGIN ATOMIC … END) contain semicolons.
  void track_word(std::string_view word) {
    if (atomic_depth_ > 0) {
      if (iequals(word, "BEGIN") || iequals(word, "CASE")) ++atomic_depth_;
      else if (iequals(word, "END")) --atomic_depth_;
    } else if (iequals(word, "ATOMIC") && iequals(last_word_, "BEGIN")) {
      atomic_depth_ = 1;
    }
    last_word_.assign(word);
  }

  static TextRange moved(TextRange r, std::ptrdiff_t delta) {
    return {static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.begin) + delta),
            static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.end) + delta)};
  }
  static Comment moved(const Comment& c, std::ptrdiff_t delta) { return {moved(c.range, delta), moved(c.body, delta)}; }

  // After the edit, a `;` where the old split also ended a statement: from here on the text,
  // and so the split, is the old one moved by delta_.
  void take_rest(std::size_t terminator) {
    const std::size_t t = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(terminator) - delta_);
    const std::vector<Piece>& old = old_->pieces;
    auto end_of = [](const Piece& p) { return p.terminated ? p.terminator : p.code.end; };
    auto it = std::lower_bound(old.begin(), old.end(), t, [&](const Piece& p, std::size_t at) { return end_of(p) < at; });
    if (it == old.end() || it->kind != PieceKind::Sql || !it->terminated || it->terminator != t) return;
    Piece& last = out_.pieces.back();
    for (const Comment& c : it->comments) {
      if (c.range.begin > t) last.comments.push_back(moved(c, delta_));
    }
    for (++it; it != old.end(); ++it) {
      Piece p = *it;
      p.code = moved(p.code, delta_);
      if (p.terminated) p.terminator = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p.terminator) + delta_);
      for (Comment& c : p.comments) c = moved(c, delta_);
      out_.pieces.push_back(std::move(p));
    }
    auto c = std::upper_bound(old_->file_comments.begin(), old_->file_comments.end(), t,
                              [](std::size_t at, const Comment& x) { return at < x.range.begin; });
    for (; c != old_->file_comments.end(); ++c) out_.file_comments.push_back(moved(*c, delta_));
    done_ = true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  SplitResult out_;
  std::optional<Piece> cur_;
  std::vector<Comment> pending_;
  std::size_t last_token_end_ = 0;
  std::optional<std::size_t> trailing_owner_;
  std::size_t trailing_until_ = 0;
  std::string last_word_;
  int atomic_depth_ = 0;
  // Resuming after an edit: the old split, where the edit ends in this text, and by how much
  // the text after it moved.
  const SplitResult* old_ = nullptr;
  std::size_t new_edit_end_ = 0;
  std::ptrdiff_t delta_ = 0;
  bool done_ = false;
};

}  // namespace

SplitResult split_statements(std::string_view text) { return Splitter(text).run(); }

SplitResult split_statements_after_edit(std::string_view text, const SplitResult& old, std::size_t edit_begin,
                                        std::size_t old_edit_end, std::size_t new_edit_end) {
  // The last statement ended by a `;` before the edit.
  auto from = std::lower_bound(old.pieces.begin(), old.pieces.end(), edit_begin,
                               [](const Piece& p, std::size_t at) { return p.code.begin < at; });
  auto k = static_cast<std::size_t>(from - old.pieces.begin());
  while (k > 0) {
    const Piece& p = old.pieces[k - 1];
    if (p.kind == PieceKind::Sql && p.terminated && p.terminator < edit_begin) break;
    --k;
  }
  if (k == 0) return split_statements(text);
  const std::ptrdiff_t delta = static_cast<std::ptrdiff_t>(new_edit_end) - static_cast<std::ptrdiff_t>(old_edit_end);
  return Splitter(text).resume(old, k - 1, new_edit_end, delta);
}

}  // namespace lockward::analysis
