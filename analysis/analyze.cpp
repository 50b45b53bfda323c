#include "analysis/analyze.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/file_state.h"
#include "analysis/statement_cache.h"
#include "analysis/rules/registry.h"
#include "analysis/syntax/parser.h"

namespace lockward::analysis {
namespace {

// Tracks which objects the file created, so locks on them can be called harmless.
class CreatedObjects {
 public:
  void add(const ObjectName& name) { keys_.insert(name.key()); names_.insert(name.name); }
  bool contains(const ObjectName& name) const {
    // An unqualified reference matches an object created with or without a schema.
    return keys_.contains(name.key()) || (name.schema.empty() && names_.contains(name.name));
  }

 private:
  std::set<std::string> keys_;
  std::set<std::string> names_;
};

// Strongest lock per object, merged into `locks` (small vectors: one statement's locks).
void merge_lock(std::vector<LockFact>& locks, const LockFact& lock) {
  for (auto& l : locks) {
    if (l.object == lock.object && l.kind == lock.kind) {
      if (lock.mode > l.mode) {
        l.mode = lock.mode;
        l.role = lock.role;
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

}  // namespace

class Analyzer {
 public:
  Analyzer(std::string_view text, const Options& options, StatementCache* cache)
      : file_{text, options, split_statements(text), {}, {}, false}, cache_(cache) {}

  Analysis run() {
    std::optional<bool> directive = file_transaction_directive(file_.text, file_.split);
    bool tool_wraps = file_.options.assume_in_transaction.value_or(tool_wraps_in_transaction(file_.options.migration_tool));
    file_.implicit_transaction = directive.value_or(tool_wraps);

    if (cache_) {
      std::string key = std::to_string(file_.options.pg_version) + "/" +
                        std::to_string(reinterpret_cast<std::uintptr_t>(file_.options.snapshot));
      if (key != cache_->options_key_) {
        cache_->entries_.clear();
        cache_->options_key_ = key;
      }
      ++cache_->generation_;
      cache_->hits_ = 0;
    }
    tx_.in_transaction = file_.implicit_transaction;
    tx_.implicit = file_.implicit_transaction;

    for (current_piece_ = 0; current_piece_ < file_.split.pieces.size(); ++current_piece_) {
      add_piece(file_.split.pieces[current_piece_]);
    }

    if (cache_) {
      std::erase_if(cache_->entries_, [g = cache_->generation_](const auto& e) { return e.second.generation != g; });
    }
    std::vector<Finding> findings = std::move(early_findings_);
    check_locks(file_, findings);
    check_policies(file_, findings);
    check_advice(file_, findings);
    apply_ignores(findings);
    apply_settings(findings);
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
      return a.range.begin < b.range.begin;
    });

    Analysis out;
    out.pg_version = file_.options.pg_version;
    out.findings = std::move(findings);
    for (const auto& s : file_.statements) {
      ++out.coverage.statements;
      switch (s.status) {
        case StatementStatus::Analysed: ++out.coverage.analysed; break;
        case StatementStatus::Unanalysable: ++out.coverage.unanalysable; break;
        case StatementStatus::ParseError: ++out.coverage.parse_errors; break;
        case StatementStatus::PsqlMeta: ++out.coverage.psql_meta; break;
      }
    }
    out.statements = std::move(file_.statements);
    return out;
  }

 private:
  void add_piece(const Piece& piece) {
    TextRange with_comments = piece.code;
    for (const Comment& c : piece.comments) with_comments.begin = std::min(with_comments.begin, c.range.begin);

    if (piece.kind == PieceKind::PsqlMeta) {
      Statement& s = push_statement(piece, with_comments);
      s.status = StatementStatus::PsqlMeta;
      s.summary = first_line(piece.code.slice(file_.text), 40);
      early_findings_.push_back(note(s, rule::kPsqlMeta,
                                     "psql meta-command `" + s.summary + "` is skipped: lockward analyses SQL only"));
      return;
    }

    const PieceResult& result = piece_result(piece);
    if (result.error || result.nodes.empty()) {
      Statement& s = push_statement(piece, with_comments);
      s.status = StatementStatus::ParseError;
      s.summary = first_line(piece.code.slice(file_.text), 40);
      Finding f;
      f.rule = rule::kSyntaxError;
      f.risk = Risk::High;
      f.severity = Severity::Error;
      f.statement = s.index;
      std::size_t at = piece.code.begin + (result.error ? result.error->offset : 0);
      at = std::min(at, piece.code.end);
      std::size_t end = at;
      while (end < piece.code.end && !std::isspace(static_cast<unsigned char>(file_.text[end]))) ++end;
      f.range = TextRange{at, std::max(end, std::min(at + 1, piece.code.end))};
      f.message = result.error ? result.error->message : "the statement is empty";
      f.help = "Fix the syntax; the other statements are still analysed (PostgreSQL 15 grammar).";
      early_findings_.push_back(std::move(f));
      return;
    }

    for (const PieceResult::Node& node : result.nodes) {
      StatementFacts facts = node.context_dependent ? classify_node(*node.tree, piece.code.slice(file_.text), node.code).first
                                                    : node.facts;
      shift_ranges(facts, piece.code.begin);
      TextRange code{piece.code.begin + node.code.begin, piece.code.begin + node.code.end};
      add_parsed(piece, with_comments, code, node.type, std::move(facts));
    }
  }

  // Parses and classifies a piece in piece-relative coordinates.
  PieceResult compute_piece(std::string_view piece_text) {
    PieceResult r;
    ParseOutcome parsed = parse_statement(piece_text);
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
      auto [facts, context_dependent] = classify_node(node, piece_text, n.code);
      n.facts = std::move(facts);
      n.context_dependent = context_dependent;
      if (context_dependent) n.tree = std::move(node);
      r.nodes.push_back(std::move(n));
    }
    return r;
  }

  // Classifies with the file's context so far; reports whether that context was consulted.
  std::pair<StatementFacts, bool> classify_node(const ParsedNode& node, std::string_view piece_text, TextRange code) {
    bool consulted = false;
    ClassifyContext ctx;
    ctx.pg_version = file_.options.pg_version;
    ctx.snapshot = file_.options.snapshot;
    ctx.has_not_null_check = [this, &consulted](const ObjectName& table, std::string_view column) {
      consulted = true;
      return validated_not_null_.contains({table.key(), std::string(column)}) ||
             snapshot_has_not_null_check(file_.options.snapshot, table, column);
    };
    StatementFacts facts = classify(node, piece_text, 0, code, ctx);
    return {std::move(facts), consulted};
  }

  const PieceResult& piece_result(const Piece& piece) {
    std::string_view piece_text = piece.code.slice(file_.text);
    if (!cache_) {
      local_result_ = compute_piece(piece_text);
      return local_result_;
    }
    auto it = cache_->entries_.find(std::string(piece_text));
    if (it != cache_->entries_.end()) {
      ++cache_->hits_;
    } else {
      it = cache_->entries_.emplace(std::string(piece_text), StatementCache::Entry{compute_piece(piece_text), 0}).first;
    }
    it->second.generation = cache_->generation_;
    return it->second.result;
  }

  Statement& push_statement(const Piece& piece, TextRange with_comments) {
    Statement s;
    s.index = file_.statements.size();
    s.code = piece.code;
    s.with_comments = with_comments;
    s.terminated = piece.terminated;
    s.tx = tx_snapshot();
    file_.statements.push_back(std::move(s));
    file_.facts.emplace_back();
    piece_of_.push_back(current_piece_);
    return file_.statements.back();
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
    Statement s;
    s.index = file_.statements.size();
    s.code = code;
    s.with_comments = with_comments;
    s.terminated = piece.terminated;
    s.node = node_type;
    s.summary = facts.summary;
    s.tx_control = facts.tx_control;
    s.status = facts.unanalysable ? StatementStatus::Unanalysable : StatementStatus::Analysed;
    s.tx = tx_snapshot();
    if (facts.tx_control != TxControl::None) s.tx = TxContext{s.tx.in_transaction, s.tx.implicit, s.tx.begin_statement};

    for (Effect& e : facts.effects) {
      for (LockFact& l : e.locks) l.new_object = created_.contains(l.object);
      if (!e.row) continue;
      if (e.row->rewrite > s.rewrite) s.rewrite = e.row->rewrite;
      s.scans = s.scans || e.row->scans;
      bool all_new = !e.locks.empty() &&
                     std::all_of(e.locks.begin(), e.locks.end(), [](const LockFact& l) { return l.new_object; });
      if (!all_new && e.row->risk > s.risk) s.risk = e.row->risk;
      for (const LockFact& l : e.locks) merge_lock(s.locks, l);
    }
    s.effects = std::move(facts.effects);  // the statement owns them; facts keep the rest

    if (facts.unanalysable) {
      Finding f = note(s, rule::kUnanalysable,
                       facts.summary + ": " + facts.unanalysable_reason + "; lockward cannot predict its locks");
      f.help = "Review it by hand, or trace the migration to see what it really locks.";
      early_findings_.push_back(std::move(f));
    }

    for (const CreatedObject& c : facts.creates) created_.add(c.name);
    for (const AddedConstraint& c : facts.constraints_added) {
      if (!c.not_null_column.empty() && !c.not_valid) validated_not_null_.insert({c.table.key(), c.not_null_column});
      if (!c.not_null_column.empty()) pending_not_null_[{c.table.key(), c.name}] = c.not_null_column;
    }
    for (const auto& [table, name] : facts.constraints_validated) {
      auto it = pending_not_null_.find({table.key(), name});
      if (it != pending_not_null_.end()) validated_not_null_.insert({table.key(), it->second});
    }

    std::size_t index = s.index;
    file_.statements.push_back(std::move(s));
    file_.facts.push_back(std::move(facts));
    piece_of_.push_back(current_piece_);
    advance_transaction(file_.statements[index]);
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

  void apply_ignores(std::vector<Finding>& findings) {
    std::vector<IgnoreDirective> directives;
    for (const Comment& c : file_.split.file_comments) {
      if (auto d = parse_ignore(file_.text, c)) directives.push_back(std::move(*d));
    }
    if (directives.empty()) return;
    // A statement-level directive belongs to the statement whose piece holds the comment.
    for (auto& d : directives) {
      if (d.file_level) continue;
      for (const Statement& st : file_.statements) {
        for (const Comment& c : file_.split.pieces[piece_of_[st.index]].comments) {
          if (c.range == d.range && !d.piece) d.piece = st.index;
        }
      }
    }
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
          f.message = "unknown rule `" + directives[i].rules[k] + "` in lockward-ignore; run `lockward rules` for the list";
          f.help = "Correct the rule id; write a reason after `--`.";
          meta.push_back(std::move(f));
          used[i] = true;  // reported already; do not also call it unused
        }
      }
    }
    std::vector<bool> used_for_match(directives.size(), false);
    std::erase_if(findings, [&](const Finding& f) {
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
    for (auto& f : meta) findings.push_back(std::move(f));
  }

  void apply_settings(std::vector<Finding>& findings) const {
    const auto& rules = file_.options.rules;
    if (rules.empty()) return;
    std::erase_if(findings, [&](const Finding& f) {
      auto it = rules.find(f.rule);
      return it != rules.end() && !it->second.enabled;
    });
    for (auto& f : findings) {
      auto it = rules.find(f.rule);
      if (it != rules.end() && it->second.severity) f.severity = *it->second.severity;
    }
  }

  struct TxState {
    bool in_transaction = false;
    bool implicit = false;
    std::optional<std::size_t> begin_statement;
    HeldLocks held;
  };

  FileState file_;
  TxState tx_;
  std::vector<HeldLocks> savepoints_;
  CreatedObjects created_;
  std::set<std::pair<std::string, std::string>> validated_not_null_;        // (table key, column)
  std::map<std::pair<std::string, std::string>, std::string> pending_not_null_;  // (table, constraint) → column
  std::vector<Finding> early_findings_;
  std::size_t current_piece_ = 0;
  std::vector<std::size_t> piece_of_;  // statement index → piece index
  StatementCache* cache_ = nullptr;
  PieceResult local_result_;  // the current piece's result when there is no cache
};

Analysis analyze(std::string_view text, const Options& options, StatementCache* cache) {
  return Analyzer(text, options, cache).run();
}

std::vector<LockFact> locks_held_before(const Analysis& analysis, std::size_t index) {
  if (index >= analysis.statements.size() || !analysis.statements[index].tx.in_transaction) return {};
  HeldLocks held;
  std::vector<HeldLocks> savepoints;
  for (std::size_t i = 0; i < index; ++i) {
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
