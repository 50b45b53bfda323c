#include "analysis/analyze.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "analysis/classify/leading_keywords.h"
#include "analysis/document_analysis.h"
#include "analysis/file_schema.h"
#include "analysis/file_state.h"
#include "analysis/migration_history.h"
#include "analysis/rules/registry.h"
#include "analysis/statement_cache.h"
#include "analysis/syntax/parser.h"

namespace lockward::analysis {
namespace {

// Strongest lock per object, merged into `locks` (small vectors: one statement's locks).
void merge_lock(std::vector<LockFact>& locks, const LockFact& lock) {
  for (auto& l : locks) {
    if (l.object == lock.object && l.kind == lock.kind) {
      if (lock.mode > l.mode) {
        l.mode = lock.mode;
        l.role = lock.role;
        l.until_statement_end = lock.until_statement_end;
        l.conditional = lock.conditional;
      } else if (lock.mode == l.mode) {
        l.until_statement_end = l.until_statement_end && lock.until_statement_end;
        l.conditional = l.conditional && lock.conditional;
      }
      l.new_object = l.new_object && lock.new_object;
      return;
    }
  }
  locks.push_back(lock);
}

// The locks one transaction holds: strongest per object, with a constant-size summary kept up
// to date so every statement can be given it without copying the whole set.
class HeldLocks {
 public:
  void add(const LockFact& lock) {
    if (lock.until_statement_end) return;  // gone before the next statement runs
    std::string key = lock.object.key() + '\x1f' + std::string(object_kind_name(lock.kind));
    auto [it, inserted] = by_object_.try_emplace(key, lock);
    if (!inserted) {
      if (lock.mode > it->second.mode) {
        it->second.mode = lock.mode;
        it->second.role = lock.role;
      }
      it->second.new_object = it->second.new_object && lock.new_object;
    }
    const LockFact& held = it->second;
    if (held.new_object) return;
    if ((blocks_reads(held.mode) || blocks_writes(held.mode)) && (!strongest_ || held.mode > strongest_->mode))
      strongest_ = held;
    if (held.mode == LockMode::AccessExclusive && held.kind == ObjectKind::Table && exclusive_.size() < 2 &&
        std::none_of(exclusive_.begin(), exclusive_.end(), [&](const LockFact& l) { return l.object == held.object; }))
      exclusive_.push_back(held);
  }
  void summarise(TxContext& t) const {
    t.strongest_held = strongest_;
    t.exclusive_tables = exclusive_;
    t.held_count = by_object_.size();
  }
  bool empty() const { return by_object_.empty(); }
  std::vector<LockFact> all() const {
    std::vector<LockFact> out;
    for (const auto& [key, lock] : by_object_) out.push_back(lock);
    return out;
  }

 private:
  std::map<std::string, LockFact> by_object_;
  std::optional<LockFact> strongest_;
  std::vector<LockFact> exclusive_;
};

std::string first_line(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
    if (out.size() >= max) { out += "…"; break; }
  }
  return out;
}

// A validated CHECK (col IS NOT NULL) in the snapshot, found by its definition.
bool snapshot_has_not_null_check(const SchemaSnapshot* snapshot, const ObjectName& table, std::string_view column) {
  if (!snapshot) return false;
  const SnapshotTable* t = snapshot->find(table);
  if (!t) return false;
  std::string a = "CHECK ((" + std::string(column) + " IS NOT NULL))";
  std::string b = "CHECK ((" + quote_identifier(column) + " IS NOT NULL))";
  for (const auto& c : t->constraints) {
    if (c.type == 'c' && c.validated && (c.definition == a || c.definition == b)) return true;
  }
  return false;
}


// History keys: a letter for the kind of fact, then what it is about.
std::string created_key(const ObjectName& name) { return "K" + name.key(); }
std::string created_name_key(const std::string& name) { return "N" + name; }
std::string validated_key(const std::string& table, const std::string& column) { return "V" + table + '\x1f' + column; }
std::string pending_key(const std::string& table, const std::string& constraint) { return "P" + table + '\x1f' + constraint; }
// The session's time zone as the file set it: "utc", "other", or "" (SET LOCAL's, after its
// transaction ended).
const std::string kTimeZoneSessionKey = "Zs";
const std::string kTimeZoneLocalKey = "Zl";

// Zone names whose UTC offset is always 0, and SET TIME ZONE 0.
bool utc_zone(std::string value) {
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view z : {"utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "universal", "etc/universal",
                             "zulu", "etc/zulu", "0"}) {
    if (value == z) return true;
  }
  return false;
}

// Everything in Options that shapes a result; equal keys mean an earlier result can be reused.
std::string options_key(const Options& o) {
  std::string key = std::to_string(o.pg_version) + '|' + o.migration_tool + '|' +
                    (o.assume_in_transaction ? (*o.assume_in_transaction ? "1" : "0") : "-") + '|' +
                    (o.timeouts_set_externally ? "1" : "0") + '|' + std::to_string(o.max_lock_timeout_ms) + '|' +
                    std::to_string(o.max_statement_timeout_ms) + '|';
  for (const auto& [rule_id, setting] : o.rules) {
    key += rule_id + '=' + (setting.enabled ? "1" : "0") +
           (setting.severity ? std::to_string(static_cast<int>(*setting.severity)) : "-") + ',';
  }
  const RiskThresholds& t = o.thresholds;
  for (std::int64_t v : {t.rows_medium, t.rows_large, t.rows_critical, t.bytes_medium, t.bytes_large, t.bytes_critical})
    key += std::to_string(v) + ',';
  key += std::to_string(reinterpret_cast<std::uintptr_t>(o.snapshot)) + '|' +
         std::to_string(reinterpret_cast<std::uintptr_t>(o.stats)) + '|' +
         std::to_string(reinterpret_cast<std::uintptr_t>(o.schema)) + '@' + std::to_string(o.schema_place);
  return key;
}

// Ignore directives that reach beyond one statement: lockward-ignore-file, and a
// lockward-ignore in no statement's comments (after the last statement, or in a comment left
// open at the end). Only these make every edit analyse the whole file; a statement's own
// directives are applied with the statement.
bool whole_file_ignores(std::string_view text, const SplitResult& split) {
  std::vector<std::size_t> directives;  // where each begins, in text order
  for (const Comment& c : split.file_comments) {
    std::optional<IgnoreDirective> d = parse_ignore(text, c);
    if (!d) continue;
    if (d->file_level) return true;
    directives.push_back(c.range.begin);
  }
  if (directives.empty()) return false;
  std::size_t attached = 0;
  for (const Piece& p : split.pieces) {
    for (const Comment& c : p.comments) attached += std::binary_search(directives.begin(), directives.end(), c.range.begin);
  }
  return attached < directives.size();
}

