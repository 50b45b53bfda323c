#include "trace/tracer.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include "trace/trace_role.h"

namespace lockward::trace {
namespace {

using Clock = std::chrono::steady_clock;

bool must_run_outside_transaction(const analysis::Statement& s) {
  return std::any_of(s.effects.begin(), s.effects.end(),
                     [](const analysis::Effect& e) { return e.row && e.row->no_transaction; });
}

// PostgreSQL reports error positions in characters; the file is UTF-8 bytes.
std::size_t byte_offset_of_character(std::string_view text, int character_1based) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (++chars == static_cast<std::size_t>(character_1based)) return i;
    }
  }
  return text.size();
}

// The locks in `after` that are not in `before` (a new object, or a new mode on it).
std::vector<ObservedLock> new_locks(const std::vector<ObservedLock>& before, const std::vector<ObservedLock>& after) {
  std::vector<ObservedLock> out;
  for (const auto& l : after) {
    bool seen = std::any_of(before.begin(), before.end(),
                            [&](const ObservedLock& b) { return b.oid == l.oid && b.mode == l.mode && b.kind == l.kind; });
    if (!seen) out.push_back(l);
  }
  return out;
}

class FileTracer {
 public:
  FileTracer(PgConnection& session, PgConnection& observer, std::string_view text, const analysis::Analysis& a,
             const TraceOptions& options)
      : session_(session), observer_(observer), text_(text), analysis_(a), options_(options) {}

  FileTrace run() {
    QueryResult setup = session_.exec("SET lock_timeout = '" + options_.lock_timeout + "'; SET statement_timeout = '" +
                                      options_.statement_timeout + "'");
    if (!setup.ok()) {
      out_.fatal_error = "cannot configure the traced session: " + setup.error->message;
      return std::move(out_);
    }
    std::string err;
    catalog_ = read_catalog(session_, err);
    if (!err.empty()) {
      out_.fatal_error = "cannot read the catalog of the trace database: " + err;
      return std::move(out_);
    }
    bool failed = false;
    for (const analysis::Statement& s : analysis_.statements) {
      StatementTrace t;
      t.statement = s.index;
      if (options_.progress) options_.progress(s.index, analysis_.statements.size());
      if (!failed && options_.cancelled && options_.cancelled()) {
        failed = true;
        out_.cancelled = true;
      }
      if ((failed && !options_.continue_on_error) || out_.cancelled) {
        out_.statements.push_back(std::move(t));
        continue;
      }
      if (s.status == analysis::StatementStatus::ParseError || s.status == analysis::StatementStatus::PsqlMeta) {
        out_.statements.push_back(std::move(t));
        continue;
      }
      session_.take_notices();  // from earlier work on this session (replay, setup)
      run_statement(s, t);
      for (std::string& notice : session_.take_notices()) t.changes.push_back(std::move(notice));
      if (t.error || out_.cancelled) failed = true;
      if (!out_.cancelled && server_lost(s, t)) return std::move(out_);
      out_.statements.push_back(std::move(t));
    }
    if (in_transaction_) {
      session_.exec(failed ? "ROLLBACK" : "COMMIT");
      close_transaction(nullptr);
    }
    if (session_.in_transaction()) session_.exec("ROLLBACK");  // the file left one open
    session_.exec("RESET ALL");
    return std::move(out_);
  }

