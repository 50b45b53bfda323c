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

// Where the line holding `from` ends: "\n", "\r\n" and "\r" alone all end a line, as they end
// a `--` comment for PostgreSQL's lexer.
std::size_t line_break(std::string_view text, std::size_t from) {
  const std::size_t eol = text.find_first_of("\r\n", from);
  return eol == std::string_view::npos ? text.size() : eol;
}

TextRange moved(TextRange r, std::ptrdiff_t delta) {
  return {static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.begin) + delta),
          static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.end) + delta)};
}
Comment moved(const Comment& c, std::ptrdiff_t delta) { return {moved(c.range, delta), moved(c.body, delta)}; }

class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  SplitResult run() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = out_.content_begin = 3;
    return run_from_here();
  }

  // Continues where a split of the old text stood right after old piece `k`'s `;`, the same
  // state a split of this text reaches there (every byte before it is unchanged), and stops
  // at the first `;` after the edit where the old split ended a statement too. Returns piece
  // `k` and the pieces after it up to that one, and the comments after `k`'s `;` up to there;
  // stop() is the old piece it stopped at.
  SplitResult resume(const SplitResult& old, std::size_t k, std::size_t new_edit_end, std::ptrdiff_t delta) {
    old_ = &old;
    new_edit_end_ = new_edit_end;
    delta_ = delta;
    const std::size_t t = old.pieces[k].terminator;
    out_.content_begin = old.content_begin;
    out_.pieces.push_back(old.pieces[k]);
    // Its same-line trailing comments come again from the scan below.
    std::erase_if(out_.pieces.back().comments, [t](const Comment& c) { return c.range.begin > t; });
    pos_ = t + 1;
    trailing_until_ = line_end(t);
    trailing_owner_ = 0;
    last_token_end_ = t;
    return run_from_here();
  }
  std::optional<std::size_t> stop() const { return stop_; }

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

  // line_break() from `from`, remembered: on a line of 100,000 statements every `;` asks, and
  // searching to the line's end each time would be quadratic.
  std::size_t line_end(std::size_t from) {
    if (from < break_searched_from_ || from > break_) break_ = line_break(text_, from);
    break_searched_from_ = from;
    return break_;
  }

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
      trailing_until_ = line_end(terminator);
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
    std::size_t end = line_end(pos_);
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
    std::size_t end = line_end(pos_);
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
    stop_ = static_cast<std::size_t>(it - old.begin());
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
  std::size_t break_searched_from_ = 1, break_ = 0;  // line_end()'s memo: empty at first
  std::string last_word_;
  int atomic_depth_ = 0;
  // Resuming after an edit: the old split, where the edit ends in this text, and by how much
  // the text after it moved.
  const SplitResult* old_ = nullptr;
  std::size_t new_edit_end_ = 0;
  std::ptrdiff_t delta_ = 0;
  bool done_ = false;
  std::optional<std::size_t> stop_;
};

// Replaces v[from, to) by `with`, moving the elements after it once.
template <class T>
void replace_range(std::vector<T>& v, std::size_t from, std::size_t to, std::vector<T>&& with) {
  const std::size_t common = std::min(with.size(), to - from);
  std::move(with.begin(), with.begin() + static_cast<std::ptrdiff_t>(common), v.begin() + static_cast<std::ptrdiff_t>(from));
  if (with.size() > common) {
    v.insert(v.begin() + static_cast<std::ptrdiff_t>(from + common),
             std::make_move_iterator(with.begin() + static_cast<std::ptrdiff_t>(common)), std::make_move_iterator(with.end()));
  } else {
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(from + common), v.begin() + static_cast<std::ptrdiff_t>(to));
  }
}

}  // namespace

SplitResult split_statements(std::string_view text) { return Splitter(text).run(); }

SplitChange split_statements_after_edit(std::string_view text, SplitResult& split, std::size_t edit_begin,
                                        std::size_t old_edit_end, std::size_t new_edit_end) {
  std::vector<Piece>& pieces = split.pieces;
  // The last statement ended by a `;` before the edit.
  auto from = std::lower_bound(pieces.begin(), pieces.end(), edit_begin,
                               [](const Piece& p, std::size_t at) { return p.code.begin < at; });
  auto k = static_cast<std::size_t>(from - pieces.begin());
  while (k > 0) {
    const Piece& p = pieces[k - 1];
    if (p.kind == PieceKind::Sql && p.terminated && p.terminator < edit_begin) break;
    --k;
  }
  if (k == 0) {
    const std::size_t old_count = pieces.size();
    split = split_statements(text);
    return {0, old_count, split.pieces.size()};
  }
  --k;
  const std::ptrdiff_t delta = static_cast<std::ptrdiff_t>(new_edit_end) - static_cast<std::ptrdiff_t>(old_edit_end);
  Splitter splitter(text);
  SplitResult middle = splitter.resume(split, k, new_edit_end, delta);
  const std::optional<std::size_t> stop = splitter.stop();
  const std::size_t old_end = stop ? *stop + 1 : pieces.size();

  // Comments: those up to k's `;` stay, those up to the stop's `;` are the new ones, the rest move.
  std::vector<Comment>& comments = split.file_comments;
  auto after = [&](std::size_t at) {
    return static_cast<std::size_t>(std::upper_bound(comments.begin(), comments.end(), at, [](std::size_t a, const Comment& c) {
                                      return a < c.range.begin;
                                    }) - comments.begin());
  };
  const std::size_t comments_from = after(pieces[k].terminator);
  const std::size_t comments_to = stop ? after(pieces[*stop].terminator) : comments.size();
  for (std::size_t i = comments_to; i < comments.size(); ++i) comments[i] = moved(comments[i], delta);
  replace_range(comments, comments_from, comments_to, std::move(middle.file_comments));

  for (std::size_t i = old_end; i < pieces.size(); ++i) {
    Piece& p = pieces[i];
    p.code = moved(p.code, delta);
    if (p.terminated) p.terminator = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(p.terminator) + delta);
    for (Comment& c : p.comments) c = moved(c, delta);
  }
  const std::size_t new_count = middle.pieces.size();
  replace_range(pieces, k, old_end, std::move(middle.pieces));
  return {k, old_end - k, new_count};
}

}  // namespace lockward::analysis