TextRange moved(TextRange r, std::ptrdiff_t delta) {
  return {static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.begin) + delta),
          static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.end) + delta)};
}

void move_statement(Statement& s, std::ptrdiff_t statements, std::ptrdiff_t bytes) {
  s.index = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(s.index) + statements);
  s.code = moved(s.code, bytes);
  s.with_comments = moved(s.with_comments, bytes);
  for (Effect& e : s.effects) e.range = moved(e.range, bytes);
  if (s.tx.begin_statement) *s.tx.begin_statement = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(*s.tx.begin_statement) + statements);
}

void move_finding(Finding& f, std::ptrdiff_t statements, std::ptrdiff_t bytes) {
  if (f.statement) *f.statement = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(*f.statement) + statements);
  f.range = moved(f.range, bytes);
  for (Related& r : f.related) r.range = moved(r.range, bytes);
  for (Fix& x : f.fixes) x.replace = moved(x.replace, bytes);
}

// Replaces v[from, to) by `with`.
template <class T>
void replace_range(std::vector<T>& v, std::size_t from, std::size_t to, std::vector<T>&& with) {
  if (with.size() == to - from) {
    std::move(with.begin(), with.end(), v.begin() + static_cast<std::ptrdiff_t>(from));
    return;
  }
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to));
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(from), std::make_move_iterator(with.begin()),
           std::make_move_iterator(with.end()));
}

constexpr int kIgnoreRank = 5;  // findings about ignore comments come last at a position

}  // namespace

class Analyzer {
 public:
  using Meta = DocumentAnalysis::Meta;

  Analyzer(DocumentAnalysis& doc, std::string_view text, const Options& options, StatementCache* cache,
           const ParallelFor* parallel = nullptr)
      : doc_(doc), text_(text), options_(options), cache_(cache), parallel_(parallel) {}

  // What a cache's entries were classified with.
  static std::string cache_key(const Options& o) {
    return std::to_string(o.pg_version) + "/" + std::to_string(reinterpret_cast<std::uintptr_t>(o.snapshot)) + "/" +
           std::to_string(reinterpret_cast<std::uintptr_t>(o.schema)) + "@" + std::to_string(o.schema_place);
  }

  // Parses every statement once for two uses: the facts migration_facts() would return, and
  // the cache entries a run with these options then takes instead of parsing again. Classified
  // as the parallel batches are (`isolated`): what consulted the schema or the file's history
  // keeps its tree and is classified again in its place, so the schema may still be empty.
  // On the caller's threads when it gave some: a batch of pieces at a time (bounding what
  // waits in memory), each piece on its own, then gathered in order.
  MigrationFacts prepare() {
    split_ = split_statements(text_);
    cache_->entries_.clear();
    cache_->options_key_ = cache_key(options_);
    cache_->single_use_ = true;
    std::vector<std::size_t> sql;
    for (std::size_t i = 0; i < split_.pieces.size(); ++i)
      if (split_.pieces[i].kind == PieceKind::Sql) sql.push_back(i);
    cache_->entries_.reserve(sql.size());
    struct Prepared {
      MigrationFacts facts;
      PieceResult result;
    };
    constexpr std::size_t kBatch = 1024;
    std::vector<Prepared> prepared;
    MigrationFacts out;
    for (std::size_t begin = 0; begin < sql.size(); begin += kBatch) {
      const std::size_t n = std::min(kBatch, sql.size() - begin);
      prepared.assign(n, Prepared{});
      auto one = [&](std::size_t k) {
        const Piece& piece = split_.pieces[sql[begin + k]];
        std::string_view code = piece.code.slice(text_);
        ParseOutcome parsed = parse_statement(code);
        add_migration_facts(parsed, code, options_, prepared[k].facts, piece.code);
        prepared[k].result = piece_from(std::move(parsed), code, /*isolated=*/true);
      };
      if (parallel_ && n > 1) (*parallel_)(n, one);
      else for (std::size_t k = 0; k < n; ++k) one(k);
      for (std::size_t k = 0; k < n; ++k) {
        MigrationFacts& f = prepared[k].facts;
        out.unknown = out.unknown || f.unknown;
        std::move(f.statements.begin(), f.statements.end(), std::back_inserter(out.statements));
        std::move(f.ranges.begin(), f.ranges.end(), std::back_inserter(out.ranges));
        auto [entry, added] = cache_->entries_.try_emplace(std::string(split_.pieces[sql[begin + k]].code.slice(text_)),
                                                           StatementCache::Entry{std::move(prepared[k].result), 0});
        ++entry->second.uses_left;
      }
    }
    return out;
  }

