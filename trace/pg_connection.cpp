#include "trace/pg_connection.h"

#include <utility>

#include <libpq-fe.h>
#include <poll.h>

#include "trace/connection_secrets.h"

namespace lockward::trace {

std::string PgConnection::scrub(std::string text) const { return scrub_credentials(std::move(text), secrets_); }

std::string QueryResult::value(std::size_t row, std::size_t column) const {
  if (row >= rows.size() || column >= rows[row].size() || !rows[row][column]) return {};
  return *rows[row][column];
}

PgConnection::PgConnection(const std::string& conninfo) : PgConnection(conninfo, {}) {}

PgConnection::PgConnection(const std::string& conninfo, const std::vector<std::pair<std::string, std::string>>& overrides) {
  secrets_ = connection_secrets(conninfo);
  // Parsed here, so that a string libpq cannot read fails with a scrubbed message, and
  // libpq connects with exactly what was read (no second parse of the string).
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (!parsed) {
    error_ = "invalid connection string: " + scrub(parse_error ? parse_error : "out of memory");
    if (parse_error) PQfreemem(parse_error);
    while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
    return;
  }
  std::vector<std::pair<std::string, std::string>> options;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (!o->val) continue;
    options.emplace_back(o->keyword, o->val);
    if (options.back().first == "password" && options.back().second.size() >= kMinSecretLength)
      secrets_.push_back(options.back().second);
  }
  PQconninfoFree(parsed);
  for (const auto& replacement : overrides) {
    std::erase_if(options, [&](const auto& o) { return o.first == replacement.first; });
    options.push_back(replacement);
  }
  std::vector<const char*> keywords, values;
  for (const auto& [keyword, value] : options) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keywords.data(), values.data(), 0);
  PQsetNoticeProcessor(
      conn_,
      [](void* self, const char* message) {
        std::string text = message;
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        auto* conn = static_cast<PgConnection*>(self);
        if (conn->notices_.size() < 100) conn->notices_.push_back(conn->scrub(std::move(text)));
      },
      this);
  if (PQstatus(conn_) != CONNECTION_OK) {
    error_ = scrub(PQerrorMessage(conn_));
    while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
  }
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

bool PgConnection::connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::in_transaction() const {
  if (!conn_) return false;
  PGTransactionStatusType st = PQtransactionStatus(conn_);
  return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

int PgConnection::backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }

QueryResult PgConnection::collect() {
  QueryResult out;
  // With the simple protocol several results may come back; keep the last, and the first error.
  while (PGresult* r = PQgetResult(conn_)) {
    ExecStatusType status = PQresultStatus(r);
    // COPY … FROM STDIN waits for data the migration file does not carry here: end it empty.
    // COPY … TO STDOUT: read and discard. Otherwise PQgetResult would return this result forever.
    if (status == PGRES_COPY_IN) {
      PQclear(r);
      PQputCopyEnd(conn_, nullptr);
      continue;
    }
    if (status == PGRES_COPY_OUT) {
      PQclear(r);
      char* row = nullptr;
      while (PQgetCopyData(conn_, &row, 0) > 0) PQfreemem(row);
      continue;
    }
    if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
      if (!out.error) {
        QueryError e;
        const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        e.message = scrub(primary ? primary : PQresultErrorMessage(r));
        if (const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE)) e.sqlstate = state;
        if (const char* pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION)) e.position = std::atoi(pos);
        out.error = std::move(e);
      }
    } else if (status == PGRES_TUPLES_OK) {
      out.columns.clear();
      out.rows.clear();
      int cols = PQnfields(r);
      for (int c = 0; c < cols; ++c) out.columns.emplace_back(PQfname(r, c));
      for (int row = 0; row < PQntuples(r); ++row) {
        std::vector<std::optional<std::string>> values;
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(r, row, c)) values.emplace_back(std::nullopt);
          else values.emplace_back(std::string(PQgetvalue(r, row, c), static_cast<std::size_t>(PQgetlength(r, row, c))));
        }
        out.rows.push_back(std::move(values));
      }
    }
    PQclear(r);
  }
  return out;
}

QueryResult PgConnection::exec(const std::string& sql) {
  if (!send(sql)) {
    QueryResult out;
    out.error = QueryError{error_, "", std::nullopt};
    return out;
  }
  return collect();
}

QueryResult PgConnection::exec_cancellable(const std::string& sql, const std::function<bool()>& cancelled) {
  if (!cancelled) return exec(sql);
  if (!send(sql)) {
    QueryResult out;
    out.error = QueryError{error_, "", std::nullopt};
    return out;
  }
  bool asked = false;
  while (busy()) {
    if (!asked && cancelled()) {
      cancel();
      asked = true;
    }
    pollfd ready{PQsocket(conn_), POLLIN, 0};
    if (ready.fd < 0) break;
    poll(&ready, 1, 5);  // wakes as soon as the server answers; 5 ms bounds the cancel's delay
  }
  return collect();
}

bool PgConnection::send(const std::string& sql) {
  if (!conn_ || !PQsendQuery(conn_, sql.c_str())) {
    error_ = conn_ ? scrub(PQerrorMessage(conn_)) : "not connected";
    return false;
  }
  return true;
}

QueryResult PgConnection::finish() { return collect(); }

bool PgConnection::busy() {
  if (!conn_) return false;
  PQconsumeInput(conn_);
  return PQisBusy(conn_) != 0;
}

void PgConnection::cancel() {
  if (!conn_) return;
  if (PGcancel* c = PQgetCancel(conn_)) {
    char buf[256];
    PQcancel(c, buf, sizeof buf);
    PQfreeCancel(c);
  }
}

CancelHandle::CancelHandle(const PgConnection& connection)
    : cancel_(connection.conn_ ? PQgetCancel(connection.conn_) : nullptr) {}

CancelHandle::~CancelHandle() {
  if (cancel_) PQfreeCancel(cancel_);
}

void CancelHandle::cancel() const {
  if (!cancel_) return;
  char buf[256];
  PQcancel(cancel_, buf, sizeof buf);
}

std::vector<std::string> PgConnection::take_notices() { return std::exchange(notices_, {}); }

std::string PgConnection::quote_literal(std::string_view text) const {
  if (!conn_) return "''";
  char* quoted = PQescapeLiteral(conn_, text.data(), text.size());
  if (!quoted) return "''";
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

}  // namespace lockward::trace