 private:
  // A server that died (or a connection that broke) mid-file leaves no result: what the
  // catalog would say afterwards is an empty database, not the migration's doing.
  bool server_lost(const analysis::Statement& s, const StatementTrace& t) {
    if (session_.connected() && observer_.connected()) return false;
    std::string why = t.error ? t.error->message : session_.connected() ? "the observer's connection broke" : "";
    if (std::size_t eol = why.find('\n'); eol != std::string::npos) why.resize(eol);
    std::size_t line = 1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + s.code.begin, '\n'));
    out_.fatal_error = "the PostgreSQL server went away during statement " + std::to_string(s.index + 1) + " (line " +
                       std::to_string(line) + ")" + (why.empty() ? "" : ": " + why) + "; the trace is incomplete";
    return true;
  }

  // A statement cancelled while it ran: not executed, and not a failure of the migration.
  bool cancelled_while_running(const QueryResult& r) {
    if (r.ok() || r.error->sqlstate != "57014" || !options_.cancelled || !options_.cancelled()) return false;
    out_.cancelled = true;
    return true;
  }

  std::string explain(const QueryError& e) const { return options_.identity ? options_.identity->explain(e) : e.message; }

  void begin() {
    session_.exec("BEGIN");
    in_transaction_ = true;
    created_in_transaction_.clear();
    held_ = {};
  }

  void run_statement(const analysis::Statement& s, StatementTrace& t) {
    std::string sql(s.code.slice(text_));
    // Statements in the file's own transaction structure run as written.
    if (s.tx_control != analysis::TxControl::None) {
      if (s.tx_control == analysis::TxControl::Begin && in_transaction_) {
        t.executed = true;  // the tool's transaction is already open: PostgreSQL would only warn
        return;
      }
      execute(sql, t, s);
      if (s.tx_control == analysis::TxControl::Begin) {
        in_transaction_ = !t.error;
        created_in_transaction_.clear();
        held_ = {};
      } else if (s.tx_control == analysis::TxControl::Commit || s.tx_control == analysis::TxControl::Rollback) {
        in_transaction_ = false;
        close_transaction(&t);
      }
      return;
    }
    note_absent_relations(s, t);
    if (must_run_outside_transaction(s) && !s.tx.in_transaction) {
      if (in_transaction_) {  // only possible when the tool's wrapping was assumed; PostgreSQL would refuse
        session_.exec("COMMIT");
        in_transaction_ = false;
        close_transaction(&t);
      }
      run_autocommit(sql, s, t);
      return;
    }
    bool own_wrapper = false;
    if (!in_transaction_) {
      begin();
      own_wrapper = !s.tx.in_transaction;  // autocommit statement: one transaction of its own
    }
    auto started = Clock::now();
    std::vector<ObservedLock> during;
    if (!execute_held(sql, t, s, during)) execute(sql, t, s);
    members_.emplace_back(s.index, started);
    if (!t.error && !out_.cancelled) {
      observe_in_transaction(t);
      add_released_locks(t, during);
    }
    if (own_wrapper || t.error || out_.cancelled) {
      session_.exec(t.error || out_.cancelled ? "ROLLBACK" : "COMMIT");
      in_transaction_ = false;
      close_transaction(&t);
    }
    refresh_catalog(t);
  }

  // The transaction ended now: every statement in it held its locks until here. `current`
  // is the statement being traced (not yet in out_.statements).
  void close_transaction(StatementTrace* current) {
    auto now = Clock::now();
    for (auto [index, started] : members_) {
      double held = std::chrono::duration<double, std::milli>(now - started).count();
      if (current && current->statement == index) current->held_ms = held;
      else if (index < out_.statements.size()) out_.statements[index].held_ms = held;
    }
    members_.clear();
  }

  void execute(const std::string& sql, StatementTrace& t, const analysis::Statement& s) {
    auto start = Clock::now();
    QueryResult r = session_.exec_cancellable(sql, options_.cancelled);
    t.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    record_result(r, sql, t, s);
  }

  void record_result(QueryResult& r, const std::string& sql, StatementTrace& t, const analysis::Statement& s) {
    if (cancelled_while_running(r)) return;
    t.executed = true;
    if (!r.ok()) {
      t.error = r.error;
      t.error->message = explain(*r.error);
      std::size_t at = r.error->position ? s.code.begin + byte_offset_of_character(sql, *r.error->position) : s.code.begin;
      std::size_t end = at;
      while (end < s.code.end && !std::isspace(static_cast<unsigned char>(text_[end]))) ++end;
      t.error_range = analysis::TextRange{at, std::max(end, at + 1 <= s.code.end ? at + 1 : at)};
    }
  }

  void observe_in_transaction(StatementTrace& t) {
    std::string err;
    std::vector<ObservedLock> now = read_locks(session_, session_.backend_pid(), err, &catalog_);
    std::vector<ObservedLock> fresh = new_locks(held_, now);
    t.held_before = held_;
    held_ = now;
    CatalogSnapshot after = read_catalog(session_, err);
    if (!err.empty()) return;  // an unreadable catalog is not an empty one
    CatalogChanges changes = diff_catalog(catalog_, after);
    created_in_transaction_.insert(changes.created.begin(), changes.created.end());
    for (auto& l : fresh) {
      if (l.kind != analysis::ObjectKind::Type && created_in_transaction_.contains(l.oid)) continue;
      l.created_in_file = created_in_file_.contains(l.oid);
      t.locks.push_back(std::move(l));
    }
    created_in_file_.insert(changes.created.begin(), changes.created.end());
    t.rewritten = changes.rewritten;
    t.rewritten_indexes = changes.rewritten_indexes;
    t.dropped.insert(changes.dropped.begin(), changes.dropped.end());
    t.changes = changes.notes;
    t.method = ObservationMethod::InTransaction;
    catalog_ = std::move(after);
  }

  // The session's search_path as schema names, in order ({pg_temp_3,pg_catalog,public}).
  std::vector<std::string> search_path() {
    std::vector<std::string> out;
    QueryResult r = session_.exec("SELECT pg_catalog.unnest(pg_catalog.current_schemas(true))");
    if (!r.ok()) return out;
    for (std::size_t i = 0; i < r.rows.size(); ++i) out.push_back(r.value(i, 0));
    return out;
  }

  std::uint32_t resolve(const analysis::ObjectName& name, const std::vector<std::string>& path) const {
    auto find_in = [&](const std::string& schema) -> std::uint32_t {
      for (const auto& [oid, rel] : catalog_.relations) {
        if (rel.name.name == name.name && rel.name.schema == schema) return oid;
      }
      return 0;
    };
    if (!name.schema.empty()) return find_in(name.schema);
    for (const std::string& schema : path) {
      if (std::uint32_t oid = find_in(schema)) return oid;
    }
    return 0;
  }

  void note_absent_relations(const analysis::Statement& s, StatementTrace& t) {
    using K = analysis::ObjectKind;
    t.predicted_oids.assign(s.locks.size(), 0);
    const std::vector<std::string> path = s.locks.empty() ? std::vector<std::string>{} : search_path();
    for (std::size_t i = 0; i < s.locks.size(); ++i) {
      const analysis::LockFact& l = s.locks[i];
      if (l.kind == K::Type || l.kind == K::Schema || l.kind == K::Database || l.kind == K::Other) continue;
      t.predicted_oids[i] = resolve(l.object, path);
      bool exists = std::any_of(catalog_.relations.begin(), catalog_.relations.end(), [&](const auto& entry) {
        const analysis::ObjectName& n = entry.second.name;
        return n.name == l.object.name && (l.object.schema.empty() || n.schema == l.object.schema);
      });
      if (!exists) t.absent_before.push_back(l.object);
      bool created_here = std::any_of(created_in_transaction_.begin(), created_in_transaction_.end(), [&](std::uint32_t oid) {
        auto it = catalog_.relations.find(oid);
        return it != catalog_.relations.end() && it->second.name.name == l.object.name &&
               (l.object.schema.empty() || it->second.name.schema == l.object.schema);
      });
      if (created_here) t.created_in_transaction.push_back(l.object);
    }
  }

  // A statement predicted to release a lock when it ends (COPY … TO on PostgreSQL 12) leaves
  // nothing to see afterwards. The observer holds the weakest conflicting lock on the table
  // so the statement stops at its lock request, visible in pg_locks, and then lets it go.
  // Returns false, having run nothing, when there is nothing to hold or it cannot be held
  // (the traced transaction already locks the table: the observer gives up after 100 ms).
  bool execute_held(const std::string& sql, StatementTrace& t, const analysis::Statement& s,
                    std::vector<ObservedLock>& during) {
    const analysis::LockFact* target = nullptr;
    for (const auto& l : s.locks) {
      // Objects created earlier in the file count too: committed, the observer can lock them;
      // created in the open transaction, it cannot, and the hold below gives up.
      if (l.until_statement_end && l.kind == analysis::ObjectKind::Table) target = &l;
    }
    if (!target) return false;
    if (!observer_.exec("BEGIN").ok()) return false;
    bool holding = observer_.exec("SET LOCAL lock_timeout = '100ms'").ok() &&
                   observer_.exec("LOCK TABLE " + target->object.sql() + " IN " +
                                  std::string(analysis::lock_mode_name(weakest_conflicting(target->mode))) + " MODE")
                       .ok();
    if (!holding) {
      observer_.exec("ROLLBACK");
      return false;
    }
    int pid = session_.backend_pid();
    auto start = Clock::now();
    if (!session_.send(sql)) {
      observer_.exec("ROLLBACK");
      t.executed = true;
      t.error = QueryError{session_.error(), "", std::nullopt};
      return true;
    }
    std::string err;
    for (int i = 0; i < 30000 && session_.busy(); ++i) {
      if (options_.cancelled && options_.cancelled()) break;
      std::vector<ObservedLock> now = read_locks(observer_, pid, err, &catalog_);
      bool waiting = false;
      for (auto& l : now) {
        if (l.granted) continue;
        waiting = true;
        l.granted = true;  // granted as soon as the observer lets go
        during.push_back(std::move(l));
      }
      if (waiting) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    observer_.exec("COMMIT");
    if (options_.cancelled && options_.cancelled()) session_.cancel();
    QueryResult r = session_.finish();
    t.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    record_result(r, sql, t, s);
    return true;
  }

  // Locks seen while the statement waited that its transaction no longer holds.
  void add_released_locks(StatementTrace& t, const std::vector<ObservedLock>& during) {
    for (ObservedLock l : during) {
      bool held = std::any_of(held_.begin(), held_.end(), [&](const ObservedLock& h) {
        return h.oid == l.oid && h.kind == l.kind && h.mode >= l.mode;
      });
      if (held || created_in_transaction_.contains(l.oid)) continue;
      l.until_statement_end = true;
      l.created_in_file = created_in_file_.contains(l.oid);
      t.locks.push_back(std::move(l));
    }
  }

  static analysis::LockMode weakest_conflicting(analysis::LockMode mode) {
    for (int m = 0; m < analysis::kLockModeCount; ++m) {
      auto candidate = static_cast<analysis::LockMode>(m);
      if (analysis::conflicts(candidate, mode)) return candidate;
    }
    return analysis::LockMode::AccessExclusive;
  }

  void refresh_catalog(StatementTrace& t) {
    if (t.method != ObservationMethod::None) return;
    std::string err;
    CatalogSnapshot after = read_catalog(session_, err);
    if (!err.empty()) return;  // an unreadable catalog is not an empty one
    CatalogChanges changes = diff_catalog(catalog_, after);
    t.rewritten = changes.rewritten;
    t.rewritten_indexes = changes.rewritten_indexes;
    t.dropped.insert(changes.dropped.begin(), changes.dropped.end());
    t.changes = changes.notes;
    created_in_file_.insert(changes.created.begin(), changes.created.end());
    catalog_ = std::move(after);
  }

  // What the observer holds so that a statement refusing transaction blocks stops where its
  // locks are visible. The CONCURRENTLY forms take their locks, then wait for every
  // transaction holding any lock on the table: ROW EXCLUSIVE stops them there. Any other
  // statement is stopped at its lock request by the weakest mode that conflicts with the
  // predicted one (SHARE UPDATE EXCLUSIVE for VACUUM); a wrong prediction shows up either way,
  // as a stronger request or as a lock never seen. An index-only prediction (DROP INDEX
  // CONCURRENTLY without a schema snapshot) holds the index's table, found in the catalog.
  struct Hold {
    std::string relation;  // SQL name
    analysis::LockMode mode = analysis::LockMode::RowExclusive;
  };
  std::optional<Hold> choose_hold(const analysis::Statement& s) {
    bool waits_for_lockers = std::any_of(s.effects.begin(), s.effects.end(),
                                         [](const analysis::Effect& e) { return e.row && e.row->waits_for_lockers; });
    const analysis::LockFact* target = nullptr;
    for (const auto& l : s.locks) {
      if (!l.new_object && l.kind == analysis::ObjectKind::Table && (!target || l.mode > target->mode)) target = &l;
    }
    Hold hold;
    if (target) {
      hold.relation = target->object.sql();
    } else {
      for (const auto& l : s.locks) {
        if (l.new_object || l.kind != analysis::ObjectKind::Index) continue;
        // Qualified names only: the observer's search_path is the database's (catalog_sql.h).
        QueryResult table = observer_.exec(
            "SELECT i.indrelid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_index i "
            "WHERE i.indexrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(" +
            observer_.quote_literal(l.object.sql()) + ")");
        if (table.ok() && !table.rows.empty() && !table.value(0, 0).empty()) {
          hold.relation = table.value(0, 0);
          target = &l;
          break;
        }
      }
      if (!target) return std::nullopt;
    }
    if (!waits_for_lockers) hold.mode = weakest_conflicting(target->mode);
    return hold;
  }

  void run_autocommit(const std::string& sql, const analysis::Statement& s, StatementTrace& t) {
    bool holding = false;
    if (std::optional<Hold> hold = choose_hold(s)) {
      observer_.exec("BEGIN");
      QueryResult held = observer_.exec("LOCK TABLE " + hold->relation + " IN " +
                                        std::string(analysis::lock_mode_name(hold->mode)) + " MODE");
      holding = held.ok();
      if (!holding) observer_.exec("ROLLBACK");
    }
    std::string err;
    CatalogSnapshot before = catalog_;
    int pid = session_.backend_pid();
    auto start = Clock::now();
    if (!session_.send(sql)) {
      t.error = QueryError{session_.error(), "", std::nullopt};
      if (holding) observer_.exec("ROLLBACK");
      return;
    }
    std::vector<ObservedLock> seen;
    auto record = [&](const std::vector<ObservedLock>& locks) {
      for (const auto& l : locks) {
        if (std::none_of(seen.begin(), seen.end(), [&](const ObservedLock& x) { return x.oid == l.oid && x.mode == l.mode; }))
          seen.push_back(l);
      }
    };
    t.method = ObservationMethod::ObserverPoll;
    // Wait (up to the statement timeout) until the target blocks on us, then read its locks.
    // The session's own connection says when it has finished: no race with a statement that
    // has not reached the server yet.
    bool cancel_sent = false;
    for (int i = 0; i < 30000 && session_.busy(); ++i) {
      if (!cancel_sent && options_.cancelled && options_.cancelled()) {
        session_.cancel();
        cancel_sent = true;
        continue;
      }
      if (cancel_sent) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      QueryResult waiting = observer_.exec("SELECT pg_catalog.count(*) FROM pg_catalog.pg_locks "
                                           "WHERE pid OPERATOR(pg_catalog.=) " + std::to_string(pid) + " AND NOT granted");
      record(read_locks(observer_, pid, err, &before));
      if (holding && waiting.value(0, 0) != "0") {
        t.method = ObservationMethod::ObserverWait;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (holding) observer_.exec("COMMIT");
    QueryResult r = session_.finish();
    t.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (cancelled_while_running(r)) {
      t.method = ObservationMethod::None;
      return;
    }
    t.held_ms = t.duration_ms;  // autocommit: held while it ran
    t.executed = true;
    if (!r.ok()) {
      t.error = r.error;
      t.error->message = explain(*r.error);
      t.error_range = s.code;
    }
    err.clear();
    CatalogSnapshot after = read_catalog(session_, err);
    if (!err.empty()) return;  // an unreadable catalog is not an empty one
    CatalogChanges changes = diff_catalog(before, after);
    for (auto& l : seen) {
      if (l.kind != analysis::ObjectKind::Type && changes.created.contains(l.oid)) continue;
      l.created_in_file = created_in_file_.contains(l.oid);
      t.locks.push_back(l);
    }
    created_in_file_.insert(changes.created.begin(), changes.created.end());
    t.rewritten = changes.rewritten;
    t.rewritten_indexes = changes.rewritten_indexes;
    t.dropped.insert(changes.dropped.begin(), changes.dropped.end());
    t.changes = changes.notes;
    catalog_ = std::move(after);
  }

  PgConnection& session_;
  PgConnection& observer_;
  std::string_view text_;
  const analysis::Analysis& analysis_;
  const TraceOptions& options_;
  FileTrace out_;
  bool in_transaction_ = false;
  std::set<std::uint32_t> created_in_transaction_;
  std::set<std::uint32_t> created_in_file_;
  std::vector<ObservedLock> held_;
  std::vector<std::pair<std::size_t, Clock::time_point>> members_;  // statements of the open transaction
  CatalogSnapshot catalog_;
};

}  // namespace

std::string_view observation_method_name(ObservationMethod method) {
  switch (method) {
    case ObservationMethod::InTransaction: return "in-transaction";
    case ObservationMethod::ObserverWait: return "observer-wait";
    case ObservationMethod::ObserverPoll: return "observer-poll";
    case ObservationMethod::None: return "none";
  }
  return "none";
}

FileTrace trace_file(PgConnection& session, PgConnection& observer, std::string_view text,
                     const analysis::Analysis& analysis, const TraceOptions& options) {
  return FileTracer(session, observer, text, analysis, options).run();
}

}  // namespace lockward::trace