  // Analyses the whole text and makes it the document's state.
  // `cache_for_ignores`: use the cache only when the text has whole-file ignore directives, the
  // one case where every edit analyses the whole file again (elsewhere it would only cost memory).
  void run_full(bool cache_for_ignores = false) {
    split_ = split_statements(text_);
    implicit_ = transaction_default();
    if (cache_ && cache_for_ignores && !whole_file_ignores(text_, split_)) {
      cache_->entries_.clear();
      cache_ = nullptr;
    }
    if (cache_) {
      std::string key = cache_key(options_);
      if (key != cache_->options_key_) {
        cache_->entries_.clear();
        cache_->options_key_ = key;
        cache_->single_use_ = false;
      }
      ++cache_->generation_;
      cache_->hits_ = 0;
    }
    tx_.in_transaction = tx_.implicit = policy_.in_tx = implicit_;
    // In batches (bounding the results waiting in memory): while one thread runs the sequential
    // pass over a batch, the others parse and classify the next one.
    constexpr std::size_t kBatch = 1024;
    const std::size_t pieces = split_.pieces.size();
    // Grown once: doubling a 20,000-statement vector held both copies at the peak. Findings
    // are rarely more than two a statement; untouched capacity costs address space, not memory.
    region_.reserve(pieces);
    region_meta_.reserve(pieces);
    findings_.reserve(2 * pieces);
    ranks_.reserve(2 * pieces);
    Batch next = plan_batch(0, std::min(pieces, kBatch));
    run_batch(next, [] {});
    for (std::size_t begin = 0; begin < pieces; begin += kBatch) {
      const std::size_t end = std::min(pieces, begin + kBatch);
      install_batch(std::move(next));
      next = plan_batch(end, std::min(pieces, end + kBatch));
      run_batch(next, [&] {
        for (std::size_t piece = begin; piece < end; ++piece) add_piece(piece);
      });
    }
    end_of_file();
    if (cache_) {
      std::erase_if(cache_->entries_, [g = cache_->generation_](const auto& e) { return e.second.generation != g; });
      cache_->single_use_ = false;  // what is left is an ordinary cache
    }
    apply_ignores(/*whole_file=*/true);
    auto analysis = std::make_shared<Analysis>();
    analysis->pg_version = options_.pg_version;
    analysis->schema.migrations = options_.schema ? options_.schema->files_before(options_.schema_place) : 0;
    analysis->schema.snapshot = options_.snapshot != nullptr;
    if (options_.snapshot) {
      analysis->schema.snapshot_taken_at = options_.snapshot->taken_at;
      analysis->schema.snapshot_live = options_.snapshot->live;
    }
    analysis->findings = sorted_findings();
    analysis->statements = std::move(region_);
    count(*analysis);

    DocumentAnalysis& d = doc_;
    d.history_.clear();
    for (std::size_t i = 0; i < region_meta_.size(); ++i) {
      region_meta_[i].ordinal = (static_cast<std::uint64_t>(i) + 1) << 20;
      for (const auto& [key, value] : region_meta_[i].history) d.history_.add(key, region_meta_[i].ordinal, value);
    }
    d.meta_ = std::move(region_meta_);
    d.analysis_ = std::move(analysis);
    d.text_.assign(text_);  // reuses its buffer: no fresh pages per keystroke
    d.split_ = std::move(split_);
    d.options_key_ = options_key(options_);
    d.implicit_transaction_ = implicit_;
    d.whole_file_ignores_ = whole_file_ignores(d.text_, d.split_);
    d.change_ = AnalysisChange{};
  }

  // Re-analyses only what the edit from the document's last text touched; false when it
  // cannot (nothing analysed yet, other options, ignore directives, another transaction
  // directive), and then a whole-file run must follow (the split may have been updated).
  bool run_incremental() {
    DocumentAnalysis& d = doc_;
    if (!d.analysis_ || d.meta_.empty() || d.whole_file_ignores_ || d.options_key_ != options_key(options_))
      return false;
    // The edited bytes.
    const std::string_view old = d.text_;
    const std::size_t limit = std::min(old.size(), text_.size());
    // Whole blocks with memcmp first: the text is megabytes, the edit a few bytes.
    constexpr std::size_t kBlock = 4096;
    std::size_t p = 0;
    while (p + kBlock <= limit && std::memcmp(old.data() + p, text_.data() + p, kBlock) == 0) p += kBlock;
    while (p < limit && old[p] == text_[p]) ++p;
    std::size_t q = 0;
    while (q + kBlock <= limit - p &&
           std::memcmp(old.data() + old.size() - q - kBlock, text_.data() + text_.size() - q - kBlock, kBlock) == 0)
      q += kBlock;
    while (q < limit - p && old[old.size() - 1 - q] == text_[text_.size() - 1 - q]) ++q;
    edit_begin_ = p;
    old_edit_end_ = old.size() - q;
    new_edit_end_ = text_.size() - q;
    delta_ = static_cast<std::ptrdiff_t>(text_.size()) - static_cast<std::ptrdiff_t>(old.size());

    // The split is updated in place; should this run give up, the whole-file run that follows
    // splits again.
    split_ = std::move(d.split_);
    const SplitChange changed = split_statements_after_edit(text_, split_, edit_begin_, old_edit_end_, new_edit_end_);
    implicit_ = transaction_default();
    if (implicit_ != d.implicit_transaction_ || whole_file_ignores(text_, split_)) return false;

    // Pieces before the change are the same; so are those after it, moved.
    const std::vector<Piece>& np = split_.pieces;
    const std::size_t k = changed.first;
    const std::size_t moved_from = changed.first + changed.new_count;  // new pieces from here on are old ones, moved
    const std::ptrdiff_t pieces_moved_by =
        static_cast<std::ptrdiff_t>(changed.new_count) - static_cast<std::ptrdiff_t>(changed.old_count);
    const std::size_t old_piece_count = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(np.size()) - pieces_moved_by);

    // Start at the nearest statement before the edit that no transaction flows into.
    const std::vector<Meta>& meta = d.meta_;
    std::size_t s = static_cast<std::size_t>(
        std::lower_bound(meta.begin(), meta.end(), k, [](const Meta& m, std::size_t piece) { return m.piece < piece; }) -
        meta.begin());
    s = std::min(s, meta.size() - 1);
    while (s > 0 && !meta[s].boundary) --s;
    first_statement_ = s;
    bound_ = meta[s].ordinal;
    if (s == 0) tx_.in_transaction = tx_.implicit = policy_.in_tx = implicit_;
    const std::uint8_t bits = meta[s].timeouts;
    policy_.lock_timeout = bits & 1;
    policy_.statement_timeout = bits & 2;
    policy_.idle_timeout = bits & 4;
    policy_.warned_lock = bits & 8;
    policy_.warned_statement = bits & 16;
    policy_.warned_idle = bits & 32;

