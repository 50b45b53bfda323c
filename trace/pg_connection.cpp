#include "trace/pg_connection.h"

#include <utility>

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cctype>

namespace lockward::trace {

namespace {

bool iequal_at(std::string_view text, std::size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  }
  return true;
}

}  // namespace

std::string scrub_credentials(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    // postgres://user:secret@host or postgresql://user:secret@host
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
      if (!iequal_at(text, i, scheme)) continue;
      std::size_t userinfo = i + scheme.size();
      std::size_t at = text.find('@', userinfo);
      std::size_t stop = text.find_first_of(" \t\n/", userinfo);
      std::size_t colon = text.find(':', userinfo);
      if (at != std::string::npos && (stop == std::string::npos || at < stop) && colon != std::string::npos &&
          colon < at) {
        out.append(text, i, colon + 1 - i);
        out += "***";
        i = at;
      }
      break;
    }
    // password=secret or password = 'secret with spaces'
    if (iequal_at(text, i, "password") && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      std::size_t j = i + 8;
      while (j < text.size() && text[j] == ' ') ++j;
      if (j < text.size() && text[j] == '=') {
        ++j;
        while (j < text.size() && text[j] == ' ') ++j;
        out.append(text, i, j - i);
        out += "***";
        if (j < text.size() && text[j] == '\'') {
          for (++j; j < text.size() && text[j] != '\''; ++j) {
            if (text[j] == '\\') ++j;
          }
          ++j;
        } else {
          while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        }
        i = std::min(j, text.size());
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string QueryResult::value(std::size_t row, std::size_t column) const {
  if (row >= rows.size() || column >= rows[row].size() || !rows[row][column]) return {};
  return *rows[row][column];
}

PgConnection::PgConnection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  PQsetNoticeProcessor(
      conn_,
      [](void* self, const char* message) {
        std::string text = message;
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        auto& notices = static_cast<PgConnection*>(self)->notices_;
        if (notices.size() < 100) notices.push_back(scrub_credentials(std::move(text)));
      },
      this);
  if (PQstatus(conn_) != CONNECTION_OK) {
    error_ = scrub_credentials(PQerrorMessage(conn_));
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
        e.message = scrub_credentials(primary ? primary : PQresultErrorMessage(r));
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
    error_ = conn_ ? scrub_credentials(PQerrorMessage(conn_)) : "not connected";
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