    // Analyse until the state flowing on is the one the old analysis had there.
    std::size_t old_statement = s;
    for (std::size_t piece = meta[s].piece; piece < np.size(); ++piece) {
      if (piece >= moved_from) {
        const auto old_piece = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(piece) - pieces_moved_by);
        while (old_statement < meta.size() && meta[old_statement].piece < old_piece) ++old_statement;
        if (converged(old_statement)) {
          apply_ignores(/*whole_file=*/false);
          splice(piece, old_piece, old_statement);
          return true;
        }
      }
      add_piece(piece);
    }
    end_of_file();
    apply_ignores(/*whole_file=*/false);
    splice(np.size(), old_piece_count, meta.size());
    return true;
  }

 private:
  bool transaction_default() const {
    std::optional<bool> directive = file_transaction_directive(text_, split_);
    bool tool_wraps = options_.assume_in_transaction.value_or(
        tool_wraps_in_transaction(options_.migration_tool) ||
        (tool_wraps_several_statements(options_.migration_tool) && sql_statements(split_) > 1));
    return directive.value_or(tool_wraps);
  }

  static std::size_t sql_statements(const SplitResult& split) {
    return static_cast<std::size_t>(std::count_if(split.pieces.begin(), split.pieces.end(),
                                                  [](const Piece& p) { return p.kind == PieceKind::Sql; }));
  }

  bool tx_default() const {
    return !tx_.in_transaction && !tx_.implicit && !tx_.begin_statement && tx_.held.empty() && savepoints_.empty();
  }

  // Whether old statement `at` sees exactly the state this run has reached.
  bool converged(std::size_t at) const {
    const std::vector<Meta>& meta = doc_.meta_;
    if (at >= meta.size() || !meta[at].boundary || !tx_default() || !policy_.outside_transaction() ||
        policy_.timeout_bits() != meta[at].timeouts)
      return false;
    // The same history entries, in the same order, as the statements they replace.
    std::vector<const std::pair<std::string, std::string>*> mine, theirs;
    for (const Meta& m : region_meta_)
      for (const auto& e : m.history) mine.push_back(&e);
    for (std::size_t i = first_statement_; i < at; ++i)
      for (const auto& e : meta[i].history) theirs.push_back(&e);
    return std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end(),
                      [](const auto* a, const auto* b) { return *a == *b; });
  }

  // Puts this run's statements and findings in place of old statements [first_statement_, old_end)
  // (old pieces up to old_piece_end, new ones up to new_piece_end), moving the ones after.
  void splice(std::size_t new_piece_end, std::size_t old_piece_end, std::size_t old_end) {
    DocumentAnalysis& d = doc_;
    if (d.analysis_.use_count() > 1) d.analysis_ = std::make_shared<Analysis>(*d.analysis_);
    Analysis& a = *d.analysis_;
    const std::size_t s = first_statement_;
    const std::ptrdiff_t dn = static_cast<std::ptrdiff_t>(region_.size()) - static_cast<std::ptrdiff_t>(old_end - s);

    // Findings: every one belongs to a statement (there are no ignore directives), in order.
    std::vector<Finding> findings = sorted_findings();
    auto by_statement = [](const Finding& f, std::size_t index) { return *f.statement < index; };
    auto fb = static_cast<std::size_t>(std::lower_bound(a.findings.begin(), a.findings.end(), s, by_statement) - a.findings.begin());
    auto fe = static_cast<std::size_t>(std::lower_bound(a.findings.begin(), a.findings.end(), old_end, by_statement) - a.findings.begin());
    if (dn != 0 || delta_ != 0) {
      for (std::size_t i = fe; i < a.findings.size(); ++i) move_finding(a.findings[i], dn, delta_);
      for (std::size_t i = old_end; i < a.statements.size(); ++i) move_statement(a.statements[i], dn, delta_);
    }
    d.change_ = AnalysisChange{false, fb, fe - fb, findings.size(), s, old_end - s, region_.size(),
                               edit_begin_, old_edit_end_, new_edit_end_};
    replace_range(a.findings, fb, fe, std::move(findings));
    replace_range(a.statements, s, old_end, std::move(region_));
    count(a);

    // History: the old statements' entries go, this run's come in between their neighbours.
    std::vector<Meta>& meta = d.meta_;
    for (std::size_t i = s; i < old_end; ++i)
      for (const auto& [key, value] : meta[i].history) d.history_.remove(key, meta[i].ordinal);
    std::uint64_t lo = s > 0 ? meta[s - 1].ordinal : 0;
    std::uint64_t hi = old_end < meta.size() ? meta[old_end].ordinal : std::numeric_limits<std::uint64_t>::max();
    const std::size_t added = region_meta_.size();
    std::uint64_t step = (hi - lo) / (added + 1);
    for (std::size_t i = 0; i < added; ++i) region_meta_[i].ordinal = lo + step * (i + 1);
    const std::ptrdiff_t pieces_moved_by =
        static_cast<std::ptrdiff_t>(new_piece_end) - static_cast<std::ptrdiff_t>(old_piece_end);
    if (pieces_moved_by != 0) {
      for (std::size_t i = old_end; i < meta.size(); ++i)
        meta[i].piece = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(meta[i].piece) + pieces_moved_by);
    }
    replace_range(meta, s, old_end, std::move(region_meta_));
    if (step == 0) {
      // No room left between the neighbours: number every statement again.
      d.history_.clear();
      for (std::size_t i = 0; i < meta.size(); ++i) {
        meta[i].ordinal = (static_cast<std::uint64_t>(i) + 1) << 20;
        for (const auto& [key, value] : meta[i].history) d.history_.add(key, meta[i].ordinal, value);
      }
    } else {
      for (std::size_t i = s; i < s + added; ++i)
        for (const auto& [key, value] : meta[i].history) d.history_.add(key, meta[i].ordinal, value);
    }

    d.text_.assign(text_);  // reuses its buffer: no fresh pages per keystroke
    d.split_ = std::move(split_);
  }

  void add_piece(std::size_t piece_index) {
    current_piece_ = piece_index;
    const Piece& piece = split_.pieces[piece_index];
    TextRange with_comments = piece.code;
    for (const Comment& c : piece.comments) with_comments.begin = std::min(with_comments.begin, c.range.begin);

    if (piece.kind == PieceKind::PsqlMeta) {
      bool was_default = tx_default();
      Statement s = new_statement(piece, with_comments);
      s.status = StatementStatus::PsqlMeta;
      s.summary = first_line(piece.code.slice(text_), 40);
      add_finding(note(s, rule::kPsqlMeta, "psql meta-command `" + s.summary + "` is skipped: lockward analyses SQL only"), 0);
      finish_statement(std::move(s), kNoFacts, was_default);
      return;
    }

    bool owned = false;  // a result no one reads again: its facts can be moved, not copied
    PieceResult& result = piece_result(piece, owned);
    if (result.error && !result.error->too_complex) {
      // PostgreSQL 18 syntax, when the target is 18: read from its leading keywords.
      if (std::optional<StatementFacts> facts = classify_leading_keywords(piece.code.slice(text_), options_.pg_version)) {
        shift_ranges(*facts, piece.code.begin);
        add_parsed(piece, with_comments, piece.code, std::string(kLeadingKeywordsNode), std::move(*facts));
        return;
      }
    }
    if (result.error || result.nodes.empty()) {
      bool was_default = tx_default();
      Statement s = new_statement(piece, with_comments);
      s.status = StatementStatus::ParseError;
      s.risk = Risk::Unknown;  // not analysed: no lock or risk claim beside the syntax error
      s.summary = first_line(piece.code.slice(text_), 40);
      Finding f;
      f.rule = rule::kSyntaxError;
      f.risk = Risk::High;
      f.severity = Severity::Error;
      f.statement = s.index;
      std::size_t at = piece.code.begin + (result.error ? result.error->offset : 0);
      at = std::min(at, piece.code.end);
      std::size_t end = at;
      while (end < piece.code.end && !std::isspace(static_cast<unsigned char>(text_[end]))) ++end;
      f.range = TextRange{at, std::max(end, std::min(at + 1, piece.code.end))};
      f.message = result.error ? result.error->message : "the statement is empty";
      remember(FileSchema::kUnknownKey, "");
      f.help = "Fix the syntax; the other statements are still analysed (PostgreSQL 17 grammar).";
      if (result.error && result.error->too_complex) {
        f.rule = rule::kStatementTooComplex;
        f.help = "Review it by hand, or split it into simpler statements (shorter operator chains, fewer "
                 "UNIONs or nested subqueries); the other statements are still analysed.";
      }
      add_finding(std::move(f), 0);
      finish_statement(std::move(s), kNoFacts, was_default);
      return;
    }

    for (PieceResult::Node& node : result.nodes) {
      StatementFacts facts = node.context_dependent ? classify_node(*node.tree, piece.code.slice(text_), node.code).first
                             : owned                ? std::move(node.facts)
                                                    : node.facts;
      shift_ranges(facts, piece.code.begin);
      TextRange code{piece.code.begin + node.code.begin, piece.code.begin + node.code.end};
      add_parsed(piece, with_comments, code, node.type, std::move(facts));
    }
  }

  // Pieces [begin, end) parsed and classified ahead of the sequential pass, on the caller's
  // threads: those the cache lacks (`todo`), their results by position in `todo`.
  struct Batch {
    std::size_t begin = 0, end = 0;
    std::vector<std::size_t> todo;
    std::vector<PieceResult> results;
  };

  // What of [begin, end) is worth computing ahead; nothing without several threads.
  Batch plan_batch(std::size_t begin, std::size_t end) const {
    constexpr std::size_t kWorthIt = 64;  // fewer pieces take well under a millisecond
    Batch batch;
    batch.begin = begin;
    batch.end = end;
    if (!parallel_ || end - begin < kWorthIt) return batch;
    for (std::size_t i = begin; i < end; ++i) {
      const Piece& piece = split_.pieces[i];
      if (piece.kind == PieceKind::PsqlMeta) continue;
      if (cache_ && cache_->entries_.contains(piece.code.slice(text_))) continue;
      batch.todo.push_back(i);
    }
    batch.results.resize(batch.todo.size());
    return batch;
  }

  // Computes `batch` on the threads while one of them runs `sequential` (which must touch
  // nothing the computation reads but the text, the split and the options: compute_piece with
  // `isolated` reads no other state).
  template <class Sequential>
  void run_batch(Batch& batch, const Sequential& sequential) {
    if (batch.todo.empty()) return sequential();
    (*parallel_)(batch.todo.size() + 1, [&](std::size_t k) {
      if (k == 0) return sequential();
      batch.results[k - 1] = compute_piece(split_.pieces[batch.todo[k - 1]].code.slice(text_), /*isolated=*/true);
    });
  }

  // Makes a computed batch the one add_piece reads.
  void install_batch(Batch batch) {
    precomputed_.clear();
    precomputed_begin_ = batch.begin;
    if (batch.todo.empty()) return;
    if (!cache_) precomputed_.resize(batch.end - batch.begin);
    for (std::size_t k = 0; k < batch.todo.size(); ++k) {
      std::string_view piece_text = split_.pieces[batch.todo[k]].code.slice(text_);
      if (cache_) cache_->entries_.try_emplace(std::string(piece_text), StatementCache::Entry{std::move(batch.results[k]), 0});
      else precomputed_[batch.todo[k] - batch.begin] = std::move(batch.results[k]);
    }
  }

  // Parses and classifies a piece in piece-relative coordinates. `isolated`: without looking
  // at the file's history (other threads may run it): a result that needs the history is
  // context-dependent either way, and is classified again in its place.
  PieceResult compute_piece(std::string_view piece_text, bool isolated = false) {
    return piece_from(parse_statement(piece_text), piece_text, isolated);
  }

  PieceResult piece_from(ParseOutcome parsed, std::string_view piece_text, bool isolated) {
    PieceResult r;
    if (parsed.error || parsed.nodes.empty()) {
      r.error = parsed.error ? *parsed.error : ParseError{"the statement is empty", 0};
      return r;
    }
    // Usually one node; a piece the splitter could not divide further holds several.
    for (ParsedNode& node : parsed.nodes) {
      PieceResult::Node n;
      n.code = TextRange{0, piece_text.size()};
      if (parsed.nodes.size() > 1) {
        n.code = TextRange{node.begin, std::min(node.end, piece_text.size())};
        while (n.code.begin < n.code.end && std::isspace(static_cast<unsigned char>(piece_text[n.code.begin])))
          ++n.code.begin;
      }
      n.type = node.type;
      auto [facts, context_dependent] = classify_node(node, piece_text, n.code, isolated);
      n.facts = std::move(facts);
      n.context_dependent = context_dependent;
      if (context_dependent) n.tree = std::move(node);
      r.nodes.push_back(std::move(n));
    }
    return r;
  }

  // Classifies with the file's context so far; reports whether that context was consulted.
  std::pair<StatementFacts, bool> classify_node(const ParsedNode& node, std::string_view piece_text, TextRange code,
                                                bool isolated = false) {
    bool consulted = false;
    ClassifyContext ctx;
    ctx.pg_version = options_.pg_version;
    // A snapshot the model was seeded with answers through the model (ctx.schema) only.
    ctx.snapshot = options_.schema && options_.schema->seeded() ? nullptr : options_.snapshot;
    ctx.session_time_zone_utc = [this, &consulted, isolated]() {
      consulted = true;
      if (isolated) return false;
      std::optional<std::string> local = latest(kTimeZoneLocalKey);
      if (local && !local->empty()) return *local == "utc";
      std::optional<std::string> session = latest(kTimeZoneSessionKey);
      return session && *session == "utc";
    };
    ctx.has_not_null_check = [this, &consulted, isolated](const ObjectName& table, std::string_view column) {
      consulted = true;
      return (!isolated && seen(validated_key(table.key(), std::string(column)))) ||
             snapshot_has_not_null_check(options_.snapshot, table, column);
    };
    // On another thread the file's history is not there to read; asking for it is enough to
    // have the statement classified again in its place.
    FileSchema schema = file_schema(isolated);
    ctx.schema = &schema;
    StatementFacts facts = classify(node, piece_text, 0, code, ctx);
    return {std::move(facts), consulted || schema.consulted};
  }

  FileSchema file_schema(bool isolated = false) const {
    FileSchema::Latest latest;
    if (isolated) latest = [](const std::string&) { return std::optional<std::string>(); };
    else latest = [this](const std::string& key) { return this->latest(key); };
    return FileSchema(SchemaView{options_.schema, options_.schema_place}, std::move(latest));
  }

  // `owned`: the result is this run's alone (not the cache's), read only by this call.
  PieceResult& piece_result(const Piece& piece, bool& owned) {
    std::string_view piece_text = piece.code.slice(text_);
    owned = !cache_;
    if (!cache_) {
      const std::size_t index = current_piece_ - precomputed_begin_;
      if (current_piece_ >= precomputed_begin_ && index < precomputed_.size() &&
          (precomputed_[index].error || !precomputed_[index].nodes.empty()))
        return precomputed_[index];
      local_result_ = compute_piece(piece_text);
      return local_result_;
    }
    auto it = cache_->entries_.find(piece_text);
    if (it != cache_->entries_.end()) {
      ++cache_->hits_;
      if (cache_->single_use_ && it->second.uses_left <= 1) {
        // Its last piece: the result moves out, and its memory goes as soon as it is analysed.
        local_result_ = std::move(it->second.result);
        cache_->entries_.erase(it);
        owned = true;
        return local_result_;
      }
      if (cache_->single_use_) --it->second.uses_left;
    } else {
      it = cache_->entries_.emplace(std::string(piece_text), StatementCache::Entry{compute_piece(piece_text), 0}).first;
    }
    it->second.generation = cache_->generation_;
    return it->second.result;
  }

  // History as seen from the statement being built: entries before this run, then this run's.
  bool seen(const std::string& key) const {
    return local_.any_before(key, region_.size()) || doc_.history_.any_before(key, bound_);
  }
  // The latest value, the statement being built included.
  std::optional<std::string> latest(const std::string& key) const {
    if (const std::string* v = local_.latest_before(key, region_.size() + 1)) return *v;
    if (const std::string* v = doc_.history_.latest_before(key, bound_)) return *v;
    return std::nullopt;
  }
  void remember(const std::string& key, std::string value) {
    local_.add(key, region_.size(), value);
    current_history_.emplace_back(key, std::move(value));
  }
  bool created(const ObjectName& name) const {
    // An unqualified reference matches an object created with or without a schema.
    return seen(created_key(name)) || (name.schema.empty() && seen(created_name_key(name.name)));
  }

  Statement new_statement(const Piece& piece, TextRange with_comments) const {
    Statement s;
    s.index = first_statement_ + region_.size();
    s.code = piece.code;
    s.with_comments = with_comments;
    s.terminated = piece.terminated;
    s.tx = tx_snapshot();
    return s;
  }

  TxContext tx_snapshot() const {
    TxContext t;
    t.in_transaction = tx_.in_transaction;
    t.implicit = tx_.implicit;
    t.begin_statement = tx_.begin_statement;
    tx_.held.summarise(t);
    return t;
  }

  void add_parsed(const Piece& piece, TextRange with_comments, TextRange code, const std::string& node_type,
                  StatementFacts facts) {
    bool was_default = tx_default();
    Statement s = new_statement(piece, with_comments);
    s.code = code;
    s.node = node_type;
    s.summary = facts.summary;
    s.tx_control = facts.tx_control;
    s.status = facts.unknown ? StatementStatus::Unanalysable : StatementStatus::Analysed;
    if (facts.tx_control != TxControl::None) s.tx = TxContext{s.tx.in_transaction, s.tx.implicit, s.tx.begin_statement};

    for (Effect& e : facts.effects) {
      for (LockFact& l : e.locks) l.new_object = l.new_object || created(l.object);  // or created in its DO block
      if (!e.row) continue;
      if (e.row->rewrite > s.rewrite) s.rewrite = e.row->rewrite;
      s.scans = s.scans || e.row->scans;
      bool all_new = !e.locks.empty() &&
                     std::all_of(e.locks.begin(), e.locks.end(), [](const LockFact& l) { return l.new_object; });
      if (!all_new && e.row->risk > s.risk) s.risk = e.row->risk;
      for (const LockFact& l : e.locks) merge_lock(s.locks, l);
    }
    s.effects = std::move(facts.effects);  // the statement owns them; facts keep the rest

    if (facts.unknown) {
      // A level of its own: never SAFE, whatever else the statement's effects say (a DO block's
      // known statements may say more: those keep their risk).
      s.risk = std::max(s.risk, Risk::Unknown);
      Finding f = note(s, rule::kUnknownLock,
                       facts.summary + ": " + facts.unknown_reason + "; its locks are unknown (not known to be safe)");
      if (facts.unknown_range) f.range = *facts.unknown_range;  // a DO block's dynamic EXECUTE
      f.risk = Risk::Unknown;
      f.severity = default_severity(Risk::Unknown);
      f.help = "Run `lockward trace` on the migration to learn the locks it takes, or review it by hand.";
      add_finding(std::move(f), 0);
    }

    for (const CreatedObject& c : facts.creates) {
      remember(created_key(c.name), "");
      remember(created_name_key(c.name.name), "");
    }
    if (hides_schema_changes(node_type)) remember(FileSchema::kUnknownKey, "");
    else file_schema().record(facts, [this](const std::string& key, std::string value) { remember(key, std::move(value)); });
    for (const AddedConstraint& c : facts.constraints_added) {
      if (!c.not_null_column.empty() && !c.not_valid) remember(validated_key(c.table.key(), c.not_null_column), "");
      if (!c.not_null_column.empty()) remember(pending_key(c.table.key(), c.name), c.not_null_column);
    }
    for (const auto& [table, name] : facts.constraints_validated) {
      if (std::optional<std::string> column = latest(pending_key(table.key(), name)))
        remember(validated_key(table.key(), *column), "");
    }
    // SET [LOCAL] timezone / SET TIME ZONE: the session's time zone for later statements. SET
    // LOCAL lasts to the end of its transaction (outside one it does nothing); RESET and
    // DEFAULT restore the server's zone, which the file does not say.
    if (facts.setting && facts.setting->name == "timezone") {
      std::string zone = facts.setting->value && utc_zone(*facts.setting->value) ? "utc" : "other";
      if (!facts.setting->local) {
        remember(kTimeZoneSessionKey, zone);
        remember(kTimeZoneLocalKey, "");
      } else if (s.tx.in_transaction) {
        remember(kTimeZoneLocalKey, zone);
      }
    }
    if (facts.tx_control == TxControl::Commit) remember(kTimeZoneLocalKey, "");
    if (facts.tx_control == TxControl::Rollback || facts.tx_control == TxControl::RollbackTo) {
      // What the rollback restored is not tracked: not known to be UTC.
      remember(kTimeZoneLocalKey, "other");
      remember(kTimeZoneSessionKey, "other");
      if (facts.tx_control == TxControl::Rollback) remember(kTimeZoneLocalKey, "");
    }
    advance_transaction(s);
    finish_statement(std::move(s), facts, was_default);
  }

  // The statement is complete: keep it, with what a later re-analysis needs, and run the rules.
  void finish_statement(Statement s, const StatementFacts& facts, bool was_default) {
    Meta m;
    m.piece = current_piece_;
    m.boundary = was_default && policy_.outside_transaction();
    m.timeouts = policy_.timeout_bits();
    m.history = std::move(current_history_);
    current_history_.clear();
    region_.push_back(std::move(s));
    region_meta_.push_back(std::move(m));

    const Statement& st = region_.back();
    FileState file{text_, options_, region_, first_statement_, implicit_};
    check_locks(file, st, scratch_);
    take(1);
    check_timeouts(file, st, facts, policy_, scratch_);
    take(2);
    check_transaction(file, st, facts, policy_, scratch_);
    take(3);
    check_advice(file, st, facts, scratch_);
    take(4);
  }

  void end_of_file() {
    FileState file{text_, options_, region_, first_statement_, implicit_};
    finish_transactions(file, policy_, scratch_);
    take(3);
  }

  void take(int rank) {
    for (Finding& f : scratch_) add_finding(std::move(f), rank);
    scratch_.clear();
  }
  void add_finding(Finding f, int rank) {
    findings_.push_back(std::move(f));
    ranks_.push_back(static_cast<std::uint8_t>(rank));
  }
  // Removes the findings `drop` returns true for, with their ranks.
  template <class Pred>
  void erase_findings_if(Pred drop) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < findings_.size(); ++i) {
      if (drop(findings_[i])) continue;
      if (kept != i) {
        findings_[kept] = std::move(findings_[i]);
        ranks_[kept] = ranks_[i];
      }
      ++kept;
    }
    findings_.resize(kept);
    ranks_.resize(kept);
  }

  // In text order; at one position, in the order of the passes that found them.
  std::vector<Finding> sorted_findings() {
    apply_settings();
    // Sorted through their indices, then put in that order in place: a stable sort of the
    // findings themselves moves each one per merge pass and needs a second array of them.
    std::vector<std::uint32_t> order(findings_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
      const std::size_t x = findings_[a].range.begin, y = findings_[b].range.begin;
      return x != y ? x < y : ranks_[a] < ranks_[b];
    });
    // order[i] is the finding that goes to i; follow each cycle once.
    for (std::size_t start = 0; start < order.size(); ++start) {
      if (order[start] == start) continue;
      Finding held = std::move(findings_[start]);
      std::size_t at = start;
      while (order[at] != start) {
        const std::size_t from = order[at];
        findings_[at] = std::move(findings_[from]);
        order[at] = static_cast<std::uint32_t>(at);
        at = from;
      }
      findings_[at] = std::move(held);
      order[at] = static_cast<std::uint32_t>(at);
    }
    ranks_.clear();
    std::vector<Finding> out = std::move(findings_);
    findings_.clear();
    return out;
  }

  // After the statement: update what the transaction holds.
  void advance_transaction(const Statement& s) {
    switch (s.tx_control) {
      case TxControl::Begin:
        if (!tx_.in_transaction || tx_.implicit) {
          tx_.in_transaction = true;
          if (!tx_.begin_statement) tx_.begin_statement = s.index;
        }
        return;
      case TxControl::Commit:
      case TxControl::Rollback:
        tx_ = TxState{};
        savepoints_.clear();
        return;
      case TxControl::Savepoint:
        savepoints_.push_back(tx_.held);  // rare: a copy is fine
        return;
      case TxControl::Release:
        if (!savepoints_.empty()) savepoints_.pop_back();
        return;
      case TxControl::RollbackTo:
        if (!savepoints_.empty()) tx_.held = savepoints_.back();
        return;
      case TxControl::None:
        break;
    }
    if (!tx_.in_transaction) return;
    for (const LockFact& l : s.locks) tx_.held.add(l);
  }

  Finding note(const Statement& s, std::string_view rule_id, std::string message) const {
    Finding f;
    f.rule = std::string(rule_id);
    f.risk = Risk::Safe;
    f.severity = Severity::Information;
    f.statement = s.index;
    f.range = s.code;
    f.message = std::move(message);
    return f;
  }

  // Only in whole-file runs: directives can reach any statement.
  // Drops the findings ignore directives cover and reports directives that cover nothing or
  // name unknown rules. A statement's own directives come from its piece's comments, so a run
  // over some statements applies exactly theirs; `whole_file` adds lockward-ignore-file and
  // directives after the last statement (files that have those are only analysed whole).
  void apply_ignores(bool whole_file) {
    std::vector<IgnoreDirective> directives;
    std::optional<std::size_t> previous_piece;
    for (std::size_t k = 0; k < region_.size(); ++k) {
      const std::size_t piece = region_meta_[k].piece;
      if (piece == previous_piece) continue;  // a piece of several statements: its first one
      previous_piece = piece;
      for (const Comment& c : split_.pieces[piece].comments) {
        std::optional<IgnoreDirective> d = parse_ignore(text_, c);
        if (!d || d->file_level) continue;
        d->piece = region_[k].index;
        directives.push_back(std::move(*d));
      }
    }
    if (whole_file) {
      std::vector<std::size_t> attached;
      for (const IgnoreDirective& d : directives) attached.push_back(d.range.begin);
      std::sort(attached.begin(), attached.end());
      for (const Comment& c : split_.file_comments) {
        std::optional<IgnoreDirective> d = parse_ignore(text_, c);
        if (d && (d->file_level || !std::binary_search(attached.begin(), attached.end(), d->range.begin)))
          directives.push_back(std::move(*d));
      }
      // In text order: the first directive that matches a finding is the one that was used.
      std::stable_sort(directives.begin(), directives.end(),
                       [](const IgnoreDirective& a, const IgnoreDirective& b) { return a.range.begin < b.range.begin; });
    }
    if (directives.empty()) return;
    std::vector<bool> used(directives.size(), false);
    std::vector<Finding> meta;
    for (std::size_t i = 0; i < directives.size(); ++i) {
      for (std::size_t k = 0; k < directives[i].rules.size(); ++k) {
        if (!find_rule(directives[i].rules[k])) {
          Finding f;
          f.rule = rule::kUnknownRule;
          f.risk = Risk::Low;
          f.severity = Severity::Warning;
          f.range = directives[i].rule_ranges[k];
          f.statement = directives[i].piece;
          f.message = "unknown rule `" + directives[i].rules[k] + "` in lockward-ignore; run `lockward rules` for the list";
          f.help = "Correct the rule id; write a reason after `--`.";
          meta.push_back(std::move(f));
          used[i] = true;  // reported already; do not also call it unused
        }
      }
    }
    std::vector<bool> used_for_match(directives.size(), false);
    erase_findings_if([&](const Finding& f) {
      for (std::size_t i = 0; i < directives.size(); ++i) {
        const auto& d = directives[i];
        if (!d.file_level && (!d.piece || !f.statement || *d.piece != *f.statement)) continue;
        if (!d.rules.empty() && std::find(d.rules.begin(), d.rules.end(), f.rule) == d.rules.end()) continue;
        used_for_match[i] = true;
        return true;
      }
      return false;
    });
    for (std::size_t i = 0; i < directives.size(); ++i) {
      if (used[i] || used_for_match[i]) continue;
      Finding f;
      f.rule = rule::kUnusedIgnore;
      f.risk = Risk::Low;
      f.severity = Severity::Warning;
      f.range = directives[i].range;
      f.statement = directives[i].piece;
      f.message = directives[i].file_level ? "this lockward-ignore-file suppresses nothing"
                                           : "this lockward-ignore suppresses nothing on the statement it belongs to";
      f.help = "Remove it, or move it right before the statement it is meant for.";
      meta.push_back(std::move(f));
    }
    for (auto& f : meta) add_finding(std::move(f), kIgnoreRank);
  }

  void apply_settings() {
    const auto& rules = options_.rules;
    if (rules.empty()) return;
    erase_findings_if([&](const Finding& f) {
      auto it = rules.find(f.rule);
      return it != rules.end() && !it->second.enabled;
    });
    for (Finding& f : findings_) {
      auto it = rules.find(f.rule);
      if (it != rules.end() && it->second.severity) f.severity = *it->second.severity;
    }
  }

  static void count(Analysis& a) {
    a.coverage = Coverage{};
    for (const auto& s : a.statements) {
      ++a.coverage.statements;
      switch (s.status) {
        case StatementStatus::Analysed: ++a.coverage.analysed; break;
        case StatementStatus::Unanalysable: ++a.coverage.unanalysable; break;
        case StatementStatus::ParseError: ++a.coverage.parse_errors; break;
        case StatementStatus::PsqlMeta: ++a.coverage.psql_meta; break;
      }
    }
  }

  struct TxState {
    bool in_transaction = false;
    bool implicit = false;
    std::optional<std::size_t> begin_statement;
    HeldLocks held;
  };
  static inline const StatementFacts kNoFacts{};

  DocumentAnalysis& doc_;
  std::string_view text_;
  const Options& options_;
  StatementCache* cache_ = nullptr;
  SplitResult split_;
  bool implicit_ = false;
  // The edit, in incremental runs.
  std::size_t edit_begin_ = 0, old_edit_end_ = 0, new_edit_end_ = 0;
  std::ptrdiff_t delta_ = 0;
  // This run: its statements start at `first_statement_`; history entries before `bound_`
  // precede it, `local_` holds its own (numbered by position in the run).
  std::size_t first_statement_ = 0;
  std::uint64_t bound_ = 0;
  std::vector<Statement> region_;
  std::vector<Meta> region_meta_;
  std::vector<Finding> findings_;
  std::vector<std::uint8_t> ranks_;  // parallel: the rank of the pass that found each
  std::vector<Finding> scratch_;
  History local_;
  std::vector<std::pair<std::string, std::string>> current_history_;
  std::size_t current_piece_ = 0;
  TxState tx_;
  std::vector<HeldLocks> savepoints_;
  PolicyState policy_;
  PieceResult local_result_;  // the current piece's result when there is no cache
  const ParallelFor* parallel_ = nullptr;
  // The current batch's results by piece from precomputed_begin_, when there is no cache
  // (empty: not computed).
  std::vector<PieceResult> precomputed_;
  std::size_t precomputed_begin_ = 0;
};

MigrationFacts prepare_analysis(std::string_view text, const Options& options, StatementCache& cache,
                                const ParallelFor* parallel) {
  DocumentAnalysis doc;
  return Analyzer(doc, text, options, &cache, parallel).prepare();
}

Analysis analyze(std::string_view text, const Options& options, StatementCache* cache, const ParallelFor* parallel) {
  DocumentAnalysis doc;
  Analyzer(doc, text, options, cache, parallel).run_full();
  return std::move(*doc.analysis_);
}

std::shared_ptr<const Analysis> DocumentAnalysis::update(std::string_view text, const Options& options,
                                                         const ParallelFor* parallel) {
  // An incremental run parses a few statements: the cache is for whole-file runs.
  if (!Analyzer(*this, text, options, nullptr).run_incremental())
    Analyzer(*this, text, options, &cache_, parallel).run_full(true);
  return analysis_;
}

std::vector<LockFact> locks_held_before(const Analysis& analysis, std::size_t index) {
  if (index >= analysis.statements.size() || !analysis.statements[index].tx.in_transaction) return {};
  // An explicit transaction holds nothing before its BEGIN; a tool's wrapping can (the whole
  // file is its transaction), so that one is replayed from the start.
  const TxContext& tx = analysis.statements[index].tx;
  const std::size_t from = !tx.implicit && tx.begin_statement ? *tx.begin_statement : 0;
  HeldLocks held;
  std::vector<HeldLocks> savepoints;
  for (std::size_t i = from; i < index; ++i) {
    const Statement& s = analysis.statements[i];
    switch (s.tx_control) {
      case TxControl::Commit:
      case TxControl::Rollback: held = HeldLocks{}; savepoints.clear(); break;
      case TxControl::Savepoint: savepoints.push_back(held); break;
      case TxControl::Release: if (!savepoints.empty()) savepoints.pop_back(); break;
      case TxControl::RollbackTo: if (!savepoints.empty()) held = savepoints.back(); break;
      case TxControl::Begin: break;
      case TxControl::None:
        if (s.tx.in_transaction)
          for (const LockFact& l : s.locks) held.add(l);
        break;
    }
  }
  return held.all();
}

}  // namespace lockward::analysis
